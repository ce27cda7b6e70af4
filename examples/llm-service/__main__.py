"""An LLM service on PAI-EAS whose replica count comes from stack config.

pulumi config set replicas 3 && pulumi preview --diff    # shows: ~ replicas: 1 => 3, in place
"""

import pulumi

from pulumi_alicloud_ai import AppService, AppServiceArgs, OssModelStorage, ServiceSpec

config = pulumi.Config()

llm = AppService(
    "chat",
    AppServiceArgs(
        service_name=config.get("serviceName") or "chat_llm",
        service_spec=ServiceSpec.LLAMA_7B_FP16,
        replicas=config.get_int("replicas") or 1,
        config=OssModelStorage(oss_path=config.get("modelPath") or "oss://my-models/llama-7b/"),
    ),
)

pulumi.export("service_id", llm.service_id)
pulumi.export("status", llm.status)
pulumi.export("internet_endpoint", llm.internet_endpoint)
pulumi.export("intranet_endpoint", llm.intranet_endpoint)
pulumi.export("access_token", llm.access_token)
