"""A step of a run, printable the way ``pulumi preview --diff`` prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Operation = Literal["create", "update", "replace", "same", "delete", "delete-replaced", "import"]
SYMBOLS = {
    "create": "+",
    "update": "~",
    "replace": "+-",
    "same": " ",
    "delete": "-",
    "delete-replaced": "--",
    "import": "=",
}


def _show(value: Any, secret: bool) -> str:
    if secret:
        return "[secret]"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # protobuf numbers are doubles
    return repr(value)


@dataclass
class Step:
    """One planned or applied change, printable like ``pulumi preview --diff``.

    ``replace`` stands for the whole replacement (the engine's create-replacement, replace and
    delete-replaced); ``delete-replaced`` alone is the retried delete of a resource an earlier run
    replaced.
    """

    op: Operation
    type: str
    name: str
    diffs: list[tuple[str, Any, Any]] = field(default_factory=list)
    secret: set[str] = field(default_factory=set)
    urn: str = ""
    custom: bool = True
    """False for a component resource (the engine calls no provider for it)."""

    def render(self) -> str:
        """Lines as the Pulumi CLI shows them."""
        keys = ", ".join(f"~{key}" for key, _, _ in self.diffs)
        head = f"{SYMBOLS[self.op]:>2} {self.type} {self.name} {self.op}" + (
            f" [diff: {keys}]" if keys else ""
        )
        lines = [head]
        for key, old, new in self.diffs:
            hidden = key in self.secret
            lines.append(f"      ~ {key}: {_show(old, hidden)} => {_show(new, hidden)}")
        return "\n".join(lines)
