"""Property paths (``config.oss_path``, ``tags["a.b"]``, ``items[0]``) as ``ignore_changes`` and
``replace_on_changes`` name them, with the engine's rules for applying them."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any, cast

from pulumi.runtime import rpc

from pulumi_alicloud_ai.testing._errors import LocalEngineError, UnsupportedFeatureError

Element = str | int
WILDCARD = "*"
_TOKEN = re.compile(r'\.?([A-Za-z_$][\w$-]*|\*)|\[(\d+|\*|"(?:[^"\\]|\\.)*")\]')
MAX_PATH_LENGTH = 1000


def parse(path: str) -> list[Element]:
    """The elements of a path; a malformed one raises, naming it."""
    if not path or len(path) > MAX_PATH_LENGTH:
        raise LocalEngineError(f"invalid property path {path!r}")
    elements: list[Element] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None or (position == 0 and path.startswith(".")):
            raise LocalEngineError(f"invalid property path {path!r}")
        name, bracket = match.groups()
        if name is not None:
            elements.append(name)
        elif bracket == WILDCARD:
            elements.append(WILDCARD)
        elif bracket.startswith('"'):
            elements.append(str(json.loads(bracket)))
        else:
            elements.append(int(bracket))
        position = match.end()
    return elements


def contains_key(path: str, key: str) -> bool:
    """Whether a ``replace_on_changes`` path covers a changed top-level input ``key``."""
    elements = parse(path)
    return len(elements) == 1 and elements[0] in (key, WILDCARD)


def ignore_changes(news: dict[str, Any], olds: dict[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """``news`` with each ignored path set back to its old value (or removed where it had none).

    A path whose parents are missing from the new inputs is an error, as in the engine.
    """
    result = copy.deepcopy(news)
    missing = []
    for path in paths:
        elements = parse(path)
        if WILDCARD in elements:
            raise UnsupportedFeatureError(
                f"ignore_changes path {path!r} has a wildcard, which LocalEngine does not apply; "
                "name the properties, or run this program with the Pulumi CLI"
            )
        if not _reset(elements, olds, result):
            missing.append(path)
    if missing:
        raise LocalEngineError(
            "cannot ignore changes to the following properties because one or more elements of the path "
            f"are missing: {', '.join(missing)!r}"
        )
    return result


def _step(container: Any, element: Element) -> tuple[bool, Any]:
    container = rpc.unwrap_rpc_secret(container)
    if isinstance(element, str) and isinstance(container, dict) and element in container:
        return True, container[element]
    if isinstance(element, int) and isinstance(container, list) and 0 <= element < len(container):
        return True, container[element]
    return False, None


def _reset(elements: list[Element], olds: dict[str, Any], news: dict[str, Any]) -> bool:
    found, old_value = True, cast(Any, olds)
    for element in elements:
        found, old_value = _step(old_value, element) if found else (False, None)
    parent: Any = news
    for element in elements[:-1]:
        present, parent = _step(parent, element)
        if not present:
            return not found  # nothing to put back, and nothing there to remove
    parent = rpc.unwrap_rpc_secret(parent)
    last = elements[-1]
    if isinstance(last, str) and isinstance(parent, dict):
        if found:
            parent[last] = copy.deepcopy(old_value)
        else:
            parent.pop(last, None)
        return True
    if isinstance(last, int) and isinstance(parent, list) and 0 <= last < len(parent) and found:
        parent[last] = copy.deepcopy(old_value)
        return True
    return not found
