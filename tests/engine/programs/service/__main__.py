"""One AppService whose inputs and resource options come from stack config: each scenario under the
real CLI sets what it needs with `pulumi config set` and runs `pulumi up`."""

import pulumi

from pulumi_alicloud_ai import AppService, AppServiceArgs, OssModelStorage, ServiceSpec

config = pulumi.Config()

service = AppService(
    "svc",
    AppServiceArgs(
        service_name=config.get("serviceName") or "svc_one",
        service_spec=ServiceSpec.LLAMA_7B_FP16,
        replicas=config.get_int("replicas") or 1,
        workspace_id=config.get("workspaceId"),
        config=OssModelStorage(oss_path="oss://models/llama-7b/"),
        adopt_existing=config.get_bool("adoptExisting") or False,
    ),
    opts=pulumi.ResourceOptions(
        protect=config.get_bool("protect") or False,
        retain_on_delete=config.get_bool("retainOnDelete") or False,
        ignore_changes=config.get_object("ignoreChanges"),
    ),
)

pulumi.export("service_id", service.service_id)
pulumi.export("status", service.status)
pulumi.export("access_token", service.access_token)
