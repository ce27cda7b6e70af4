"""A pytest plugin for mutation runs: during mutmut's stats pass, count the functions child processes
reached (written by ``sitecustomize`` to ``MUTATION_HITS``) as reached by the test that started them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Before mutmut files this test's calls: add the children's, and start the file afresh."""
    hits = os.environ.get("MUTATION_HITS")
    if os.environ.get("MUTANT_UNDER_TEST") != "stats" or not hits or not Path(hits).exists():
        return
    from mutmut.state import state

    path = Path(hits)
    names = path.read_text(encoding="utf-8").split()
    path.write_text("", encoding="utf-8")
    # A new turn: children that outlive this test report again what the next one reaches.
    Path(hits + ".test").write_text(item.nodeid, encoding="utf-8")
    state()._stats.update(names)
