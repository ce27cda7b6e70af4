"""FixTemplate: find what is wrong with a template and repair what can honestly be repaired.

The validator finds the faults; a table maps each fault code to its repair; the validator runs again
until nothing changes. Whatever is left fails the task, naming each fault. ROS templates are JSON or
YAML and come back as an object; Terraform files are HCL and are repaired in place as text
(``fixer_terraform.py``), so the user's layout and comments survive.

ROS repairs:

* missing or wrong ``ROSTemplateFormatVersion`` → set to ``2015-09-01``;
* a parameter without ``Type`` → ``String``;
* an unknown resource type one edit away from a known one (``ALIYUN::ECS::Vpc``) → the known type;
* a missing required property → a ``Ref`` to the template's only resource that provides it
  (``VpcId`` → the one ``ALIYUN::ECS::VPC``), or to a parameter of that name, added when absent;
* a dangling ``Ref`` / ``Fn::GetAtt`` / ``DependsOn`` → the one close name; a ``Ref`` to nothing close
  becomes a new parameter; a ``DependsOn`` on nothing close is dropped (it can never be met);
* JSON with a syntax error that YAML's more lenient flow syntax reads (trailing commas, comments) →
  re-read that way and reported; anything else unparseable fails, naming the line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_alicloud_ai.emulator.ros import fixer_terraform
from pulumi_alicloud_ai.emulator.ros.fixes import FixError, FixResult, Progress, closest, unresolved
from pulumi_alicloud_ai.templates.hcl import HclSyntaxError, parse
from pulumi_alicloud_ai.templates.validator import (
    FORMAT_VERSION,
    ROS,
    TERRAFORM,
    Fault,
    TemplateSyntaxError,
    getatt_target,
    known_types,
    load_ros,
    mappings,
    ros_faults,
    ros_sections,
)

MAX_ROUNDS = 4

# Required properties that name another resource: the type that provides them.
_PROVIDED_BY = {
    "VpcId": "ALIYUN::ECS::VPC",
    "VSwitchId": "ALIYUN::ECS::VSwitch",
    "SecurityGroupId": "ALIYUN::ECS::SecurityGroup",
}
_NUMBER_PROPERTIES = frozenset({"DBInstanceStorage"})


def fix_template(text: str, template_type: str) -> FixResult:
    """Repair ``text`` (a ROS or Terraform template); :class:`FixError` when it cannot be made valid."""
    try:
        if template_type == ROS:
            return fix_ros(text)
        fixed, changes = fixer_terraform.fix(text)
        return FixResult(fixed, template_type, changes)
    except FixError as exc:
        unreadable = all(fault.code == "NotAMapping" for fault in exc.faults)
        if not unreadable or not _parses_as_the_other_type(text, template_type):
            raise
        other = TERRAFORM if template_type == ROS else ROS
        hint = f"{exc} (It parses as a {other} template: set TemplateType={other}.)"
        raise FixError(hint, exc.faults, exc.changes) from None


def _parses_as_the_other_type(text: str, template_type: str) -> bool:
    """Whether text that failed to parse as ``template_type`` is a template of the other type."""
    if template_type == ROS:
        try:
            parse(text)
        except HclSyntaxError:
            return False
        return True
    try:
        return isinstance(load_ros(text), dict)
    except TemplateSyntaxError:
        return False


def _load_leniently(text: str, progress: Progress) -> Any:
    try:
        return load_ros(text)
    except TemplateSyntaxError as strict:
        if not text.lstrip().startswith("{"):
            raise FixError(f"The template cannot be parsed: {strict}") from None
        try:
            lenient = load_ros(text, as_yaml=True)
        except TemplateSyntaxError:
            raise FixError(f"The template cannot be parsed: {strict}") from None
        if not isinstance(lenient, dict):
            raise FixError(f"The template cannot be parsed: {strict}") from None
        where = f"line {strict.line}" if strict.line else "(template)"
        progress.add(
            Fault("SyntaxError", where, str(strict)),
            f"The JSON had a syntax error ({strict}); YAML's more lenient flow syntax reads it, and it is "
            "returned as a valid template object.",
        )
        return lenient


def fix_ros(text: str) -> FixResult:
    """Repair a ROS template given as JSON or YAML text."""
    progress = Progress()
    template = _load_leniently(text, progress)
    for _ in range(MAX_ROUNDS):
        faults = sorted(ros_faults(template), key=_repair_order)
        repaired = [fault for fault in faults if _repair(template, fault, progress)]
        if not repaired:
            break
    remaining = ros_faults(template)
    if remaining:
        raise unresolved(remaining, progress.changes)
    return FixResult(template, ROS, tuple(progress.changes))


# Repairs that change what a template provides (its version, its resources' types) come before the
# ones that depend on it (a missing VpcId refers to "the template's only VPC"), so the result does
# not depend on the order the resources were written in, which JSON-over-protobuf does not keep.
_ORDER = ("MissingFormatVersion", "WrongFormatVersion", "UnknownResourceType", "ParameterWithoutType")


def _repair_order(fault: Fault) -> tuple[int, str]:
    rank = _ORDER.index(fault.code) if fault.code in _ORDER else len(_ORDER)
    return rank, fault.location


def _repair(template: Any, fault: Fault, progress: Progress) -> bool:
    repair = _REPAIRS.get(fault.code)
    return bool(repair and isinstance(template, dict) and repair(template, fault, progress))


def _set_version(template: dict[str, Any], fault: Fault, progress: Progress) -> bool:
    old = template.pop("ROSTemplateFormatVersion", None)
    items = list(template.items())
    template.clear()
    template.update([("ROSTemplateFormatVersion", FORMAT_VERSION), *items])
    was = "missing" if old is None else f"{old!r}"
    progress.add(
        fault, f"ROSTemplateFormatVersion was {was}; set to '{FORMAT_VERSION}', the only version ROS accepts."
    )
    return True


def _typed_parameter(template: dict[str, Any], fault: Fault, progress: Progress) -> bool:
    (name,) = fault.subject
    parameters, _ = ros_sections(template)
    parameter = parameters.get(name)
    parameters[name] = {**(parameter if isinstance(parameter, dict) else {}), "Type": "String"}
    progress.add(fault, f"Parameter {name} had no Type; set to String, the type for text values.")
    return True


def _known_type(template: dict[str, Any], fault: Fault, progress: Progress) -> bool:
    name, kind = fault.subject
    match = closest(kind, known_types().ros)
    if match is None or template["Resources"][name].get("Type") != kind:
        return False
    template["Resources"][name]["Type"] = match
    progress.add(fault, f"Resource {name} had the unknown type {kind!r}; it is most likely {match!r}.")
    return True


def _parameter(template: dict[str, Any], name: str, why: str, kind: str = "String") -> None:
    if not isinstance(template.get("Parameters"), dict):
        template["Parameters"] = {}
    template["Parameters"][name] = {"Type": kind, "Description": f"Added by FixTemplate: {why}"}


def _required_property(template: dict[str, Any], fault: Fault, progress: Progress) -> bool:
    name, prop = fault.subject
    parameters, resources = ros_sections(template)
    resource = resources[name]
    if isinstance(resource.get("Properties"), dict) and resource["Properties"].get(prop) not in (None, ""):
        return False  # already repaired
    if not isinstance(resource.get("Properties"), dict):
        resource["Properties"] = {}
    provider = _PROVIDED_BY.get(prop)
    candidates = [
        other
        for other, body in resources.items()
        if provider and isinstance(body, dict) and body.get("Type") == provider
    ]
    if len(candidates) == 1:
        resource["Properties"][prop] = {"Ref": candidates[0]}
        progress.add(
            fault, f"{prop} was missing; it now refers to {candidates[0]}, the template's only {provider}."
        )
        return True
    if prop not in parameters and prop not in resources:
        kind = "Number" if prop in _NUMBER_PROPERTIES else "String"
        _parameter(template, prop, f"{resource['Type']} requires {prop}.", kind)
        resource["Properties"][prop] = {"Ref": prop}
        progress.add(
            fault,
            f"{prop} was missing; it now refers to a new parameter {prop}, supplied when the stack is created.",
        )
        return True
    resource["Properties"][prop] = {"Ref": prop}
    progress.add(fault, f"{prop} was missing; it now refers to the existing {prop}.")
    return True


def _reads(mapping: dict[str, Any], key: str, name: str) -> bool:
    if key == "Ref":
        return mapping.get("Ref") == name
    return "Fn::GetAtt" in mapping and getatt_target(mapping["Fn::GetAtt"]) == name


def _rename(template: dict[str, Any], key: str, old: str, new: str) -> None:
    for section in ("Resources", "Outputs", "Conditions"):
        for _, mapping in mappings(template.get(section), section):
            if not _reads(mapping, key, old):
                continue
            if key == "Ref":
                mapping["Ref"] = new
            else:
                value = mapping["Fn::GetAtt"]
                mapping["Fn::GetAtt"] = (
                    [new, *value[1:]] if isinstance(value, list) else new + value[len(old) :]
                )


def _others(template: dict[str, Any], key: str, name: str) -> list[str]:
    """Resources a dangling reference may be pointed at: not those that hold it (no self-references)."""
    _, resources = ros_sections(template)
    return [
        resource
        for resource, body in resources.items()
        if not any(_reads(mapping, key, name) for _, mapping in mappings(body, resource))
    ]


def _dangling_ref(template: dict[str, Any], fault: Fault, progress: Progress) -> bool:
    (target,) = fault.subject
    parameters, _ = ros_sections(template)
    candidates = [*parameters, *_others(template, "Ref", target), *known_types().ros_pseudo_parameters]
    match = closest(target, candidates)
    if match is not None:
        _rename(template, "Ref", target, match)
        progress.add(fault, f"Ref {target!r} named nothing; it is most likely {match!r}.")
        return True
    if "::" in target or not target.replace("_", "a").isalnum():
        return False
    _parameter(template, target, "referenced with Ref but not declared.")
    progress.add(fault, f"Ref {target!r} named nothing; {target} is now declared as a String parameter.")
    return True


def _dangling_getatt(template: dict[str, Any], fault: Fault, progress: Progress) -> bool:
    (target,) = fault.subject
    match = closest(target, _others(template, "Fn::GetAtt", target))
    if match is None:
        return False
    _rename(template, "Fn::GetAtt", target, match)
    progress.add(
        fault, f"Fn::GetAtt read from {target!r}, which does not exist; it is most likely {match!r}."
    )
    return True


def _dangling_depends_on(template: dict[str, Any], fault: Fault, progress: Progress) -> bool:
    name, target = fault.subject
    _, resources = ros_sections(template)
    resource = resources[name]
    depends = resource.get("DependsOn")
    listed = [depends] if isinstance(depends, str) else list(depends) if isinstance(depends, list) else []
    if target not in (str(item) for item in listed):
        return False  # already repaired (the same target was listed twice)
    match = closest(target, [other for other in resources if other != name])
    kept = [item for item in listed if str(item) != target]
    if match is not None and match not in kept:
        kept.append(match)
    if kept:
        resource["DependsOn"] = kept if isinstance(depends, list) or len(kept) > 1 else kept[0]
    else:
        del resource["DependsOn"]
    if match:
        progress.add(
            fault, f"{name} depended on {target!r}, which does not exist; it is most likely {match!r}."
        )
    else:
        progress.add(
            fault, f"{name} depended on {target!r}, which does not exist; the dependency was removed."
        )
    return True


_REPAIRS: dict[str, Callable[[dict[str, Any], Fault, Progress], bool]] = {
    "MissingFormatVersion": _set_version,
    "WrongFormatVersion": _set_version,
    "ParameterWithoutType": _typed_parameter,
    "UnknownResourceType": _known_type,
    "MissingRequiredProperty": _required_property,
    "DanglingRef": _dangling_ref,
    "DanglingGetAtt": _dangling_getatt,
    "DanglingDependsOn": _dangling_depends_on,
}
