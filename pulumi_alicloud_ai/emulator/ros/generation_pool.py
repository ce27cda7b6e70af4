"""Slow template generation (a model behind HTTP) runs here, off the event loop, bounded in number.

The event loop serves every product and is the only thread that touches the store, so a generation
that waits on a model must not run on it. CreateAITask stores the task as it would any other, marked
as generating (``states.GENERATING``, which holds it in ``RUNNING``), and answers at once, as ROS does;
a thread of this pool calls the model, and hands the outcome back to the loop, which stores it in a
transaction of its own. The task then ends when its ``RUNNING`` time is over, or at once when the model
took longer than that.

At most ``limit`` generations run at a time (``ALICLOUD_AI_EMULATOR_ROS_GENERATOR_CONCURRENCY``); one
more is refused with ``Throttling.Concurrent``, which clients retry. Each is bounded in time by the
generator's own deadline. A generation that was running when the emulator stopped is lost with the
process; :func:`pulumi_alicloud_ai.emulator.ros.models.load` fails its task when it is next read.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pulumi_alicloud_ai.emulator.errors import ApiError

if TYPE_CHECKING:
    from pulumi_alicloud_ai.emulator.runtime import EmulatorState

log = logging.getLogger("pulumi_alicloud_ai.emulator")

Outcome = dict[str, Any]


class GenerationPool:
    """The generations of one emulator that are in flight, by task id."""

    def __init__(self) -> None:
        self._running: set[str] = set()
        self._changed = threading.Condition()

    def in_flight(self, task_id: str) -> bool:
        """Whether this process is still generating the task's template."""
        with self._changed:
            return task_id in self._running

    def submit(
        self,
        task_id: str,
        work: Callable[[], Outcome],
        deliver: Callable[[Outcome], None],
        *,
        limit: int,
        on_error: Callable[[BaseException], Outcome],
    ) -> None:
        """Run ``work`` in a thread; ``deliver`` its outcome on the calling event loop.

        Called on the loop thread, inside the request; ``Throttling.Concurrent`` when ``limit``
        generations are already running. ``on_error`` turns an unexpected exception of ``work`` into
        an outcome, so a task never waits for ever.
        """
        loop = asyncio.get_running_loop()
        with self._changed:
            if len(self._running) >= limit:
                raise ApiError(
                    "Throttling.Concurrent",
                    f"{limit} template generations are running, the most this emulator runs at once; "
                    "try again shortly.",
                    400,
                    {"x-acs-retry-after": "1000"},
                )
            self._running.add(task_id)

        def finish(outcome: Outcome) -> None:
            try:
                deliver(outcome)
            except Exception:
                log.exception("could not store the generated template of AI task %s", task_id)
            finally:
                self._forget(task_id)

        def run() -> None:
            try:
                outcome = work()
            except Exception as exc:
                log.exception("template generation for AI task %s failed unexpectedly", task_id)
                outcome = on_error(exc)
            try:
                loop.call_soon_threadsafe(finish, outcome)
            except RuntimeError:  # the loop has closed: the emulator stopped while the model worked
                self._forget(task_id)

        threading.Thread(target=run, name=f"ros-generate-{task_id}", daemon=True).start()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no generation is in flight and every outcome is stored; False on timeout.

        For tests and tooling that run the emulator in-process; never called on the event loop.
        """
        with self._changed:
            return self._changed.wait_for(lambda: not self._running, timeout)

    def _forget(self, task_id: str) -> None:
        with self._changed:
            self._running.discard(task_id)
            self._changed.notify_all()


_POOLS: weakref.WeakKeyDictionary[EmulatorState, GenerationPool] = weakref.WeakKeyDictionary()
_POOLS_LOCK = threading.Lock()


def pool_for(state: EmulatorState) -> GenerationPool:
    """The pool of one running emulator (each emulator in a process has its own)."""
    with _POOLS_LOCK:
        return _POOLS.setdefault(state, GenerationPool())
