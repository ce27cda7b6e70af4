"""An LLM service on PAI-EAS that scales on load between bounds from stack config, with labels.

pulumi config set replicas 3 && pulumi preview --diff       # ~ replicas: 1 => 3, in place
pulumi config set maxReplicas 8 && pulumi preview --diff    # ~ autoscaling, in place
pulumi config set team search && pulumi preview --diff      # ~ labels, in place
"""

import pulumi

from pulumi_alicloud_ai import (
    AppService,
    AppServiceArgs,
    Autoscaling,
    OssModelStorage,
    ScaleStrategy,
    ServiceSpec,
)

config = pulumi.Config()

llm = AppService(
    "chat",
    AppServiceArgs(
        service_name=config.get("serviceName") or "chat_llm",
        service_spec=ServiceSpec.LLAMA_7B_FP16,
        replicas=config.get_int("replicas") or 1,
        config=OssModelStorage(oss_path=config.get("modelPath") or "oss://my-models/llama-7b/"),
        autoscaling=Autoscaling(
            min=config.get_int("minReplicas") or 1,
            max=config.get_int("maxReplicas") or 4,
            strategies=[ScaleStrategy(metric_name="QPS", threshold=config.get_float("qpsPerInstance") or 50)],
        ),
        labels={"app": "chat", "team": config.get("team") or "ml"},
    ),
)

pulumi.export("service_id", llm.service_id)
pulumi.export("status", llm.status)
pulumi.export("running_instances", llm.running_instances)
pulumi.export("current_version", llm.current_version)
pulumi.export("internet_endpoint", llm.internet_endpoint)
pulumi.export("intranet_endpoint", llm.intranet_endpoint)
pulumi.export("access_token", llm.access_token)
