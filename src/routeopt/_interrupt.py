"""Stopping cleanly on Ctrl-C (SIGINT) and SIGTERM.

The command line runs each command inside :func:`handling`. The first SIGINT
or SIGTERM then:

1. stops this process's child processes (the worker pools of ``solve`` and
   ``run_batch``): SIGTERM, up to :data:`GRACE_S` seconds to exit, then
   SIGKILL for those still running. Waiting for them to finish their work
   instead is what made an interrupted batch hang for as long as its time
   limit, and left orphans when a second Ctrl-C cut that wait short;
2. raises :class:`Interrupted` (a ``KeyboardInterrupt``) in the main thread,
   so that every ``finally`` runs: caches are closed, temporary folders
   removed, nothing half-written is left behind.

Signals that come after the first are ignored while the program stops, so
that its clean-up is not cut short. Code that must not be cut in the middle
(committing a result folder) runs inside :func:`deferred`: a signal that comes
then takes effect as soon as the block ends.

A child process forked from a process that installed these handlers inherits
them; there a SIGINT is ignored (the parent stops its children) and a SIGTERM
ends the process at once, as by default.

Without :func:`handling` (routeopt used as a library), Python's own handling
applies, and :func:`deferred` does nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import Any, Final

__all__ = ["GRACE_S", "Interrupted", "deferred", "handling", "stop_processes"]

#: Seconds a child process has to exit after SIGTERM before it is killed.
GRACE_S: Final = 3.0
_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The program was asked to stop by a signal; :attr:`signum` says which."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def name(self) -> str:
        """``SIGINT`` or ``SIGTERM``."""
        return signal.Signals(self.signum).name


class _State:
    owner: int | None = None  # the process that installed the handlers
    signum: int | None = None  # the first signal received
    raised = False
    depth = 0  # nesting of deferred() blocks


_state = _State()


def stop_processes(processes: Iterable[Any], grace: float = GRACE_S) -> None:
    """Terminate ``multiprocessing`` processes; kill those not gone after ``grace`` seconds.

    Exits are awaited on each process's sentinel, which tells that it ended
    whichever thread reaps it.
    """
    from multiprocessing.connection import wait

    alive: dict[Any, Any] = {}
    for p in processes:
        try:
            if p.is_alive():
                alive[p.sentinel] = p
                p.terminate()
        except (OSError, ValueError, AssertionError):  # already gone, or closed
            continue
    end = time.monotonic() + grace
    while alive and (left := end - time.monotonic()) > 0:
        for s in wait(list(alive), timeout=left):
            alive.pop(s, None)
    for p in alive.values():
        with contextlib.suppress(OSError, ValueError, AssertionError):
            p.kill()


def _stop_children() -> None:
    import multiprocessing

    stop_processes(multiprocessing.active_children())


def _handler(signum: int, frame: FrameType | None) -> None:
    if os.getpid() != _state.owner:  # a forked child that inherited the handler
        if signum == signal.SIGTERM:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        return  # SIGINT: the parent stops its children
    if _state.signum is not None:  # already stopping: let the clean-up finish
        return
    _state.signum = signum
    if _state.depth:  # inside a block that must finish: stop right after it
        return
    _state.raised = True
    _stop_children()
    raise Interrupted(signum)


@contextlib.contextmanager
def handling() -> Iterator[None]:
    """Handle SIGINT and SIGTERM as described above, inside the block.

    Outside the main thread (where Python cannot install signal handlers)
    this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {s: signal.getsignal(s) for s in _SIGNALS}
    saved = (_state.owner, _state.signum, _state.raised, _state.depth)
    _state.owner, _state.signum, _state.raised, _state.depth = os.getpid(), None, False, 0
    for s in _SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        _state.raised = True  # a signal from here on is ignored until the old handlers are back
        _state.signum = _state.signum or 0
        for s, h in before.items():
            signal.signal(s, h)
        _state.owner, _state.signum, _state.raised, _state.depth = saved


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Let the block finish before a SIGINT or SIGTERM stops the program.

    Keep such blocks short (a rename, a few small files): the signal waits
    for them.
    """
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
        late = (_state.depth == 0 and _state.signum is not None and not _state.raised
                and _state.owner == os.getpid())
        if late:
            assert _state.signum is not None
            _state.raised = True
            _stop_children()
            raise Interrupted(_state.signum)
