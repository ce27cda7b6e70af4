"""``LlmService``: an LLM app service with its model storage, and outputs ready for an application.

A component (``alicloud-ai:index:LlmService``) around one :class:`AppService`, named ``<name>-service``
and parented to the component, so ``protect``, ``provider`` and ``depends_on`` given to the component
apply to it. Outputs: the endpoint an application should call (internet or intranet), the access token
(a secret), the status and the service id.

Example::

    llm = LlmService("chat", LlmServiceArgs(
        service_name="chat_llm",
        model=OssModelStorage(oss_path="oss://my-models/llama-7b/"),
        replicas=2,
    ))
    pulumi.export("url", llm.endpoint)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pulumi

from pulumi_alicloud_ai.resources.app_service import (
    AppService,
    AppServiceArgs,
    ModelStorage,
    ServiceSpec,
    ServiceSpecName,
)
from pulumi_alicloud_ai.resources.provider_settings import ProviderSettings
from pulumi_alicloud_ai.resources.timeouts import Timeouts


class Network(StrEnum):
    """Which endpoint the application reaches the service on."""

    INTERNET = "internet"
    INTRANET = "intranet"


@dataclass
class LlmServiceArgs:
    """Inputs of an :class:`LlmService`; defaults suit a first deployment.

    Attributes:
        service_name: The app service's name, unique in its region (see ``AppServiceArgs``).
        model: Where the model files are: :class:`OssModelStorage` or :class:`NasModelStorage`.
        service_spec: The model and precision to run (default ``llama_7b_fp16``).
        replicas: How many instances run, 1 to 100 (default 1).
        network: Which endpoint the application calls: ``Network.INTERNET`` (default) or
            ``Network.INTRANET`` (from inside the VPC).
        app_version: The application version.
        workspace_id: The PAI workspace.
        quota_id: The PAI resource quota.
        region: Defaults to the ``alicloud:region`` config, then ``ALIBABA_CLOUD_REGION_ID``.
        timeouts: :class:`Timeouts` for create, update and delete (defaults 30m, 30m, 15m).
    """

    service_name: pulumi.Input[str]
    model: ModelStorage
    service_spec: pulumi.Input[ServiceSpec | ServiceSpecName] = ServiceSpec.LLAMA_7B_FP16
    replicas: pulumi.Input[int] = 1
    network: Network = Network.INTERNET
    app_version: pulumi.Input[str] | None = None
    workspace_id: pulumi.Input[str] | None = None
    quota_id: pulumi.Input[str] | None = None
    region: pulumi.Input[str] | None = None
    timeouts: Timeouts | None = None


class LlmService(pulumi.ComponentResource):
    """An LLM service an application can call: endpoint, secret token, status."""

    service: AppService
    endpoint: pulumi.Output[str]
    token: pulumi.Output[str]
    status: pulumi.Output[str]
    service_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: LlmServiceArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        settings: ProviderSettings | None = None,
    ) -> None:
        """``settings`` puts the service in another account, region or endpoint than the stack's."""
        super().__init__("alicloud-ai:index:LlmService", name, None, opts)
        child_opts = pulumi.ResourceOptions(parent=self, depends_on=opts.depends_on if opts else None)
        self.service = AppService(
            f"{name}-service",
            AppServiceArgs(
                service_name=args.service_name,
                service_spec=args.service_spec,
                replicas=args.replicas,
                config=args.model,
                app_version=args.app_version,
                workspace_id=args.workspace_id,
                quota_id=args.quota_id,
                region=args.region,
                timeouts=args.timeouts,
            ),
            child_opts,
            settings=settings,
        )
        chosen = (
            self.service.internet_endpoint
            if args.network == Network.INTERNET
            else self.service.intranet_endpoint
        )
        self.endpoint = chosen
        self.token = pulumi.Output.secret(self.service.access_token)
        self.status = self.service.status
        self.service_id = self.service.service_id
        self.register_outputs(
            {
                "endpoint": self.endpoint,
                "token": self.token,
                "status": self.status,
                "service_id": self.service_id,
            }
        )
