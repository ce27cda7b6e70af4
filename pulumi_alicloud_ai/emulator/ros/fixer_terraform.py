"""FixTemplate for Terraform: repair HCL as text, at the token positions python-hcl2's parse tree gives.

Editing the user's text (rather than re-rendering a parsed dict) keeps their layout and comments; every
round re-parses the result, so an edit that broke the syntax could not go unnoticed.

Repairs:

* no ``provider "alicloud"`` block → one is added before the first block, with a ``region`` variable;
* an unknown ``alicloud_*`` resource or data source type one edit away from a known one → renamed,
  together with every reference to it;
* a reference to an undeclared resource, data source, variable, local or module → the one close
  declared name (or the only resource of that type); an undeclared variable with nothing close is
  declared; an undeclared ``alicloud_zones`` data source is declared in its usual form;
* a missing required argument → the only resource of the type it names (``vpc_id`` → the one
  ``alicloud_vpc``), else a new variable for it.

Syntax errors are not guessed at: the task fails naming the line and column python-hcl2 stopped at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pulumi_alicloud_ai.emulator.ros.fixes import Change, FixError, Progress, closest, unresolved
from pulumi_alicloud_ai.templates.hcl import (
    Block,
    Expr,
    HclBlock,
    HclDocument,
    HclSyntaxError,
    Reference,
    Span,
    Value,
    parse,
    render,
)
from pulumi_alicloud_ai.templates.validator import Fault, known_types, terraform_faults

MAX_ROUNDS = 4

# Required arguments that name another resource: the type that provides them (its ``id``).
_PROVIDED_BY = {
    "vpc_id": "alicloud_vpc",
    "vswitch_id": "alicloud_vswitch",
    "security_group_id": "alicloud_security_group",
    "instance_id": "alicloud_instance",
    "allocation_id": "alicloud_eip_address",
}


@dataclass
class Edits:
    """Text edits for one round: replacements at token spans, and blocks to add."""

    replacements: dict[tuple[int, int], str] = field(default_factory=dict)
    append: list[str] = field(default_factory=list)
    new_variables: set[str] = field(default_factory=set)

    def replace(self, span: Span, text: str) -> None:
        """Put ``text`` in place of the token at ``span``."""
        self.replacements[(span.start, span.end)] = text

    def insert(self, position: int, text: str) -> None:
        """Insert ``text`` at ``position`` (several inserts at one place keep their order)."""
        key = (position, position)
        self.replacements[key] = self.replacements.get(key, "") + text

    def variable(self, doc: HclDocument, name: str, description: str, default: str | None = None) -> None:
        """Declare ``variable "name"`` unless the file or this round already does."""
        if (name,) in doc.declared("variable") or name in self.new_variables:
            return
        self.new_variables.add(name)
        attributes: dict[str, Value] = {"description": description}
        if default is not None:
            attributes = {"type": Expr("string"), "default": default, **attributes}
        self.append.append(render([Block("variable", (name,), attributes)]))

    def apply(self, doc: HclDocument) -> str:
        """The text with every edit made."""
        text = doc.text
        for (start, end), replacement in sorted(self.replacements.items(), reverse=True):
            text = text[:start] + replacement + text[end:]
        if self.append:
            text = text.rstrip("\n") + "\n\n" + "\n".join(self.append)
        return text


def _line_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def fix(text: str) -> tuple[str, tuple[Change, ...]]:
    """Repair a Terraform file; :class:`FixError` when it cannot be parsed or made valid."""
    progress = Progress()
    current = text
    for _ in range(MAX_ROUNDS):
        doc = _parse(current, progress)
        faults = terraform_faults(doc)
        edits = Edits()
        repaired = [fault for fault in faults if _REPAIRS.get(fault.code, _none)(doc, fault, edits, progress)]
        if not repaired:
            break
        current = edits.apply(doc)
    remaining = terraform_faults(_parse(current, progress))
    if remaining:
        raise unresolved(remaining, progress.changes)
    return current, tuple(progress.changes)


def _parse(text: str, progress: Progress) -> HclDocument:
    try:
        return parse(text)
    except HclSyntaxError as exc:
        where = f"line {exc.line}, column {exc.column}" if exc.line else "unknown position"
        raise FixError(f"The template is not valid HCL ({where}): {exc}", changes=progress.changes) from None


def _none(doc: HclDocument, fault: Fault, edits: Edits, progress: Progress) -> bool:
    return False


def _provider(doc: HclDocument, fault: Fault, edits: Edits, progress: Progress) -> bool:
    first = min(block.start.start for block in doc.blocks)
    provider = render([Block("provider", ("alicloud",), {"region": Expr("var.region")})])
    edits.insert(_line_start(doc.text, first), provider + "\n")
    edits.variable(doc, "region", "The region to deploy to.", default="cn-hangzhou")
    progress.add(
        fault,
        'Added provider "alicloud" with region = var.region (a region variable is declared if missing).',
    )
    return True


def _rename_type(doc: HclDocument, fault: Fault, edits: Edits, progress: Progress) -> bool:
    block_kind, kind, name = fault.subject
    known = known_types()
    table = known.terraform_resources if block_kind == "resource" else known.terraform_data_sources
    match = closest(kind, table)
    if match is None:
        return False
    block = next(b for b in doc.of_kind(block_kind) if b.labels == (kind, name))
    edits.replace(block.label_spans[0], match)
    for ref in doc.references:
        if block_kind == "resource" and ref.parts[0] == kind:
            edits.replace(ref.spans[0], match)
        elif block_kind == "data" and ref.parts[:2] == ("data", kind):
            edits.replace(ref.spans[1], match)
    progress.add(
        fault, f"{block_kind} type {kind!r} is unknown; it is most likely {match!r} (references renamed too)."
    )
    return True


def _retarget(doc: HclDocument, fault: Fault, edits: Edits, progress: Progress) -> bool:
    """Point references at the declared name they most plausibly meant."""
    namespace, *missing = fault.subject
    wanted = tuple(missing)
    offset = 0 if namespace == "resource" else 1  # where the referenced name starts in a traversal
    refs = [
        ref
        for ref in doc.references
        if ref.parts[offset : offset + len(wanted)] == wanted
        and (namespace == "resource" or ref.parts[0] == _ROOT[namespace])
    ]
    target = _meant(doc, namespace, wanted, refs)
    if target is None:
        return _declare(doc, fault, edits, progress)
    for ref in refs:
        for index, (old, new) in enumerate(zip(wanted, target, strict=True)):
            if old != new:
                edits.replace(ref.spans[offset + index], new)
    was, now = ".".join(wanted), ".".join(target)
    progress.add(fault, f"References to the undeclared {namespace} {was} now use the declared {now}.")
    return True


def _meant(
    doc: HclDocument, namespace: str, wanted: tuple[str, ...], refs: list[Reference]
) -> tuple[str, ...] | None:
    """The one declared name close to ``wanted`` (or the only one of its type), never the block that
    holds the reference itself: pointing a resource at itself would make a cycle."""
    declared: list[tuple[str, ...]]
    if namespace == "local":
        declared = [(name,) for block in doc.of_kind("locals") for name in block.arguments]
    else:
        holders = {
            block.labels
            for block in doc.of_kind(namespace)
            if any(block.start.start <= ref.spans[0].start <= block.close.end for ref in refs)
        }
        declared = sorted(doc.declared(namespace) - holders)
    dotted = {".".join(labels): labels for labels in declared if len(labels) == len(wanted)}
    match = closest(".".join(wanted), dotted)
    if match is not None:
        return dotted[match]
    same_type = [labels for labels in declared if len(wanted) == 2 and labels[0] == wanted[0]]
    return same_type[0] if len(same_type) == 1 else None


_ROOT = {"data": "data", "variable": "var", "local": "local", "module": "module"}


def _declare(doc: HclDocument, fault: Fault, edits: Edits, progress: Progress) -> bool:
    namespace, *missing = fault.subject
    if namespace == "variable":
        edits.variable(doc, missing[0], "Added by FixTemplate: referenced but not declared.")
        progress.add(
            fault, f"var.{missing[0]} was used but not declared; variable {missing[0]!r} is now declared."
        )
        return True
    if namespace == "data" and missing[0] == "alicloud_zones":
        zones = Block("data", ("alicloud_zones", missing[1]), {"available_resource_creation": "VSwitch"})
        edits.append.append(render([zones]))
        progress.add(
            fault,
            f"data.alicloud_zones.{missing[1]} was used but not declared; it is now declared (zones that offer vSwitches).",
        )
        return True
    return False


def _required_argument(doc: HclDocument, fault: Fault, edits: Edits, progress: Progress) -> bool:
    block_kind, kind, name, argument = fault.subject
    block = next(b for b in doc.of_kind(block_kind) if b.labels == (kind, name))
    provider = _PROVIDED_BY.get(argument)
    candidates = [labels for labels in sorted(doc.declared("resource")) if provider and labels[0] == provider]
    if len(candidates) == 1:
        expression = f"{candidates[0][0]}.{candidates[0][1]}.id"
        why = f"the file's only {provider}"
    else:
        variable = f"{name}_{argument}"
        edits.variable(doc, variable, f"Added by FixTemplate: {kind} requires {argument}.")
        expression, why = f"var.{variable}", f"a new variable {variable!r}"
    _insert_argument(doc.text, block, f"{argument} = {expression}", edits)
    progress.add(fault, f"{kind}.{name} lacked the required argument {argument}; set to {why}.")
    return True


def _insert_argument(text: str, block: HclBlock, line: str, edits: Edits) -> None:
    start = _line_start(text, block.close.start)
    before = text[start : block.close.start]
    if before.strip():  # the closing brace shares its line with content: ``resource "a" "b" {}``
        edits.insert(block.close.start, f"\n  {line}\n")
    else:
        edits.insert(start, f"{before}  {line}\n")


_REPAIRS: dict[str, Callable[[HclDocument, Fault, Edits, Progress], bool]] = {
    "MissingProvider": _provider,
    "UnknownResourceType": _rename_type,
    "UnknownDataSource": _rename_type,
    "UndeclaredResource": _retarget,
    "UndeclaredDataSource": _retarget,
    "UndeclaredVariable": _retarget,
    "UndeclaredLocal": _retarget,
    "UndeclaredModule": _retarget,
    "MissingRequiredArgument": _required_argument,
}
