"""A string that must not be shown: stack-config keys and environment secrets on their way to signing.

It prints as ``****``, compares by value, and refuses to be pickled, so a provider that held one by
mistake fails at preview instead of writing it into the stack state (Pulumi pickles providers).
"""

from __future__ import annotations

from typing import Any, NoReturn

MASK = "****"


class Secret:
    """Holds a secret value; ``reveal()`` is the only way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The value, for the one place that needs it (a credentials provider)."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return MASK

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled; resolve it at call time")

    def __reduce_ex__(self, protocol: Any) -> NoReturn:
        raise TypeError("a Secret cannot be pickled; resolve it at call time")

    def __getstate__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled; resolve it at call time")
