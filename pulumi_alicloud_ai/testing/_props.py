"""Property values as the engine handles them for a host that cannot take secrets: unwrapped on the
way in, marked again on the way out (the engine's ``annotateSecrets``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.runtime import rpc

PROVIDER_KEY = "__provider"
"""The input that carries the serialized dynamic provider (a secret)."""


def plain(value: Any) -> Any:
    """``value`` with every secret marker taken off, recursively."""
    if rpc.is_rpc_secret(value):
        return plain(value["value"])
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def has_secrets(value: Any) -> bool:
    """Whether a value holds a secret anywhere."""
    if rpc.is_rpc_secret(value):
        return True
    if isinstance(value, Mapping):
        return any(has_secrets(item) for item in value.values())
    if isinstance(value, list):
        return any(has_secrets(item) for item in value)
    return False


def secret_keys(props: Mapping[str, Any]) -> set[str]:
    """The top-level properties that are secrets."""
    return {key for key, value in props.items() if rpc.is_rpc_secret(value)}


def annotate_secrets(outs: dict[str, Any], ins: Mapping[str, Any]) -> None:
    """Mark as secret each output whose input of the same name (and shape) was one."""
    for key, value in ins.items():
        if key not in outs:
            continue
        if rpc.is_rpc_secret(value):
            outs[key] = rpc.wrap_rpc_secret(outs[key])
        elif isinstance(value, dict) and isinstance(outs[key], dict):
            annotate_secrets(outs[key], value)
        elif isinstance(value, list) and isinstance(outs[key], list) and len(value) == len(outs[key]):
            for index, item in enumerate(value):
                if rpc.is_rpc_secret(item):
                    outs[key][index] = rpc.wrap_rpc_secret(outs[key][index])


def changed_keys(
    olds: Mapping[str, Any], news: Mapping[str, Any], *, with_provider: bool = False
) -> list[str]:
    """Input names whose values differ (the serialized provider only when asked)."""
    olds_plain, news_plain = plain(olds), plain(news)
    return [
        key
        for key in sorted(set(olds_plain) | set(news_plain))
        if (with_provider or key != PROVIDER_KEY) and olds_plain.get(key) != news_plain.get(key)
    ]
