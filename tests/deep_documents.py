"""Documents built to exhaust a parser: nesting past any recursion limit, and YAML alias bombs."""

from __future__ import annotations

from typing import Any


def nested(depth: int, leaf: Any = 1) -> Any:
    """``leaf`` inside ``depth`` lists: ``[[[1]]]`` for depth 3 (built without recursion)."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def deep_json(depth: int) -> str:
    """``[[[…]]]`` as text: ``depth`` arrays inside one another."""
    return "[" * depth + "]" * depth


def billion_laughs(levels: int, fan: int = 9, head: str = "") -> str:
    """A YAML "billion laughs": ``l0`` lists ``fan`` scalars, each next level ``fan`` aliases of the one
    before, so a few hundred bytes name ``fan ** (levels + 1)`` nodes. ``head`` goes first."""
    lines = [head] if head else []
    lines.append(f"l0: &l0 [{', '.join(['lol'] * fan)}]")
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * fan)}]" for n in range(1, levels + 1)]
    return "\n".join(lines) + "\n"
