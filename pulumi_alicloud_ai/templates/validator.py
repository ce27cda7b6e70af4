"""What is wrong with a ROS or Terraform template: the checks the emulator's generator (to prove what it
made) and fixer (to find what to repair) use, and the ``GeneratedTemplate`` component (to decide whether
a generated template needs repair). It lives outside the emulator so resources never import it.

A check never raises over a template's content: it returns :class:`Fault` values, each with a code
the fixer looks its repair up by, a location a person can find, and the names involved (``subject``).
Only text that cannot be parsed at all raises (:class:`TemplateSyntaxError`), naming the line; text
past the parser's bounds (too deep, too many YAML aliases, too large once they are expanded) raises
:class:`~pulumi_alicloud_ai._bounded.BoundsError` before it is built (``_bounded.TEMPLATE_BOUNDS``).

What counts as a known resource type, and which properties are required, is data:
``resource_types.json`` beside this module.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from pulumi_alicloud_ai._bounded import TEMPLATE_BOUNDS, BoundsError, load_json, load_yaml
from pulumi_alicloud_ai.templates.hcl import HclDocument, HclSyntaxError, parse

ROS = "ROS"
TERRAFORM = "Terraform"
FORMAT_VERSION = "2015-09-01"


@dataclass(frozen=True)
class Fault:
    """One problem in a template."""

    code: str
    location: str
    message: str
    subject: tuple[str, ...] = ()
    """The names involved, for the fixer: ``(resource, property)``, ``(missing target,)`` …"""

    def to_wire(self) -> dict[str, str]:
        """As it appears in ``TaskOutput.Faults``."""
        return {"Code": self.code, "Location": self.location, "Message": self.message}


class TemplateSyntaxError(ValueError):
    """The template text cannot be parsed; ``line`` is 1-based when the parser said where."""

    def __init__(self, message: str, line: int | None = None) -> None:
        where = f"line {line}: " if line else ""
        super().__init__(f"{where}{message}")
        self.line = line


@dataclass(frozen=True)
class KnownTypes:
    """``resource_types.json``: known types and the properties each requires."""

    ros: Mapping[str, tuple[str, ...]]
    ros_pseudo_parameters: frozenset[str]
    terraform_resources: Mapping[str, tuple[str, ...]]
    terraform_data_sources: Mapping[str, tuple[str, ...]]


@functools.cache
def known_types() -> KnownTypes:
    """Read the package's type list once."""
    raw = json.loads(
        resources.files(__package__ or __name__).joinpath("resource_types.json").read_text("utf-8")
    )
    return KnownTypes(
        ros={name: tuple(required) for name, required in raw["ros"]["types"].items()},
        ros_pseudo_parameters=frozenset(raw["ros"]["pseudo_parameters"]),
        terraform_resources={name: tuple(req) for name, req in raw["terraform"]["resources"].items()},
        terraform_data_sources={name: tuple(req) for name, req in raw["terraform"]["data_sources"].items()},
    )


# --- ROS -------------------------------------------------------------------------------------------


class _RosYamlLoader(yaml.SafeLoader):
    """YAML as ROS reads it: ``!Ref``/``!GetAtt``/``!Join``… short forms, and dates kept as text."""


# ``ROSTemplateFormatVersion: 2015-09-01`` unquoted must stay the string ROS means, not a date.
_RosYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_RosYamlLoader.add_multi_constructor("!", _short_form)


def load_ros(text: str, *, as_yaml: bool = False) -> Any:
    """A ROS template from JSON (text starting with ``{``) or YAML; the parser's line on failure.

    ``as_yaml`` reads JSON-looking text with the YAML parser, whose flow syntax is a lenient superset.
    Text past the parser's bounds raises :class:`~pulumi_alicloud_ai._bounded.BoundsError`.
    """
    if text.lstrip().startswith("{") and not as_yaml:
        try:
            return load_json(text, TEMPLATE_BOUNDS, what="The template")
        except json.JSONDecodeError as exc:
            raise TemplateSyntaxError(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    try:
        return load_yaml(text, _RosYamlLoader, TEMPLATE_BOUNDS, what="The template")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        problem = exc.problem or str(exc)
        raise TemplateSyntaxError(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML parse error is marked
        raise TemplateSyntaxError(f"invalid YAML: {exc}") from None


def mappings(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mapping inside ``value`` with its dotted path."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from mappings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from mappings(item, f"{path}[{index}]")


def getatt_target(value: Any) -> str | None:
    """The resource named by a ``Fn::GetAtt`` value (``[R, attr]`` or ``"R.attr"``)."""
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    if isinstance(value, str):
        return value.split(".", 1)[0]
    return None


def ros_sections(template: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(Parameters, Resources)`` when they are mappings, else empty ones."""
    parameters = template.get("Parameters")
    resources_ = template.get("Resources")
    return (
        parameters if isinstance(parameters, dict) else {},
        resources_ if isinstance(resources_, dict) else {},
    )


def ros_faults(template: Any) -> list[Fault]:
    """Everything wrong with a parsed ROS template that these checks know how to see."""
    if not isinstance(template, dict):
        return [Fault("NotAMapping", "(template)", "A ROS template must be a JSON object or a YAML mapping.")]
    parameters, resources_ = ros_sections(template)
    faults = _version_faults(template.get("ROSTemplateFormatVersion"))
    faults += [
        Fault("ParameterWithoutType", f"Parameters.{name}", f"Parameter {name} has no Type.", (name,))
        for name, parameter in parameters.items()
        if not isinstance(parameter, dict) or "Type" not in parameter
    ]
    if not resources_:
        faults.append(
            Fault(
                "MissingResources", "Resources", "The template declares no resources; ROS needs at least one."
            )
        )
    for name, resource in resources_.items():
        faults += _resource_faults(name, resource, resources_)
    return faults + _reference_faults(template, parameters, resources_)


def _version_faults(version: Any) -> list[Fault]:
    where = "ROSTemplateFormatVersion"
    if version is None:
        return [Fault("MissingFormatVersion", where, f"{where} is missing; it must be '{FORMAT_VERSION}'.")]
    if str(version) != FORMAT_VERSION:
        return [
            Fault(
                "WrongFormatVersion",
                where,
                f"{where} is {version!r}; the only version is '{FORMAT_VERSION}'.",
            )
        ]
    return []


def _resource_faults(name: str, resource: Any, resources_: dict[str, Any]) -> list[Fault]:
    where = f"Resources.{name}"
    kind = resource.get("Type") if isinstance(resource, dict) else None
    if not isinstance(kind, str) or not kind:
        return [Fault("MissingResourceType", f"{where}.Type", f"Resource {name} has no Type.", (name,))]
    known = known_types().ros
    if kind not in known and not kind.startswith("DATASOURCE::"):
        message = f"Resource {name} has type {kind!r}, which is not a known ROS resource type."
        return [Fault("UnknownResourceType", f"{where}.Type", message, (name, kind))]
    properties = resource.get("Properties") or {}
    faults = [
        Fault(
            "MissingRequiredProperty",
            f"{where}.Properties.{prop}",
            f"Resource {name} ({kind}) lacks the required property {prop}.",
            (name, prop),
        )
        for prop in known.get(kind, ())
        if not isinstance(properties, dict) or properties.get(prop) in (None, "")
    ]
    depends = resource.get("DependsOn", [])
    listed = [depends] if isinstance(depends, str) else depends if isinstance(depends, list) else []
    faults += [
        Fault(
            "DanglingDependsOn",
            f"{where}.DependsOn",
            f"Resource {name} depends on {target!r}, which is not a resource of this template.",
            (name, str(target)),
        )
        for target in listed
        if target not in resources_
    ]
    return faults


def _reference_faults(
    template: dict[str, Any], parameters: dict[str, Any], resources_: dict[str, Any]
) -> list[Fault]:
    referable = set(parameters) | set(resources_) | known_types().ros_pseudo_parameters
    faults: list[Fault] = []
    for section in ("Resources", "Outputs", "Conditions"):
        for path, mapping in mappings(template.get(section), section):
            ref = mapping.get("Ref")
            if isinstance(ref, str) and ref not in referable:
                message = f"{path} refers to {ref!r}, which is neither a parameter nor a resource."
                faults.append(Fault("DanglingRef", path, message, (ref,)))
            target = getatt_target(mapping["Fn::GetAtt"]) if "Fn::GetAtt" in mapping else None
            if target is not None and target not in resources_:
                message = (
                    f"{path} reads an attribute of {target!r}, which is not a resource of this template."
                )
                faults.append(Fault("DanglingGetAtt", path, message, (target,)))
    return faults


# --- Terraform --------------------------------------------------------------------------------------


def _line(line: int) -> str:
    return f"line {line}"


def terraform_faults(doc: HclDocument) -> list[Fault]:
    """Everything wrong with a parsed Terraform file that these checks know how to see."""
    known = known_types()
    faults: list[Fault] = []
    declared = {kind: doc.declared(kind) for kind in ("resource", "data", "variable", "module")}
    uses_alicloud = any(
        block.labels and block.labels[0].startswith("alicloud_")
        for block in doc.blocks
        if block.kind in ("resource", "data")
    )
    if uses_alicloud and ("alicloud",) not in doc.declared("provider"):
        faults.append(
            Fault(
                "MissingProvider",
                _line(1),
                'The file uses alicloud resources but has no provider "alicloud" block.',
            )
        )
    for block in doc.blocks:
        if block.kind not in ("resource", "data") or len(block.labels) != 2:
            continue
        kind, name = block.labels
        if not kind.startswith("alicloud_"):
            continue
        table = known.terraform_resources if block.kind == "resource" else known.terraform_data_sources
        what = "resource type" if block.kind == "resource" else "data source"
        if kind not in table:
            code = "UnknownResourceType" if block.kind == "resource" else "UnknownDataSource"
            faults.append(
                Fault(
                    code,
                    _line(block.open.line),
                    f"{block.kind} {kind!r} {name!r}: {kind!r} is not a known alicloud {what}.",
                    (block.kind, kind, name),
                )
            )
            continue
        for argument in table[kind]:
            if argument not in block.arguments:
                faults.append(
                    Fault(
                        "MissingRequiredArgument",
                        _line(block.open.line),
                        f"{block.kind} {kind!r} {name!r} lacks the required argument {argument}.",
                        (block.kind, kind, name, argument),
                    )
                )
    locals_ = {name for block in doc.of_kind("locals") for name in block.arguments}
    seen: set[tuple[str, ...]] = set()
    for ref in doc.references:
        fault = _reference_fault(ref.parts, declared, locals_, ref.line)
        if fault is not None and fault.subject not in seen:
            seen.add(fault.subject)
            faults.append(fault)
    return faults


def _reference_fault(
    parts: tuple[str, ...], declared: dict[str, set[tuple[str, ...]]], locals_: set[str], line: int
) -> Fault | None:
    text = ".".join(parts[:3])
    root = parts[0]
    if root == "var" and len(parts) > 1 and (parts[1],) not in declared["variable"]:
        return Fault(
            "UndeclaredVariable",
            _line(line),
            f"{text} refers to an undeclared variable.",
            ("variable", parts[1]),
        )
    if root == "local" and len(parts) > 1 and parts[1] not in locals_:
        return Fault(
            "UndeclaredLocal",
            _line(line),
            f"{text} refers to an undeclared local value.",
            ("local", parts[1]),
        )
    if root == "module" and len(parts) > 1 and (parts[1],) not in declared["module"]:
        return Fault(
            "UndeclaredModule", _line(line), f"{text} refers to an undeclared module.", ("module", parts[1])
        )
    if root == "data" and len(parts) > 2 and (parts[1], parts[2]) not in declared["data"]:
        return Fault(
            "UndeclaredDataSource",
            _line(line),
            f"{text} refers to a data source that is not declared.",
            ("data", parts[1], parts[2]),
        )
    if root.startswith("alicloud_") and len(parts) > 1 and (root, parts[1]) not in declared["resource"]:
        return Fault(
            "UndeclaredResource",
            _line(line),
            f"{text} refers to a resource that is not declared.",
            ("resource", root, parts[1]),
        )
    return None


def check(template: Any, template_type: str) -> list[Fault]:
    """The faults of a finished template: a ROS object, or Terraform text."""
    if template_type == ROS:
        return ros_faults(template)
    if not isinstance(template, str):
        return [Fault("NotText", "(template)", "A Terraform template must be HCL text.")]
    try:
        doc = parse(template)
    except HclSyntaxError as exc:
        return [Fault("SyntaxError", _line(exc.line or 1), f"invalid HCL: {exc}")]
    except BoundsError as exc:
        return [Fault("TooComplex", "(template)", str(exc))]
    return terraform_faults(doc)
