"""Bounded parsing: JSON, YAML and HCL read with limits on size, nesting and alias expansion.

Every parser that reads text a caller controls goes through here, on both sides of the wire: the
emulator (request bodies, ``TemplateConfig``, ``UserData``, ROS templates, the admin API) and the client
and providers (inputs given as text, answers from a server). Each side passes its own :class:`Bounds`.
A limit reached raises :class:`BoundsError` (a ``ValueError``) naming the limit, before the work grows
with it:

* **size**: the text's UTF-8 length, checked first;
* **depth**: nesting of arrays and objects (JSON), sequences and mappings (YAML), brackets, braces,
  parentheses and interpolations (HCL), and of Python values already built. It is measured while
  reading, before anything recursive runs, so 100,000 ``[`` cost one scan and never a RecursionError;
* **aliases** (YAML): how many ``*alias`` references a document makes, and its size with every alias
  expanded (200 bytes of nested aliases can name half a million nodes, which grow into megabytes once
  stored or sent as JSON). An alias to a node that contains it, a cycle, is refused outright.

YAML and HCL are imported on first use, so importing this module stays cheap for programs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml
    from lark import Tree

__all__ = [
    "DEFAULT_BOUNDS",
    "TEMPLATE_BOUNDS",
    "Bounds",
    "BoundsError",
    "check_depth",
    "load_json",
    "load_yaml",
    "parse_hcl",
]


@dataclass(frozen=True)
class Bounds:
    """How much one document may ask of a parser."""

    max_bytes: int = 2 * 1024 * 1024
    """UTF-8 length of the text."""
    max_depth: int = 64
    """Nesting of containers: ``[]`` is 1, ``[[]]`` is 2, a scalar 0."""
    max_aliases: int = 100
    """YAML ``*alias`` references in one document."""
    max_expanded: int = 1024 * 1024
    """YAML: the document's size with every alias expanded, counted as one per node plus the length of
    each scalar (about the characters it takes as JSON)."""


DEFAULT_BOUNDS = Bounds()
TEMPLATE_BOUNDS = Bounds(max_bytes=1024 * 1024)
"""ROS templates (JSON, YAML) and Terraform files (HCL): the services' own size rules (512 KiB) are
checked before parsing, by each side; this is the parser's backstop."""

_HCL_TREE_LEVELS = 4
"""Parse-tree levels one HCL nesting can add (an interpolation adds four, an object three); operator and
attribute chains (``a.b.c…``, ``1+1+…``) nest the tree without brackets, so the tree is measured too."""


class BoundsError(ValueError):
    """A document beyond one of its :class:`Bounds`.

    :ivar bound: which limit: ``size``, ``depth``, ``aliases``, ``expansion`` or ``cycle``.
    """

    def __init__(self, message: str, bound: str) -> None:
        super().__init__(message)
        self.bound = bound


def _check_size(text: str | bytes, bounds: Bounds, what: str) -> None:
    if isinstance(text, str) and len(text) * 4 <= bounds.max_bytes:
        return  # at most 4 bytes a character: no need to encode
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > bounds.max_bytes:
        raise BoundsError(f"{what} is {size} bytes; at most {bounds.max_bytes} are accepted", "size")


def _too_deep(what: str, bounds: Bounds) -> BoundsError:
    return BoundsError(f"{what} nests deeper than {bounds.max_depth} levels", "depth")


# --- JSON -------------------------------------------------------------------------------------------

# A JSON string (escapes included) or one bracket. ``json.loads`` reads strings the same way, so on any
# prefix it accepts, this scan sees the same nesting; beyond that prefix ``json.loads`` fails anyway.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def _json_nesting_over(text: str, limit: int) -> bool:
    if text.count("[") + text.count("{") <= limit:
        return False  # the common case: too few brackets to nest that deep
    depth = 0
    for found in _JSON_TOKEN.finditer(text):
        char = text[found.start()]
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


_MAX_INT_DIGITS = 18


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"the number {text[:20]}... has more than {_MAX_INT_DIGITS} digits")
    return int(text)


def load_json(
    data: str | bytes, bounds: Bounds = DEFAULT_BOUNDS, *, what: str = "the JSON", finite: bool = False
) -> Any:
    """``json.loads`` within ``bounds``: :class:`BoundsError` past a limit, ``ValueError`` for bad JSON
    (bytes are decoded as ``json.loads`` does: UTF-8, or UTF-16/32 when the bytes say so).

    ``finite`` also refuses what ``json.loads`` reads beyond standard JSON or a float: ``NaN``,
    ``Infinity``, numbers that overflow to infinity (``1e400``) and integers of more than 18 digits,
    for input that is stored and read back (a non-finite number breaks every later JSON answer)."""
    _check_size(data, bounds, what)
    text = data.decode(json.detect_encoding(data), "surrogatepass") if isinstance(data, bytes) else data
    if _json_nesting_over(text, bounds.max_depth):
        raise _too_deep(what, bounds)
    if finite:
        return json.loads(
            text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_bounded_int
        )
    return json.loads(text)


# --- Python values ----------------------------------------------------------------------------------


def check_depth(value: Any, bounds: Bounds = DEFAULT_BOUNDS, *, what: str = "the value") -> None:
    """Refuse a built value (dicts, lists, tuples) nested deeper than ``bounds.max_depth``.

    Iterative, so any depth is measured safely; a value reached twice (shared, or a cycle) is walked
    again only when reached deeper than before, which keeps the walk finite.
    """
    deepest: dict[int, int] = {}
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > bounds.max_depth:
            raise _too_deep(what, bounds)
        if deepest.get(id(item), 0) >= depth:
            continue
        deepest[id(item)] = depth
        stack.extend((child, depth + 1) for child in children)


# --- YAML -------------------------------------------------------------------------------------------


def _composer_class() -> type[Any]:
    import yaml

    class BoundedComposer(yaml.composer.Composer):
        """Composes nodes while counting depth, aliases and expanded size (before any construction)."""

        bounds: Bounds = DEFAULT_BOUNDS
        what: str = "the YAML"
        peek_event: Callable[[], yaml.Event]  # from the parser this is mixed with
        # The libyaml parser class brings its own (unbounded, C-recursive) composer: use this one.
        check_node = yaml.composer.Composer.check_node
        get_node = yaml.composer.Composer.get_node
        get_single_node = yaml.composer.Composer.get_single_node

        def _start_counting(self) -> None:
            self._depth = 0
            self._aliases = 0
            self._expanded = 0
            self._open: set[str] = set()
            self._sizes: dict[str, int] = {}

        def _grow(self, size: int) -> None:
            self._expanded += size
            if self._expanded > self.bounds.max_expanded:
                raise BoundsError(
                    f"{self.what} expands to more than {self.bounds.max_expanded} characters once its "
                    "aliases are resolved",
                    "expansion",
                )

        def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                alias = str(event.anchor)
                if alias in self._open:
                    raise BoundsError(f"{self.what} has an alias *{alias} inside its own anchor", "cycle")
                self._aliases += 1
                if self._aliases > self.bounds.max_aliases:
                    raise BoundsError(
                        f"{self.what} uses more than {self.bounds.max_aliases} aliases", "aliases"
                    )
                self._grow(self._sizes.get(alias, 1))
                return super().compose_node(parent, index)
            anchor: str | None = getattr(event, "anchor", None)
            started = self._expanded
            self._grow(1 + len(event.value) if isinstance(event, yaml.ScalarEvent) else 1)
            nests = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
            if nests:
                self._depth += 1
                if self._depth > self.bounds.max_depth:
                    raise _too_deep(self.what, self.bounds)
            if anchor is not None:
                self._open.add(anchor)
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= nests
            if anchor is not None:
                self._open.discard(anchor)
                self._sizes[anchor] = self._expanded - started
            return node

    return BoundedComposer


_LOADERS: dict[tuple[type[Any], Bounds, str, bool], type[Any]] = {}


def _bounded_loader(
    base: type[yaml.SafeLoader], bounds: Bounds, what: str, *, fast: bool
) -> type[yaml.SafeLoader]:
    """``base`` (a SafeLoader subclass: its tags and resolvers) with the bounded composer, made once.

    ``fast`` takes events from libyaml when it is installed: several times faster than the pure-Python
    scanner (libyaml's own composer, which recurses in C without bounds, is not used).
    """
    key = (base, bounds, what, fast)
    if key not in _LOADERS:
        _LOADERS[key] = _make_loader(base, bounds, what, fast=fast)
    return _LOADERS[key]


def _make_loader(
    base: type[yaml.SafeLoader], bounds: Bounds, what: str, *, fast: bool
) -> type[yaml.SafeLoader]:
    import yaml

    composer = _composer_class()
    attributes: dict[str, Any] = {"bounds": bounds, "what": what}
    try:
        from yaml.cyaml import CParser  # type: ignore[attr-defined]  # the stubs leave it out of __all__
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        fast = False
    if not fast:

        def plain_init(self: Any, stream: str) -> None:
            base.__init__(self, stream)
            self._start_counting()

        return type(f"Bounded{base.__name__}", (composer, base), {**attributes, "__init__": plain_init})

    def c_init(self: Any, stream: str) -> None:
        CParser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._start_counting()

    return type(f"FastBounded{base.__name__}", (composer, CParser, base), {**attributes, "__init__": c_init})


def load_yaml(
    text: str,
    loader: type[yaml.SafeLoader] | None = None,
    bounds: Bounds = DEFAULT_BOUNDS,
    *,
    what: str = "the YAML",
) -> Any:
    """``yaml.load`` with ``loader`` (default ``yaml.SafeLoader``) within ``bounds``.

    :class:`BoundsError` past a limit; PyYAML's ``YAMLError`` for text that is not YAML.
    """
    import yaml

    _check_size(text, bounds, what)
    base = loader or yaml.SafeLoader
    try:
        try:
            return yaml.load(text, Loader=_bounded_loader(base, bounds, what, fast=True))  # noqa: S506 - a SafeLoader
        except UnicodeEncodeError:  # lone surrogates: libyaml reads UTF-8 only; PyYAML's reader names them
            return yaml.load(text, Loader=_bounded_loader(base, bounds, what, fast=False))  # noqa: S506
    except yaml.MarkedYAMLError as exc:
        # libyaml scans flow collections ahead and stops at its own limit (1000) before this composer
        # sees the 65th level: the same bound, reached first.
        if "maximum nesting depth" in str(exc.problem):
            raise _too_deep(what, bounds) from None
        raise


# --- HCL --------------------------------------------------------------------------------------------

_HCL_OPENERS = frozenset({"LSQB", "LBRACE", "LPAR", "INTERP_START", "DIRECTIVE_START"})
_HCL_CLOSERS = frozenset({"RSQB", "RBRACE", "RPAR"})


def parse_hcl(text: str, bounds: Bounds = DEFAULT_BOUNDS, *, what: str = "the HCL") -> Tree[Any]:
    """python-hcl2's lark parse tree of ``text``, within ``bounds``.

    Nesting is counted token by token as the parser reads, so a deep document is refused at the first
    token past the limit; the finished tree is then measured too (chains nest without brackets).
    :class:`BoundsError` past a limit; lark's ``UnexpectedInput`` for text that is not HCL.
    """
    from hcl2.parser import parser

    _check_size(text, bounds, what)
    interactive = parser().parse_interactive(text + "\n")  # python-hcl2 appends the newline too
    depth = 0
    for token in interactive.iter_parse():
        if token.type in _HCL_OPENERS:
            depth += 1
            if depth > bounds.max_depth:
                raise _too_deep(what, bounds)
        elif token.type in _HCL_CLOSERS:
            depth -= 1
    tree: Tree[Any] = interactive.feed_eof()  # type: ignore[no-untyped-call]  # lark leaves it untyped
    _check_tree(tree, bounds, what)
    return tree


def _check_tree(tree: Tree[Any], bounds: Bounds, what: str) -> None:
    from lark import Tree

    limit = bounds.max_depth * _HCL_TREE_LEVELS + 8
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise _too_deep(what, bounds)
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
