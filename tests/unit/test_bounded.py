"""The bounded parser: every document past a bound is refused before it is built, never with a
RecursionError, and every document within the bounds reads as the plain parser reads it."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput

from pulumi_alicloud_ai._bounded import (
    DEFAULT_BOUNDS,
    Bounds,
    BoundsError,
    check_depth,
    load_json,
    load_yaml,
    parse_hcl,
)
from tests.deep_documents import billion_laughs, nested

DEEP = 100_000
"""Far past Python's recursion limit: a parser that recurses per level dies on it."""
LIMIT = DEFAULT_BOUNDS.max_depth


class TestJson:
    @pytest.mark.parametrize(
        "text",
        [
            "[" * DEEP + "]" * DEEP,
            '{"a":' * DEEP + "1" + "}" * DEEP,
            '[{"a":' * (DEEP // 2) + "1" + "}]" * (DEEP // 2),
            "[" * DEEP,  # never closed: refused for depth, not read to the end
            '{"Config": ' + "[" * (LIMIT + 1) + "]" * (LIMIT + 1) + "}",
        ],
        ids=["arrays", "objects", "mixed", "unclosed", "one-past-the-limit"],
    )
    def test_deep_documents_are_refused_naming_the_depth(self, text: str) -> None:
        """Nesting past the limit is a BoundsError naming it, for str and bytes alike."""
        for data in (text, text.encode()):
            with pytest.raises(BoundsError, match=f"nests deeper than {LIMIT} levels") as info:
                load_json(data, what="The body")
            assert info.value.bound == "depth"
            assert str(info.value).startswith("The body")

    def test_at_the_limit_reads_as_json_loads_does(self) -> None:
        """Exactly the limit is accepted, and the value is the plain parser's."""
        text = '{"a": ' + "[" * (LIMIT - 1) + "1" + "]" * (LIMIT - 1) + "}"
        assert load_json(text) == json.loads(text)

    @pytest.mark.parametrize(
        "text",
        [
            json.dumps({"s": "[" * 5000, "t": "{" * 5000}),
            json.dumps({"s": '\\"[[[[' * 1000}),
            json.dumps(["]" * 300, "[" * 300]),
        ],
        ids=["brackets-in-strings", "escaped-quotes", "closers-before-openers"],
    )
    def test_brackets_inside_strings_do_not_count(self, text: str) -> None:
        """Only structure nests: strings full of brackets (and escaped quotes) are shallow."""
        assert load_json(text) == json.loads(text)

    def test_closers_in_a_string_cannot_hide_real_nesting(self) -> None:
        """A string of ``]`` before deep nesting does not lower the measured depth."""
        text = '["' + "]" * 500 + '", ' + "[" * DEEP + "]" * DEEP + "]"
        with pytest.raises(BoundsError):
            load_json(text)

    def test_utf16_bytes_are_read_as_json_loads_reads_them(self) -> None:
        """Bytes are decoded as json.loads decodes them (UTF-16/32 detected)."""
        assert load_json('{"a": [1]}'.encode("utf-16")) == {"a": [1]}

    def test_size_is_checked_first(self) -> None:
        """A document over max_bytes is refused without being read."""
        with pytest.raises(BoundsError, match="is 12 bytes; at most 10") as info:
            load_json('"' + "é" * 5 + '"', Bounds(max_bytes=10))
        assert info.value.bound == "size"

    def test_bad_json_is_still_a_plain_value_error(self) -> None:
        """Syntax errors keep json's own error (callers tell them apart from bounds)."""
        with pytest.raises(json.JSONDecodeError):
            load_json('{"a": ')


class TestValues:
    @pytest.mark.parametrize(
        "value",
        [
            nested(DEEP - 1, []),
            {"a": nested(LIMIT - 1, [])},
            {"user_data": {"Extend": {"k": nested(LIMIT - 1, [])}}},
            tuple(nested(LIMIT, [])),
        ],
        ids=["list", "dict-holding-list", "three-dicts-deep", "tuple"],
    )
    def test_deep_values_are_refused(self, value: Any) -> None:
        """A built value past the limit is refused, at any depth, without recursion."""
        with pytest.raises(BoundsError, match="nests deeper than"):
            check_depth(value, what="config")

    def test_cycles_are_refused(self) -> None:
        """A list that contains itself is infinitely deep."""
        cycle: list[Any] = []
        cycle.append(cycle)
        with pytest.raises(BoundsError):
            check_depth({"a": cycle})

    def test_wide_shared_values_are_walked_once(self) -> None:
        """A value shared a million times over (a DAG) is measured by depth, not by paths."""
        shared: list[Any] = [1]
        for _ in range(LIMIT - 1):
            shared = [shared, shared, shared]
        check_depth(shared)

    def test_scalars_and_shallow_values_pass(self) -> None:
        """Depth counts containers only."""
        check_depth("x" * 10_000)
        check_depth({"a": [1, {"b": None}], "c": nested(LIMIT - 2, [])})


class TestYaml:
    @pytest.mark.parametrize("levels", [5, 8])
    def test_billion_laughs_is_refused_by_expansion(self, levels: int) -> None:
        """A few hundred bytes naming millions of nodes are refused while composing."""
        text = billion_laughs(levels)
        assert len(text) < 500
        with pytest.raises(BoundsError, match="once its aliases are resolved") as info:
            load_yaml(text, what="The template")
        assert info.value.bound == "expansion"

    def test_mapping_bomb_and_merge_keys_are_counted(self) -> None:
        """Aliases reached through mappings and ``<<`` merge keys count their expansion too."""
        lines = ["m0: &m0 {" + ", ".join(f"k{i}: {'v' * 50}" for i in range(10)) + "}"]
        lines += [
            f"m{level}: &m{level} {{" + ", ".join(f"k{i}: *m{level - 1}" for i in range(10)) + "}"
            for level in range(1, 6)
        ]
        lines.append("merged:\n  <<: *m5\n  extra: 1")
        with pytest.raises(BoundsError, match="once its aliases are resolved"):
            load_yaml("\n".join(lines) + "\n")

    def test_a_large_scalar_aliased_many_times_is_counted_by_length(self) -> None:
        """Fifty aliases of a 100 KB string expand to 5 MB: refused, though few nodes."""
        text = "big: &big " + "x" * 100_000 + "\nuses: [" + ", ".join(["*big"] * 50) + "]\n"
        with pytest.raises(BoundsError, match="once its aliases are resolved"):
            load_yaml(text)

    def test_too_many_aliases_are_refused(self) -> None:
        """More than max_aliases references, however small each is."""
        text = "a: &a 1\nb: [" + ", ".join(["*a"] * (DEFAULT_BOUNDS.max_aliases + 1)) + "]\n"
        with pytest.raises(BoundsError, match=f"more than {DEFAULT_BOUNDS.max_aliases} aliases") as info:
            load_yaml(text)
        assert info.value.bound == "aliases"

    @pytest.mark.parametrize(
        "text",
        ["a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a\n  b: {c: [*a]}\n", "a: &a\n  <<: *a\n"],
        ids=["list", "mapping", "nested", "merge-into-itself"],
    )
    def test_alias_cycles_are_refused(self, text: str) -> None:
        """An alias inside its own anchor would build a value that contains itself."""
        with pytest.raises(BoundsError, match="inside its own anchor") as info:
            load_yaml(text)
        assert info.value.bound == "cycle"

    @pytest.mark.parametrize(
        "text",
        [
            "[" * DEEP + "]" * DEEP,
            "a:\n"
            + "".join("  " * level + "- \n" for level in range(1, LIMIT + 2))
            + "  " * (LIMIT + 2)
            + "x\n",
            "{a: " * (LIMIT + 1) + "1" + "}" * (LIMIT + 1),
        ],
        ids=["flow-sequences", "block-sequences", "flow-mappings"],
    )
    def test_deep_documents_are_refused(self, text: str) -> None:
        """Nesting past the limit, in flow or block style, is refused while composing."""
        with pytest.raises(BoundsError, match="nests deeper than"):
            load_yaml(text)

    def test_ordinary_aliases_read_as_safe_load_does(self) -> None:
        """Anchors, aliases and merge keys within the bounds give PyYAML's own value."""
        text = billion_laughs(2) + "base: &base {x: 1, y: [1, 2]}\nderived:\n  <<: *base\n  z: 3\n"
        assert load_yaml(text) == yaml.safe_load(text)

    @pytest.mark.parametrize("text", ["a: \ud800", "\x00", "a: [\x07]"])
    def test_characters_yaml_refuses_are_yaml_errors(self, text: str) -> None:
        """Lone surrogates and control characters are PyYAML's reader errors, as before."""
        with pytest.raises(yaml.YAMLError, match="unacceptable character"):
            load_yaml(text)

    def test_syntax_errors_keep_their_line(self) -> None:
        """Text that is not YAML raises PyYAML's error with its mark."""
        with pytest.raises(yaml.MarkedYAMLError) as info:
            load_yaml("a: 1\nb: [\n")
        assert info.value.problem_mark is not None


class TestHcl:
    @pytest.mark.parametrize(
        "text",
        [
            "a = " + "[" * DEEP + "]" * DEEP,
            "a = " + "{b = " * (LIMIT + 1) + "1" + "}" * (LIMIT + 1),
            "a = " + "(" * (LIMIT + 1) + "1" + ")" * (LIMIT + 1),
            "a = " + "f(" * (LIMIT + 1) + "1" + ")" * (LIMIT + 1),
            "a = " + '"${' * (LIMIT + 1) + "x" + '}"' * (LIMIT + 1),
            "".join("b {\n" for _ in range(LIMIT + 1)) + "}\n" * (LIMIT + 1),
        ],
        ids=["lists", "objects", "parentheses", "calls", "interpolations", "blocks"],
    )
    def test_bracket_nesting_is_refused_while_reading(self, text: str) -> None:
        """Every kind of bracket counts, and a deep file is refused at the first token past the limit."""
        with pytest.raises(BoundsError, match="nests deeper than") as info:
            parse_hcl(text + "\n", what="The template")
        assert info.value.bound == "depth"

    @pytest.mark.parametrize(
        "text",
        [
            "a = x" + ".y" * 5000,
            "a = " + " + ".join(["1"] * 5000),
            "a = " + "c ? 1 : " * 5000 + "2",
            "a = x" + "[0]" * 5000,
        ],
        ids=["attribute-chain", "operator-chain", "conditional-chain", "index-chain"],
    )
    def test_chains_that_nest_the_tree_without_brackets_are_refused(self, text: str) -> None:
        """``a.b.c…`` and ``1+1+…`` nest the parse tree as deep as brackets do: refused too."""
        with pytest.raises(BoundsError, match="nests deeper than"):
            parse_hcl(text + "\n")

    def test_an_ordinary_file_gives_python_hcl2s_tree(self) -> None:
        """Within the bounds, the tree is the one python-hcl2 builds."""
        import hcl2

        text = 'resource "alicloud_vpc" "v" {\n  tags = { a = "${var.x[0]}" }\n  n = (1 + 2) * 3\n}\n'
        assert parse_hcl(text) == hcl2.parses_to_tree(text)

    def test_syntax_errors_are_lark_errors(self) -> None:
        """Text that is not HCL raises lark's error with its line."""
        with pytest.raises(UnexpectedInput):
            parse_hcl('resource "a" "b" {\n  x = \n}\n')


STRUCTURE = st.text(alphabet="[]{}(),:&*!\"'\\-#=.$%\n ax1", max_size=300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STRUCTURE)
def test_any_text_gives_a_value_or_a_parser_error(text: str) -> None:
    """Whatever the text, each parser returns a value or raises its own error or BoundsError: never a
    RecursionError, an unrelated exception or a hang."""
    from lark.exceptions import LarkError

    with contextlib.suppress(BoundsError, ValueError):
        load_json(text)
    with contextlib.suppress(BoundsError, yaml.YAMLError):
        load_yaml(text)
    with contextlib.suppress(BoundsError, LarkError):
        parse_hcl(text)
