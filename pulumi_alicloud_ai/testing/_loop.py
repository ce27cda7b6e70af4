"""One event loop per program run, as one process per run gives the Pulumi CLI.

Runs share nothing: when a run ends (a failed one too) the tasks it left are cancelled and awaited and
its executor threads joined, so no registration of one run can reach the next. Errors the engine has
already raised to its caller stay quiet afterwards: the SDK also puts each into the futures of every
output the failed registration (and whatever awaited it) would have resolved, nobody reads those, and
asyncio would print each one as "Future exception was never retrieved" when it is collected.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_REPORTED: dict[int, BaseException] = {}
_MAX_REPORTED = 256
_REPORTED_LOCK = threading.Lock()


def reported(error: BaseException) -> BaseException:
    """Note that ``error`` reached the caller (returned, for raising); from any thread."""
    with _REPORTED_LOCK:
        _REPORTED[id(error)] = error
        while len(_REPORTED) > _MAX_REPORTED:
            del _REPORTED[next(iter(_REPORTED))]
    return error


def _quiet_reported_errors(loop: asyncio.AbstractEventLoop) -> None:
    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if error is not None and _REPORTED.get(id(error)) is error:
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def _thread_loop() -> asyncio.AbstractEventLoop | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return None


@contextlib.contextmanager
def fresh_event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A new loop, current on this thread for one run; the thread's previous loop comes back after.

    The SDK calls the monitor from executor threads, each of which needs a loop of its own; the
    executor gives each worker one, and they are closed with the run's loop.
    """
    previous = _thread_loop()
    loop = asyncio.new_event_loop()
    _quiet_reported_errors(loop)
    worker_loops: list[asyncio.AbstractEventLoop] = []

    def give_worker_a_loop() -> None:
        worker_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(worker_loop)
        worker_loops.append(worker_loop)

    loop.set_default_executor(
        ThreadPoolExecutor(thread_name_prefix="local-engine", initializer=give_worker_a_loop)
    )
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        try:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            asyncio.set_event_loop(previous)
            loop.close()
            for worker_loop in worker_loops:
                worker_loop.close()
