"""Which parts of the package may import which: the lines that keep each rule in one home.

The providers and the emulator check each other, so neither may borrow the other's rules; the template
checks are shared and therefore belong to neither.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "pulumi_alicloud_ai"


def _imports(part: str) -> dict[str, set[str]]:
    """Every ``pulumi_alicloud_ai...`` module imported anywhere in a subpackage, by file."""
    found: dict[str, set[str]] = {}
    for path in sorted((PACKAGE / part).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(PACKAGE))] = {
            name for name in names if name.startswith("pulumi_alicloud_ai")
        }
    return found


@pytest.mark.parametrize(
    ("part", "forbidden"),
    [
        ("resources", ("pulumi_alicloud_ai.emulator",)),
        ("client", ("pulumi_alicloud_ai.emulator", "pulumi_alicloud_ai.resources")),
        (
            "templates",
            ("pulumi_alicloud_ai.emulator", "pulumi_alicloud_ai.resources", "pulumi_alicloud_ai.client"),
        ),
        ("emulator", ("pulumi_alicloud_ai.resources", "pulumi_alicloud_ai.client.eas_rules")),
    ],
)
def test_no_subpackage_imports_across_its_boundary(part: str, forbidden: tuple[str, ...]) -> None:
    """Resources never import the emulator; the emulator never imports the providers' rules."""
    crossing = {
        module: sorted(name for name in names if name.startswith(forbidden))
        for module, names in _imports(part).items()
        if any(name.startswith(forbidden) for name in names)
    }
    assert crossing == {}


def test_the_boundary_check_sees_imports_inside_functions() -> None:
    """The scan reads function-level imports too (the template checks used to be imported lazily)."""
    names = _imports("resources")["resources/generated_template.py"]
    assert "pulumi_alicloud_ai.templates.validator" in names
