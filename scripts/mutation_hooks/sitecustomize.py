"""Run at the start of every Python process of a mutation run (``scripts/mutation`` puts this folder on
``PYTHONPATH``).

mutmut learns which tests reach which function by recording calls in the pytest process. The provider
tests run providers in a dynamic-provider host, a child process, whose calls it would never see, so it
would run no test against their mutants. In such a child, during mutmut's stats pass, each function
reached is also appended to the file named by ``MUTATION_HITS``; ``mutation_hits`` (a pytest plugin)
hands those to mutmut after each test.
"""

from __future__ import annotations

import os


def _forward_hits(path: str) -> None:
    from mutmut.state import state

    turn = path + ".test"

    class Forwarding(set[str]):
        """Writes each function once per test: a host may outlive the test that started it."""

        test = ""

        def add(self, name: str) -> None:
            try:
                with open(turn, encoding="utf-8") as current:
                    test = current.read()
            except FileNotFoundError:
                test = ""
            if test != self.test:
                self.clear()
                self.test = test
            if name not in self:
                super().add(name)
                with open(path, "a", encoding="utf-8") as hits:
                    hits.write(name + "\n")

    state()._stats = Forwarding()


if os.environ.get("MUTANT_UNDER_TEST") == "stats" and os.environ.get("MUTATION_HITS"):
    _forward_hits(os.environ["MUTATION_HITS"])
