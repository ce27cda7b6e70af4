"""The dynamic provider behind ``AppService``: a PAI-EAS LLM app service's whole lifecycle.

Resource id: ``{region}/{service_name}`` (EAS addresses services by region and name; the ServiceId is
an output). Replicas, ServiceSpec, AppVersion and Config change in place with UpdateAppService; the
name, region, app type, workspace and quota replace the service (delete first when the replacement
keeps the same name in the same region, since names are unique per region).

``create`` is transactional: a service that ends ``Failed`` is deleted before the error is raised, and
a service left behind by an interrupted earlier attempt (same name, same settings) is adopted rather
than duplicated or refused.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult
from pulumi.runtime import rpc
from pydantic import BaseModel, ConfigDict, Field, field_validator

from pulumi_alicloud_ai.client import eas_rules
from pulumi_alicloud_ai.client.eas import (
    FAILED_STATES,
    CreateAppServiceRequest,
    EasClient,
    Service,
    UpdateAppServiceRequest,
)
from pulumi_alicloud_ai.client.endpoints import EAS
from pulumi_alicloud_ai.client.errors import (
    AlibabaCloudError,
    ConflictError,
    NotFoundError,
    ServerError,
    TransportError,
)
from pulumi_alicloud_ai.client.waiter import Backoff
from pulumi_alicloud_ai.resources._inputs import Timeouts as BaseTimeouts
from pulumi_alicloud_ai.resources._inputs import region_problem
from pulumi_alicloud_ai.resources._provider import (
    OUTPUTS_VERSION,
    DiffTable,
    ProviderError,
    canonical,
    check_inputs,
    product_client,
    user_props,
)
from pulumi_alicloud_ai.resources._waiting import persist, poll_backoff

DEFAULT_TIMEOUTS = {"create": 1800.0, "update": 1800.0, "delete": 900.0}

API_FIELDS = ("app_type", "app_version", "service_spec", "replicas", "config", "workspace_id", "quota_id")
IN_PLACE_WIRE = {
    "app_version": "app_version",
    "service_spec": "service_spec",
    "replicas": "replicas",
    "config": "config",
}

TABLE = DiffTable(
    {
        "service_name": "replace",
        "region": "replace",
        "app_type": "replace",
        "workspace_id": "replace",
        "quota_id": "replace",
        "service_spec": "update",
        "replicas": "update",
        "app_version": "update",
        "config": "update",
        "wait_for_ready": "ignore",
        "timeouts": "ignore",
        "adopt_existing": "ignore",
        "connection": "ignore",
    }
)


class Timeouts(BaseTimeouts):
    """How long create, update and delete may wait."""

    create: float | None = None
    update: float | None = None
    delete: float | None = None


class AppServiceInputs(BaseModel):
    """The provider's view of the inputs; validation messages name the field and the allowed values."""

    model_config = ConfigDict(extra="forbid")
    service_name: str
    region: str = Field(None, validate_default=True)
    service_spec: str
    replicas: int = 1
    app_type: str = "LLM"
    app_version: str | None = None
    config: dict[str, Any] | None = None
    workspace_id: str | None = None
    quota_id: str | None = None
    wait_for_ready: bool = True
    timeouts: Timeouts | None = None
    adopt_existing: bool = False
    connection: dict[str, str] | None = None

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, value: Any) -> str:
        if problem := region_problem(value):
            raise ValueError(problem)
        return str(value)

    @field_validator("service_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if problem := eas_rules.name_problem(value):
            raise ValueError(problem)
        return value

    @field_validator("service_spec")
    @classmethod
    def _spec(cls, value: str) -> str:
        if problem := eas_rules.choice_problem("service_spec", value, eas_rules.SERVICE_SPECS):
            raise ValueError(problem)
        return value

    @field_validator("app_type")
    @classmethod
    def _app_type(cls, value: str) -> str:
        if problem := eas_rules.choice_problem("app_type", value, eas_rules.APP_TYPES):
            raise ValueError(problem)
        return value

    @field_validator("replicas", mode="before")
    @classmethod
    def _replicas(cls, value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Pulumi sends numbers as floats
        if problem := eas_rules.replicas_problem(value):
            raise ValueError(problem)
        return value

    @field_validator("config")
    @classmethod
    def _config(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        problems = eas_rules.config_problems(value)
        if problems:
            raise ValueError("; ".join(reason for _, reason in problems))
        return dict(sorted((key, item) for key, item in value.items() if item is not None))

    def timeout(self, operation: str) -> float:
        """The wait limit for ``create``, ``update`` or ``delete``."""
        chosen = getattr(self.timeouts, operation, None) if self.timeouts else None
        return chosen or DEFAULT_TIMEOUTS[operation]


def service_id(region: str, name: str) -> str:
    """The Pulumi resource id of a service."""
    return f"{region}/{name}"


def parse_service_id(resource_id: str) -> tuple[str, str]:
    """``cn-shanghai/my_llm`` → ``("cn-shanghai", "my_llm")``; a clear error for anything else."""
    region, sep, name = resource_id.partition("/")
    if not sep or not region or not name or "/" in name:
        raise ProviderError(
            f"AppService id {resource_id!r} is not '<region>/<service_name>' (e.g. 'cn-shanghai/my_llm')"
        )
    return region, name


def live_inputs(service: Service, region: str) -> dict[str, Any]:
    """The API inputs as the live service shows them (refresh and import rebuild inputs from this)."""
    config = service.app_config_dict() or None
    live: dict[str, Any] = {
        "service_name": service.service_name,
        "region": region,
        "app_type": service.app_type or "LLM",
        "service_spec": service.app_spec_name,
        "replicas": service.configured_replicas(),
        "app_version": service.app_version or None,
        "config": dict(sorted(config.items())) if config else None,
        "workspace_id": service.workspace_id or None,
        "quota_id": service.quota_id or None,
    }
    return {key: value for key, value in live.items() if value is not None}


def mismatches(wanted: AppServiceInputs, service: Service) -> list[str]:
    """Which API fields of the live service differ from the inputs, as ``field: live != wanted``."""
    live = live_inputs(service, wanted.region)
    desired = wanted.model_dump(exclude_none=True)
    return [
        f"{name}: live {live.get(name)!r} != wanted {desired.get(name)!r}"
        for name in API_FIELDS
        if canonical(live.get(name)) != canonical(desired.get(name))
    ]


class AppServiceProvider(ResourceProvider):
    """Create, read, update and delete a PAI-EAS app service. Holds no state: safe to pickle."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs without touching the network; normalise defaults and config key order."""
        return check_inputs(AppServiceInputs, news, passthrough=("connection",))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """In place: replicas, spec, version, config. Replace: name, region, type, workspace, quota."""
        result = TABLE.diff(olds, news)
        same_slot = "service_name" not in (result.replaces or []) and "region" not in (result.replaces or [])
        result.delete_before_replace = bool(result.replaces) and same_slot
        return result

    # --- create -----------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create (or adopt) the service, wait for it to run, and return its outputs."""
        inputs = AppServiceInputs.model_validate(user_props(props))
        with self._client(inputs.region, inputs.connection) as eas:
            service = self._adopt(eas, inputs) if inputs.adopt_existing else self._create(eas, inputs)
            if inputs.wait_for_ready:
                service = self._wait(eas, inputs, "create", cleanup_on_failure=True)
            elif service is None:
                service = eas.describe_service(inputs.region, inputs.service_name)
            return CreateResult(
                service_id(inputs.region, inputs.service_name),
                self._outputs(eas, inputs.model_dump(mode="json", exclude_none=True), service),
            )

    def _create(self, eas: EasClient, inputs: AppServiceInputs) -> Service | None:
        """Create the service, or adopt what an interrupted earlier create left. None for a fresh
        create: the caller's wait (or one read) fetches it, so it is not read twice."""
        request = CreateAppServiceRequest(
            service_name=inputs.service_name,
            app_type=inputs.app_type,
            service_spec=inputs.service_spec,
            replicas=inputs.replicas,
            app_version=inputs.app_version,
            config=inputs.config,
            workspace_id=inputs.workspace_id,
            quota_id=inputs.quota_id,
        )
        try:
            eas.create_app_service(request)
        except ConflictError:
            return self._adopt_leftover(eas, inputs)
        except (TransportError, ServerError) as original:
            # The create may have reached the service: look before failing or trying again.
            try:
                return self._adopt_leftover(eas, inputs)
            except NotFoundError:
                raise original from None
        return None

    def _adopt_leftover(self, eas: EasClient, inputs: AppServiceInputs) -> Service:
        """A service with this name exists: ours from an interrupted attempt if its settings match."""
        service = eas.describe_service(inputs.region, inputs.service_name)
        differences = mismatches(inputs, service)
        if differences:
            raise ProviderError(
                f"EAS service {inputs.service_name} already exists in {inputs.region} with other settings "
                f"({'; '.join(differences)}). Import it with `pulumi import` using id "
                f"{service_id(inputs.region, inputs.service_name)!r}, set adopt_existing=True after aligning "
                "the inputs, or choose another service_name."
            )
        return service

    def _adopt(self, eas: EasClient, inputs: AppServiceInputs) -> Service:
        try:
            service = eas.describe_service(inputs.region, inputs.service_name)
        except NotFoundError:
            raise ProviderError(
                f"adopt_existing is set but no EAS service {inputs.service_name} exists in {inputs.region}; "
                "unset adopt_existing to create it"
            ) from None
        differences = mismatches(inputs, service)
        if differences:
            raise ProviderError(
                f"adopt_existing: EAS service {inputs.service_name} in {inputs.region} does not match the "
                f"inputs ({'; '.join(differences)}); align the inputs with the live service, then change them"
            )
        return service

    # --- read / update / delete -------------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh or import: rebuild inputs from the live service; a deleted service reads back empty."""
        region, name = parse_service_id(id_)
        known = user_props(props)
        behaviour: dict[str, Any] = {
            key: known[key]
            for key in ("wait_for_ready", "timeouts", "adopt_existing", "connection")
            if key in known
        }
        with self._client(region, known.get("connection")) as eas:
            try:
                service = eas.describe_service(region, name)
            except NotFoundError:
                return ReadResult("", {})
            inputs: dict[str, Any] = {**live_inputs(service, region), **behaviour}
            return ReadResult(id_, self._outputs(eas, inputs, service), inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Apply the in-place changes in one UpdateAppService call, then wait for Running."""
        inputs = AppServiceInputs.model_validate(user_props(news))
        changed = TABLE.in_place(olds, news)
        with self._client(inputs.region, inputs.connection) as eas:
            if changed:
                fields = {IN_PLACE_WIRE[name]: getattr(inputs, name) for name in changed}
                request = UpdateAppServiceRequest(
                    workspace_id=inputs.workspace_id, quota_id=inputs.quota_id, **fields
                )
                eas.update_app_service(inputs.region, inputs.service_name, request)
            if inputs.wait_for_ready:
                service = self._wait(eas, inputs, "update", cleanup_on_failure=False)
            else:
                service = eas.describe_service(inputs.region, inputs.service_name)
            return UpdateResult(
                self._outputs(eas, inputs.model_dump(mode="json", exclude_none=True), service)
            )

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Delete and wait until the service is gone; already gone counts as deleted."""
        inputs = AppServiceInputs.model_construct(**user_props(props))
        with self._client(inputs.region, inputs.connection) as eas:
            try:
                eas.delete_service(inputs.region, inputs.service_name)
            except NotFoundError:
                return
            self._wait_gone(eas, inputs)

    # --- helpers ----------------------------------------------------------------------------------

    def _client(self, region: str, captured: dict[str, str] | None) -> AbstractContextManager[EasClient]:
        return product_client(EAS, EasClient, region, captured)

    def _backoff(self, inputs: AppServiceInputs, operation: str) -> Backoff:
        return poll_backoff(inputs.timeout(operation))

    def _wait(
        self, eas: EasClient, inputs: AppServiceInputs, operation: str, *, cleanup_on_failure: bool
    ) -> Service:
        service = eas.wait_for_service(
            inputs.region, inputs.service_name, backoff=self._backoff(inputs, operation)
        ).value
        if service.status in FAILED_STATES:
            events = eas.describe_service_event(
                inputs.region, inputs.service_name, event_type="Warning"
            ).events
            reasons = (
                "; ".join(f"{e.reason}: {e.message}" for e in events[-3:]) or service.message or "no events"
            )
            cleanup = ""
            if cleanup_on_failure:
                try:
                    persist(lambda: eas.delete_service(inputs.region, inputs.service_name))
                    cleanup = " The failed service was deleted, so nothing is left behind."
                except AlibabaCloudError as exc:
                    cleanup = (
                        f" Deleting the failed service failed too ({exc.code}): delete it, or import it with id "
                        f"{service_id(inputs.region, inputs.service_name)!r}."
                    )
            raise ProviderError(
                f"EAS service {inputs.service_name} in {inputs.region} is {service.status} after {operation}: "
                f"{reasons}.{cleanup}"
            )
        return service

    def _wait_gone(self, eas: EasClient, inputs: AppServiceInputs) -> None:
        backoff = self._backoff(inputs, "delete")
        started = backoff.clock()
        delay = backoff.base_delay
        while True:
            try:
                service = eas.describe_service(inputs.region, inputs.service_name)
            except NotFoundError:
                return
            if backoff.clock() - started + delay > backoff.timeout:
                raise ProviderError(
                    f"EAS service {inputs.service_name} in {inputs.region} is still {service.status} "
                    f"after {inputs.timeout('delete'):.0f}s of deleting; it still exists"
                )
            backoff.sleep(delay)
            delay = min(delay * 2, backoff.max_delay)

    def _outputs(self, eas: EasClient, inputs: dict[str, Any], service: Service) -> dict[str, Any]:
        token = service.access_token
        if not token:
            try:
                token = eas.describe_service_endpoints(inputs["region"], service.service_name).access_token
            except NotFoundError:
                token = None
        outputs = dict(inputs)
        outputs.update(
            {
                "service_id": service.service_id,
                "status": service.status,
                "internet_endpoint": service.internet_endpoint,
                "intranet_endpoint": service.intranet_endpoint,
                "access_token": rpc.wrap_rpc_secret(token) if token else None,
                "_outputs_version": OUTPUTS_VERSION,
            }
        )
        return outputs
