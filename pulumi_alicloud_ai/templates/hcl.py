"""HCL for Terraform templates: a writer for generated files and an index of parsed ones.

Parsing is python-hcl2's grammar, read within ``_bounded.TEMPLATE_BOUNDS`` (so a deeply nested file is
refused before the recursive index below walks it). Its lark parse tree keeps each token's offset in
the source, so the index records where every block label, attribute and reference sits: the fixer then
edits the user's text in place (their layout and comments stay) instead of re-rendering the whole file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

from pulumi_alicloud_ai._bounded import TEMPLATE_BOUNDS, parse_hcl

# --- writing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """An HCL expression written verbatim (``alicloud_vpc.main.id``), not as a quoted string."""

    text: str


Value = str | int | float | bool | Expr | list["Value"] | dict[str, "Value"]


@dataclass
class Block:
    """A block to write: ``kind "label" … { attributes, nested blocks }``."""

    kind: str
    labels: tuple[str, ...] = ()
    attributes: dict[str, Value] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)


def quote(text: str) -> str:
    """An HCL string literal; ``${`` and ``%{`` are escaped so no template is started by accident."""
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    return '"' + body.replace("${", "$${").replace("%{", "%%{") + '"'


def _key(name: str) -> str:
    return (
        name if name.replace("_", "a").replace("-", "a").isalnum() and not name[0].isdigit() else quote(name)
    )


def value(item: Value, indent: int = 0) -> str:
    """One value as HCL; maps go over several lines, lists stay on one."""
    if isinstance(item, Expr):
        return item.text
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int | float):
        return repr(item)
    if isinstance(item, str):
        return quote(item)
    if isinstance(item, list):
        return "[" + ", ".join(value(element, indent) for element in item) + "]"
    if not item:
        return "{}"
    pad = "  " * (indent + 1)
    width = max(len(_key(name)) for name in item)
    lines = [
        f"{pad}{_key(name).ljust(width)} = {value(element, indent + 1)}" for name, element in item.items()
    ]
    return "{\n" + "\n".join(lines) + "\n" + "  " * indent + "}"


def _block(block: Block, indent: int) -> list[str]:
    pad = "  " * indent
    head = " ".join([block.kind, *(quote(label) for label in block.labels)])
    lines = [f"{pad}{head} {{"]
    if block.attributes:
        width = max(len(name) for name in block.attributes)
        lines += [
            f"{pad}  {name.ljust(width)} = {value(item, indent + 1)}"
            for name, item in block.attributes.items()
        ]
    for index, nested in enumerate(block.blocks):
        if block.attributes or index:
            lines.append("")
        lines += _block(nested, indent + 1)
    lines.append(f"{pad}}}")
    return lines


def render(blocks: Sequence[Block]) -> str:
    """Blocks as a Terraform file, one blank line between them, formatted as ``terraform fmt`` would."""
    return "\n\n".join("\n".join(_block(block, 0)) for block in blocks) + "\n"


# --- reading ----------------------------------------------------------------------------------------


class HclSyntaxError(ValueError):
    """The text is not valid HCL; ``line``/``column`` say where the parser stopped (1-based)."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Span:
    """Where a token sits in the source: ``text[start:end]``, on ``line`` (1-based)."""

    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Reference:
    """A traversal such as ``alicloud_vpc.main.id`` (its static part; an index ends it)."""

    parts: tuple[str, ...]
    spans: tuple[Span, ...]

    @property
    def line(self) -> int:
        """The line of the traversal's first name."""
        return self.spans[0].line


@dataclass(frozen=True)
class HclBlock:
    """A top-level block: its kind, labels, direct arguments and where its closing brace is."""

    kind: str
    labels: tuple[str, ...]
    label_spans: tuple[Span, ...]
    arguments: frozenset[str]
    """Attribute names and nested block kinds written directly in the block's body."""
    start: Span
    """The block's first token (its kind)."""
    open: Span
    close: Span


@dataclass(frozen=True)
class HclDocument:
    """What the checks need from a Terraform file."""

    text: str
    blocks: tuple[HclBlock, ...]
    references: tuple[Reference, ...]

    def of_kind(self, kind: str) -> Iterator[HclBlock]:
        """Top-level blocks of one kind (``resource``, ``data``, ``variable`` …)."""
        return (block for block in self.blocks if block.kind == kind)

    def declared(self, kind: str) -> set[tuple[str, ...]]:
        """The label tuples of every block of ``kind``."""
        return {block.labels for block in self.of_kind(kind)}


def _span(token: Token) -> Span:
    assert token.start_pos is not None
    assert token.end_pos is not None
    assert token.line is not None
    return Span(token.start_pos, token.end_pos, token.line)


def _name(node: Tree[Token]) -> Token:
    """The NAME token of an ``identifier`` subtree."""
    token = node.children[0]
    assert isinstance(token, Token)
    return token


def _chain(node: Tree[Token] | Token) -> list[Token] | None:
    """The names of a traversal rooted at a variable, or None when ``node`` is not one."""
    if not isinstance(node, Tree):
        return None
    kids = [child for child in node.children if child is not None]
    if node.data == "expr_term" and len(kids) == 1:
        only = kids[0]
        if isinstance(only, Tree) and only.data == "identifier":
            return [_name(only)]
        return _chain(only)
    if node.data == "get_attr_expr_term" and len(kids) == 2:
        base = _chain(kids[0])
        attr = kids[1]
        if base is None or not isinstance(attr, Tree):
            return None
        names = [child for child in attr.children if isinstance(child, Tree) and child.data == "identifier"]
        return [*base, _name(names[0])] if names else base
    if node.data in ("index_expr_term", "attr_splat_expr_term", "full_splat_expr_term") and kids:
        return _chain(kids[0])
    return None


def _references(node: Tree[Token] | Token, found: dict[int, Reference]) -> None:
    if not isinstance(node, Tree) or node.data == "object_elem_key":  # ``{ name = … }`` keys are not reads
        return
    chain = _chain(node)
    if chain is not None:
        spans = tuple(_span(token) for token in chain)
        found.setdefault(spans[0].start, Reference(tuple(str(token) for token in chain), spans))
        # Index expressions inside the traversal (``a[var.i]``) hold references of their own.
        for sub in node.iter_subtrees():
            if sub.data == "braces_index":
                for child in sub.children:
                    _references(child, found)
        return
    for child in node.children:
        if child is not None:
            _references(child, found)


def _string_label(node: Tree[Token]) -> tuple[str, Span] | None:
    parts = [
        child.children[0]
        for child in node.children
        if isinstance(child, Tree) and child.data == "string_part" and isinstance(child.children[0], Token)
    ]
    if len(parts) != 1:
        return None
    token = parts[0]
    assert isinstance(token, Token)
    return str(token), _span(token)


def _index_block(node: Tree[Token]) -> HclBlock:
    kind = ""
    start: Span | None = None
    labels: list[str] = []
    spans: list[Span] = []
    arguments: set[str] = set()
    braces: list[Span] = []
    for child in node.children:
        if isinstance(child, Token):
            if child.type in ("LBRACE", "RBRACE"):
                braces.append(_span(child))
        elif child.data == "identifier":
            if kind:
                labels.append(str(_name(child)))
                spans.append(_span(_name(child)))
            else:
                kind, start = str(_name(child)), _span(_name(child))
        elif child.data == "string":
            label = _string_label(child)
            if label is not None:
                labels.append(label[0])
                spans.append(label[1])
        elif child.data == "body":
            for item in child.children:
                if isinstance(item, Tree) and item.data in ("attribute", "block"):
                    first = item.children[0]
                    if isinstance(first, Tree) and first.data == "identifier":
                        arguments.add(str(_name(first)))
    assert start is not None
    return HclBlock(kind, tuple(labels), tuple(spans), frozenset(arguments), start, braces[0], braces[-1])


def parse(text: str) -> HclDocument:
    """Index a Terraform file; :class:`HclSyntaxError` names the line python-hcl2 stopped at, and
    :class:`~pulumi_alicloud_ai._bounded.BoundsError` refuses a file past the parser's bounds."""
    try:
        tree = parse_hcl(text, TEMPLATE_BOUNDS, what="The template")
    except UnexpectedInput as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HclSyntaxError(first, exc.line, exc.column) from None
    except LarkError as exc:  # pragma: no cover - the grammar reports every error as UnexpectedInput
        raise HclSyntaxError(str(exc)) from None
    body = next((child for child in tree.children if isinstance(child, Tree) and child.data == "body"), None)
    blocks = tuple(
        _index_block(child)
        for child in (body.children if body is not None else [])
        if isinstance(child, Tree) and child.data == "block"
    )
    found: dict[int, Reference] = {}
    _references(tree, found)
    return HclDocument(text, blocks, tuple(found[start] for start in sorted(found)))
