"""A provider that loads its implementation on first call.

A Pulumi program only constructs resources; the provider's work (pydantic models, the client stack,
httpx) happens in the provider host. The resource modules therefore hand Pulumi a :class:`LazyProvider`
subclass: cheap to import with the program, pickled by reference like any installed class, and it
imports the real provider the first time the host calls it. ``bench/provider_overhead.py`` measures the
import cost this saves.
"""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

_LOADED: dict[str, ResourceProvider] = {}
"""Implementations by path, kept outside the instances so that nothing but the class is pickled."""


class LazyProvider(ResourceProvider):
    """Delegates every call to ``implementation`` (``"module:Class"``), imported on first use."""

    implementation: ClassVar[str]

    def _impl(self) -> ResourceProvider:
        loaded = _LOADED.get(self.implementation)
        if loaded is None:
            module, _, name = self.implementation.partition(":")
            loaded = _LOADED[self.implementation] = getattr(importlib.import_module(module), name)()
        return loaded

    def configure(self, req: ConfigureRequest) -> None:
        """Pass the stack configuration on."""
        self._impl().configure(req)

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """See the implementation."""
        return self._impl().check(olds, news)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """See the implementation."""
        return self._impl().diff(id_, olds, news)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """See the implementation."""
        return self._impl().create(props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """See the implementation."""
        return self._impl().read(id_, props)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """See the implementation."""
        return self._impl().update(id_, olds, news)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """See the implementation."""
        self._impl().delete(id_, props)
