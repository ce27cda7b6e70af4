"""The vocabulary both fixers share: what a repair reports, and how a misspelt name is matched.

A repair is honest or it is not made: a name is corrected only when exactly one known name is close
to it, and anything the fixer cannot resolve is left as a fault that fails the task, by name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pulumi_alicloud_ai.templates.validator import Fault


@dataclass(frozen=True)
class Change:
    """One repair: which fault it answers, where, and what was done and why."""

    code: str
    location: str
    description: str

    def to_wire(self) -> dict[str, str]:
        """As it appears in ``TaskOutput.Changes``."""
        return {"Code": self.code, "Location": self.location, "Description": self.description}


@dataclass(frozen=True)
class FixResult:
    """A repaired template (ROS object or Terraform text) and the changes that made it valid."""

    template: dict[str, Any] | str
    template_type: str
    changes: tuple[Change, ...]

    @property
    def message(self) -> str:
        """A one-line summary for ``TaskOutput.Message``."""
        if not self.changes:
            return "The template has no faults this fixer knows of; it is returned unchanged."
        return f"Fixed {len(self.changes)} fault(s); see Changes."


class FixError(Exception):
    """The template cannot be made valid: unparseable, or faults remain that no repair answers."""

    def __init__(self, message: str, faults: Iterable[Fault] = (), changes: Iterable[Change] = ()) -> None:
        super().__init__(message)
        self.faults = tuple(faults)
        self.changes = tuple(changes)


@dataclass
class Progress:
    """The changes made so far in one fix."""

    changes: list[Change] = field(default_factory=list)

    def add(self, fault: Fault, description: str) -> None:
        """Record a repair of ``fault``."""
        self.changes.append(Change(fault.code, fault.location, description))


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The one candidate ``name`` most plausibly misspells: same letters in another case, else a
    single close match (difflib ratio ≥ 0.8); None when nothing, or more than one, is that close."""
    pool = sorted(set(candidates) - {name})
    same_case = [candidate for candidate in pool if candidate.lower() == name.lower()]
    if len(same_case) == 1:
        return same_case[0]
    matches = difflib.get_close_matches(name, pool, n=2, cutoff=0.8)
    if len(matches) == 1:
        return matches[0]
    if len(matches) == 2:
        first, second = (difflib.SequenceMatcher(None, name, match).ratio() for match in matches)
        return matches[0] if first > second else None
    return None


def unresolved(faults: Iterable[Fault], changes: Iterable[Change]) -> FixError:
    """The error for faults left after every repair was tried."""
    faults = tuple(faults)
    listed = "; ".join(f"{fault.location}: {fault.message}" for fault in faults[:5])
    more = f" (and {len(faults) - 5} more)" if len(faults) > 5 else ""
    return FixError(f"The template has faults the fixer cannot repair: {listed}{more}", faults, changes)
