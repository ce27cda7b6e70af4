"""The URNs a resource may have had before, from its aliases and its parent's (the engine's
``generateAliases``): a renamed component's children follow it without being replaced."""

from __future__ import annotations

from collections.abc import Mapping

from pulumi_alicloud_ai.testing._monitor import AliasSpec, Goal
from pulumi_alicloud_ai.testing._state import ROOT_STACK_TYPE, qualified_type, urn_name, urn_under


def alias_urns(goal: Goal, alias_of: Mapping[str, str], project: str, stack: str) -> list[str]:
    """Old URNs to look the resource up under, in the engine's order.

    ``alias_of`` maps the URNs registered so far to the old URN each was found under: a child whose
    parent was found under an alias inherits it (its name re-prefixed when it starts with the parent's).
    """
    found = [_alias_urn(goal, alias, alias_of, project, stack) for alias in goal.aliases]
    parent_alias = alias_of.get(goal.parent)
    if goal.parent and parent_alias:
        parent_name = urn_name(goal.parent)
        found.append(_inherited(goal.type, goal.name, parent_name, parent_alias, project, stack))
        for alias in goal.aliases:
            child = _alias_urn(goal, alias, alias_of, project, stack)
            child_type = qualified_type(child).split("$")[-1]
            found.append(_inherited(child_type, urn_name(child), parent_name, parent_alias, project, stack))
    return list(dict.fromkeys(found))


def _alias_urn(
    goal: Goal, alias: AliasSpec | str, alias_of: Mapping[str, str], project: str, stack: str
) -> str:
    """One alias as a URN: empty parts are the resource's own (the engine's ``collapseAliasToUrn``)."""
    if isinstance(alias, str):
        return alias
    parent = alias_of.get(alias.parent, alias.parent) if alias.parent else goal.parent
    if alias.no_parent or (parent and qualified_type(parent) == ROOT_STACK_TYPE):
        parent = ""
    return urn_under(
        parent,
        alias.type or goal.type,
        alias.name or goal.name,
        alias.project or project,
        alias.stack or stack,
    )


def _inherited(
    child_type: str, child_name: str, parent_name: str, parent_alias: str, project: str, stack: str
) -> str:
    """A child's URN under its parent's old URN (the engine's ``inheritedChildAlias``)."""
    name = child_name
    if child_name.startswith(parent_name):
        name = urn_name(parent_alias) + child_name[len(parent_name) :]
    return f"urn:pulumi:{stack}::{project}::{qualified_type(parent_alias)}${child_type}::{name}"
