"""The lifecycle every resource here shares, written once; each provider supplies data and hooks.

* ``create``: submit, or take over the existing resource the inputs name (``adopt_id``, or AppService's
  ``adopt_existing``) once it matches them; under the Pulumi CLI this is the way to bring an existing
  resource under management, since ``import_=`` fails there for dynamic providers (pulumi/pulumi#16175).
  An answer lost after the service may have acted (a 5xx, a dropped connection) ends in adopting what
  was made, or in an error naming what may exist. Then wait for a final state. Create is
  transactional: a failed end, or an error after the resource was made, removes it before the error is
  raised (a resource taken over is left as it was found). A timeout leaves it running, and the error
  says how the next run takes it over.
* ``read``: the region from the id or the recorded inputs; the inputs rebuilt from the live resource.
* ``update``: first wait until the resource has settled (an interrupted run may have left it
  changing), then apply what differs from the live resource, then wait for a final state. An update
  never removes anything.
* ``delete``: wait until it may be removed, remove it, wait until it is gone. Gone counts as deleted; a
  removal the service gives up on (``removal_failed``) is an error, and the resource stays.

Every wait goes through one poller (:func:`~pulumi_alicloud_ai.client.waiter.poll_until`) paced by
:mod:`._waiting`; every error reaches the user through :func:`._provider.render`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any, ClassVar, Generic, TypeVar

from pulumi.dynamic import (
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from pulumi_alicloud_ai.client.endpoints import Product
from pulumi_alicloud_ai.client.errors import (
    AlibabaCloudError,
    ConflictError,
    NotFoundError,
    ServerError,
    TransportError,
)
from pulumi_alicloud_ai.client.waiter import WaitTimeoutError, poll_until
from pulumi_alicloud_ai.resources import _connection
from pulumi_alicloud_ai.resources._inputs import REGION_ENV, ResourceInputs, Timeouts
from pulumi_alicloud_ai.resources._provider import (
    OUTPUTS_VERSION,
    DiffTable,
    ProviderError,
    Session,
    canonical,
    check_inputs,
    product_client,
    render,
    settings_failures,
    user_props,
)
from pulumi_alicloud_ai.resources._target import TARGET_KEY
from pulumi_alicloud_ai.resources._waiting import CLEANUP_WINDOW, persist

IMPORT_NOTE = "ResourceOptions(import_=...) works only with LocalEngine"
"""Said wherever a message tells how to take a resource over: the Pulumi CLI cannot import dynamic
resources (pulumi/pulumi#16175)."""

InputsT = TypeVar("InputsT", bound=ResourceInputs)
ApiT = TypeVar("ApiT")
LiveT = TypeVar("LiveT")

Existing = tuple[Session[ApiT], dict[str, Any], str]
"""An operation on a resource that exists: its session, its recorded properties, its region."""


class Lifecycle(ResourceProvider, Generic[InputsT, ApiT, LiveT]):
    """Create, read, update and delete, once for every provider. Holds no state: safe to pickle."""

    inputs: ClassVar[type[ResourceInputs]]
    """The inputs model (validation, default timeouts, regions)."""
    table: ClassVar[DiffTable]
    """Which input replaces and which changes in place."""
    product: ClassVar[Product]
    client: ClassVar[type[Any]]
    """The typed client class of the product (``EasClient``)."""
    noun: ClassVar[str]
    """What the resource is called in messages: ``EAS service``."""
    look_first: ClassVar[bool] = False
    """Look for a leftover before submitting: the API would make a twin rather than refuse."""
    unfindable: ClassVar[str] = ""
    """For resources whose leftovers cannot be found: what may exist after a lost answer, and how to
    take it over (``{field}`` is replaced by the input). Empty means :meth:`find_leftover` finds them."""
    removed: ClassVar[str] = "It was deleted, so nothing is left behind."
    """What removing a half-made resource leaves, said after a failed create."""
    forgets: ClassVar[bool] = False
    """Delete only forgets the resource: the API has no call that deletes it."""
    waits_until_gone: ClassVar[bool] = False
    """Removal is asynchronous: delete waits until the resource no longer reads back."""
    adopt_input: ClassVar[str] = "adopt_id"
    """The input that asks create to take over an existing resource (see :meth:`adoption`)."""
    adopt_checks: ClassVar[tuple[str, ...]] = ()
    """The inputs a resource taken over must already match, as :meth:`live_inputs` shows them."""
    kept = "It existed before this create, so it was left as it was (and is not in the stack)."
    """What a failed create leaves when it took over an existing resource."""
    clears: ClassVar[tuple[str, ...]] = ()
    """In-place inputs whose removal is applied (the setting is switched off or emptied); any other
    input that is left out keeps its live value."""

    # --- hooks: what each provider supplies ---------------------------------------------------

    def submit(self, api: ApiT, inputs: InputsT) -> str:
        """Ask the service to make the resource; return its resource id."""
        raise NotImplementedError

    def adoption(self, inputs: InputsT) -> str | None:
        """The id of the existing resource these inputs ask create to take over, or None."""
        return getattr(inputs, "adopt_id", None)

    def take_over(self, id_: str) -> str:
        """How a user takes this existing resource over, for messages."""
        return f"{self.adopt_input}={id_!r} ({IMPORT_NOTE})"

    def find_leftover(self, api: ApiT, inputs: InputsT) -> str | None:
        """The id of what an interrupted earlier attempt made for these inputs, or None. Raises a
        :class:`ProviderError` when something is there that is not ours to adopt."""
        return None

    def fetch(self, api: ApiT, id_: str, region: str) -> LiveT | None:
        """The live resource; None (or :class:`NotFoundError`) when it does not exist."""
        raise NotImplementedError

    def status(self, live: LiveT) -> str:
        """The live status, for messages."""
        raise NotImplementedError

    def is_final(self, live: LiveT) -> bool:
        """Whether nothing is moving the resource any more (success or failure)."""
        return True

    def removable(self, live: LiveT) -> bool:
        """Whether delete may remove it now, rather than wait until it settles."""
        return self.is_final(live)

    def removal_failed(self, live: LiveT) -> bool:
        """Whether the service gave up removing it (EAS ``DeleteFailed``): waiting until gone ends there."""
        return False

    def failure(self, api: ApiT, id_: str, live: LiveT, inputs: InputsT) -> str | None:
        """Why a final state is a failure (one line, the service's own reasons), or None."""
        return None

    def live_inputs(
        self, api: ApiT, id_: str, region: str, live: LiveT, recorded: dict[str, Any]
    ) -> dict[str, Any]:
        """The API inputs as the live resource shows them (refresh, import, and what update compares)."""
        raise NotImplementedError

    def outputs(
        self, api: ApiT, id_: str, region: str, live: LiveT, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """The outputs beyond the inputs."""
        raise NotImplementedError

    def apply(self, api: ApiT, id_: str, live: LiveT, inputs: InputsT, changed: list[str]) -> None:
        """Change ``changed`` (inputs the table updates in place) on the live resource."""
        raise NotImplementedError

    def after_create(self, api: ApiT, id_: str, inputs: InputsT) -> None:
        """A step after the resource exists (an error here removes it again)."""

    def remove(self, api: ApiT, id_: str, region: str, recorded: Mapping[str, Any]) -> None:
        """Ask the service to remove the resource; :class:`NotFoundError` means it was gone."""
        raise NotImplementedError

    def region_in_id(self, id_: str) -> str | None:
        """The region, when the id carries it."""
        return None

    def label(self, id_: str, region: str) -> str:
        """The resource in messages: ``VOD AI template 1a2b in cn-shanghai``."""
        return f"{self.noun} {id_} in {region}"

    def timeout_detail(self, api: ApiT, id_: str, region: str, live: LiveT) -> str:
        """More to say when a wait times out (the service's last events)."""
        return ""

    # --- Pulumi's calls --------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the stack config the engine passes (``alicloud:*``, ``alicloud-ai:*``) for this process."""
        _connection.remember_config(req)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs without touching the network; messages name the field and what is allowed.
        Settings that cannot work (the cloud chosen with no credentials anywhere) fail here too."""
        result = check_inputs(self.inputs, news, passthrough=("connection", "settings"))
        result.failures = [*result.failures, *settings_failures(news)]
        return result

    def recorded_inputs(self, olds: Mapping[str, Any]) -> Mapping[str, Any]:
        """Old outputs as the inputs they came from (an output may shadow an input of the same name)."""
        return olds

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """What changed, from the table; which of those replace."""
        return self.table.diff(self.recorded_inputs(olds), news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Submit (or adopt), wait for a final state, and return the outputs; transactional."""
        inputs: InputsT = self.inputs.model_validate(user_props(props))  # type: ignore[assignment]
        with self._session(inputs.region, inputs.connection, inputs.settings) as op:
            adopted = self.adoption(inputs)
            id_ = self._adopt(op, adopted, inputs) if adopted else self._send(op, inputs)
            try:
                live = self._arrived(op, id_, inputs.region, inputs, "create")
                self.after_create(op.api, id_, inputs)
                outputs = self._outputs(op, id_, inputs.region, live, self._dump(inputs))
            except WaitTimeoutError:
                raise  # still on its way: the advice says how the next run takes it over
            except (AlibabaCloudError, ProviderError) as exc:
                left = self.kept if adopted else self._discard(op, id_, inputs)
                raise ProviderError(f"{render(exc, op.where)} {left}") from None
            return CreateResult(id_, outputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Refresh or import: rebuild the inputs from the live resource; a gone one reads back empty."""
        with self._existing(id_, props) as (op, recorded, region):
            live = self._fetch(op, id_, region)
            if live is None:
                op.guard.gone_or_raise(self.label(id_, region))
                return ReadResult("", {})
            inputs = self.live_inputs(op.api, id_, region, live, recorded)
            inputs.update(
                {key: recorded[key] for key in self.inputs.BEHAVIOUR if recorded.get(key) is not None}
            )
            return ReadResult(id_, self._outputs(op, id_, region, live, inputs), inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Wait until settled, apply what differs from the live resource, wait for a final state."""
        inputs: InputsT = self.inputs.model_validate(user_props(news))  # type: ignore[assignment]
        with self._existing(id_, olds, inputs) as (op, recorded, region):
            live = self._present(
                self._wait(op, id_, region, inputs.timeouts, "update", gone=False), id_, region, "update"
            )
            desired = self._dump(inputs)
            current = self.live_inputs(op.api, id_, region, live, recorded)
            changed = [
                name
                for name in self.table.in_place(current, desired)
                if name in desired or name in self.clears
            ]
            if changed:
                self.apply(op.api, id_, live, inputs, changed)
            live = self._arrived(op, id_, region, inputs, "update")
            return UpdateResult(self._outputs(op, id_, region, live, self._dump(inputs)))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Wait until it may be removed, remove it, wait until gone; already gone counts as deleted."""
        if self.forgets:
            return
        with self._existing(id_, props) as (op, recorded, region):
            live = self._fetch(op, id_, region)
            if live is not None and not self.removable(live):
                live = self._wait(op, id_, region, recorded.get("timeouts"), "delete", gone=False)
            if live is None:
                op.guard.gone_or_raise(self.label(id_, region))
                return
            try:
                self.remove(op.api, id_, region, recorded)
            except NotFoundError:
                op.guard.gone_or_raise(self.label(id_, region))
                return
            if self.waits_until_gone:
                left = self._wait(op, id_, region, recorded.get("timeouts"), "delete", gone=True)
                if left is not None:
                    detail = self.timeout_detail(op.api, id_, region, left)
                    raise ProviderError(
                        f"{self.label(id_, region)} ended {self.status(left)} after delete: the service "
                        f"could not remove it{'. ' + detail if detail else ''}. It stays in the stack: "
                        "run the delete again (`pulumi destroy` or `pulumi up`) once the cause is fixed."
                    )

    # --- the lifecycle, once ---------------------------------------------------------------

    def _session(
        self,
        region: str,
        captured: Mapping[str, Any] | None,
        settings: Mapping[str, Any] | None,
        recorded: Mapping[str, Any] | None = None,
        label: str = "",
    ) -> AbstractContextManager[Session[ApiT]]:
        return product_client(
            self.product, self.client, region, captured, settings=settings, recorded=recorded, label=label
        )

    @contextmanager
    def _existing(
        self, id_: str, props: Mapping[str, Any], settings: ResourceInputs | None = None
    ) -> Iterator[Existing[ApiT]]:
        """The one way into a resource that exists: its recorded properties, its region and a session
        that goes where it was made. The session is resolved with the resource's recorded settings, or
        with ``settings`` (an update's new inputs), and must reach the target its properties record."""
        recorded = user_props(props)
        wanted = (
            {"connection": settings.connection, "settings": settings.settings}
            if settings is not None
            else recorded
        )
        region = (
            self.region_in_id(id_)
            or recorded.get("region")
            or _connection.default_region(wanted.get("connection"), wanted.get("settings"))
        )
        if not region:
            raise ProviderError(
                f"{self.noun} {id_!r}: the region is unknown; set the region input (or alicloud:region) in "
                f"the program that imports it, or {REGION_ENV}"
            )
        label = self.label(id_, region)
        with self._session(region, wanted.get("connection"), wanted.get("settings"), recorded, label) as op:
            yield op, recorded, region

    def mismatches(self, api: ApiT, id_: str, region: str, live: LiveT, inputs: InputsT) -> list[str]:
        """The :attr:`adopt_checks` inputs the live resource does not match, as ``field: live != wanted``
        (what the API does not return is taken as declared)."""
        desired = self._dump(inputs)
        current = self.live_inputs(api, id_, region, live, desired)
        return [
            f"{name}: live {current.get(name)!r} != wanted {desired.get(name)!r}"
            for name in self.adopt_checks
            if canonical(current.get(name)) != canonical(desired.get(name))
        ]

    def _adopt(self, op: Session[ApiT], id_: str, inputs: InputsT) -> str:
        """Take over the resource the inputs name, once it exists and matches them; nothing is made."""
        region = inputs.region
        live = self._fetch(op, id_, region)
        if live is None:
            where = self.label(id_, region)
            where += "" if region in where else f" (looked for at the {region} endpoint)"
            raise ProviderError(
                f"{self.adopt_input} is set but {where} does not exist: check it and the region, or "
                f"unset {self.adopt_input} to create a new one"
            )
        if differences := self.mismatches(op.api, id_, region, live, inputs):
            raise ProviderError(
                f"{self.label(id_, region)} does not match the inputs ({'; '.join(differences)}): align "
                f"the inputs with it to take it over with {self.adopt_input}"
            )
        return id_

    def _send(self, op: Session[ApiT], inputs: InputsT) -> str:
        """Submit once; after an ambiguous answer adopt what was made, or say what may exist."""
        adopts = not self.unfindable
        if self.look_first and (found := self.find_leftover(op.api, inputs)) is not None:
            return found
        try:
            return self.submit(op.api, inputs)
        except ConflictError:
            if adopts and (found := self.find_leftover(op.api, inputs)) is not None:
                return found
            raise
        except (TransportError, ServerError) as exc:
            if isinstance(exc, TransportError) and not exc.maybe_sent:
                raise
            if adopts and (found := self.find_leftover(op.api, inputs)) is not None:
                return found
            advice = (
                self.unfindable.format_map(inputs.model_dump())
                if self.unfindable
                else f"no {self.noun} was made, so running `pulumi up` again is safe"
            )
            raise ProviderError(
                f"{render(exc, op.where)}; the call may have reached the service: {advice}"
            ) from None

    def _arrived(
        self,
        op: Session[ApiT],
        id_: str,
        region: str,
        inputs: InputsT,
        operation: str,
    ) -> LiveT:
        """The live resource once final (at once when the inputs turn waiting off); a failed end is an
        error carrying the service's reasons."""
        if not inputs.waits():
            return self._present(self._fetch(op, id_, region), id_, region, operation)
        live = self._present(
            self._wait(op, id_, region, inputs.timeouts, operation, gone=False), id_, region, operation
        )
        if (reason := self.failure(op.api, id_, live, inputs)) is not None:
            raise ProviderError(
                f"{self.label(id_, region)} ended {self.status(live)} after {operation}: {reason}."
            )
        return live

    def _present(self, live: LiveT | None, id_: str, region: str, operation: str) -> LiveT:
        if live is None and operation == "create":
            raise ProviderError(f"{self.label(id_, region)} was not found right after it was created.")
        if live is None:
            raise ProviderError(
                f"{self.label(id_, region)} no longer exists; `pulumi refresh` drops it from the stack."
            )
        return live

    def _wait(
        self,
        op: Session[ApiT],
        id_: str,
        region: str,
        timeouts: Timeouts | Mapping[str, Any] | None,
        operation: str,
        *,
        gone: bool,
    ) -> LiveT | None:
        """Poll until final (``gone``: until it no longer exists, or its removal failed); None when it
        is gone."""

        def done(live: LiveT | None) -> bool:
            return live is None or (self.removal_failed(live) if gone else self.is_final(live))

        def detail(live: LiveT | None) -> str:
            return "" if live is None else self.timeout_detail(op.api, id_, region, live)

        return poll_until(
            lambda: self._fetch(op, id_, region),
            done,
            lambda live: "gone" if live is None else self.status(live),
            describe=self.label(id_, region),
            backoff=op.pacing(self.inputs.limit(timeouts, operation)),
            timeout_detail=detail,
            advice=self._advice(id_, operation),
        ).value

    def _advice(self, id_: str, operation: str) -> str:
        """What to do after a wait timed out, the same for every resource."""
        more = f"or raise timeouts.{operation}"
        if operation == "create" and self.unfindable:
            return f"it keeps going but is not in the stack: take it over with {self.take_over(id_)}, {more}"
        if operation == "create":
            return f"it keeps going but is not in the stack: the next `pulumi up` adopts it, {more}"
        if operation == "update":
            return f"the next `pulumi up` waits for it, then applies what is still missing, {more}"
        return f"it stays in the stack: run the delete again (`pulumi destroy` or `pulumi up`), {more}"

    def _discard(self, op: Session[ApiT], id_: str, inputs: InputsT) -> str:
        """Remove what a failed create made, insisting; say what is left."""
        if self.forgets:
            return self.removed
        recorded = self._dump(inputs)
        try:
            persist(
                lambda: self._remove_if_there(op, id_, inputs.region, recorded), op.pacing(CLEANUP_WINDOW)
            )
        except (AlibabaCloudError, ProviderError) as exc:
            code = exc.code if isinstance(exc, AlibabaCloudError) else str(exc)
            return f"Removing it failed too ({code}): delete it, or take it over with {self.take_over(id_)}."
        return self.removed

    def _fetch(self, op: Session[ApiT], id_: str, region: str) -> LiveT | None:
        try:
            return self.fetch(op.api, id_, region)
        except NotFoundError:
            return None

    def _remove_if_there(self, op: Session[ApiT], id_: str, region: str, recorded: Mapping[str, Any]) -> None:
        try:
            self.remove(op.api, id_, region, recorded)
        except NotFoundError:
            return

    def _outputs(
        self, op: Session[ApiT], id_: str, region: str, live: LiveT, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            **inputs,
            **self.outputs(op.api, id_, region, live, inputs),
            "_outputs_version": OUTPUTS_VERSION,
            TARGET_KEY: op.guard.current.to_state(),
        }

    @staticmethod
    def _dump(inputs: ResourceInputs) -> dict[str, Any]:
        return inputs.model_dump(mode="json", exclude_none=True)
