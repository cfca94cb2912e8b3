"""The ``routeopt`` command as a real process, real signals, and what is left of it (Linux).

Each command starts in a session of its own, so that every process it
starts (pool workers, their children) can be found afterwards through
``/proc``: they keep the session id, even once re-parented to init. Ctrl-C
is a SIGINT to the whole process group, as a terminal sends it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").is_file(),
                                reason="needs /proc to find the processes left behind")


def _stat(pid: str) -> tuple[str, int] | None:
    """(state, session id) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
    return fields[0], int(fields[3])


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
    except OSError:
        return "?"


class Command:
    """``python -m routeopt ARGS`` in a new session; stdout and stderr go to files."""

    def __init__(self, args: Sequence[str], tmp: Path, name: str = "cli") -> None:
        self.out_file, self.err_file = tmp / f"{name}.out", tmp / f"{name}.err"
        with self.out_file.open("wb") as out, self.err_file.open("wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "routeopt", *args],
                                         stdout=out, stderr=err, start_new_session=True)
        self.sid = self.proc.pid

    def session(self) -> list[str]:
        """The live processes of the command's session (zombies aside), as ``pid cmdline``."""
        found = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                st = _stat(pid)
                if st is not None and st[1] == self.sid and st[0] != "Z":
                    found.append(f"{pid} {_cmdline(pid)}")
        return found

    def wait_for(self, ready: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
        """Poll until ``ready()``; fail if the command ends first or it takes too long."""
        end = time.monotonic() + timeout
        while not ready():
            if self.proc.poll() is not None:
                pytest.fail(f"the command ended (exit {self.proc.returncode}) before {what}: "
                            f"{self.err_file.read_text(encoding='utf-8')}")
            if time.monotonic() > end:
                self.proc.kill()
                pytest.fail(f"no sign of {what} after {timeout} s")
            time.sleep(0.05)

    def signal(self, signum: int, *, group: bool) -> None:
        """Send ``signum`` to the command (``group``: to its whole process group, as Ctrl-C)."""
        if group:
            os.killpg(self.sid, signum)
        else:
            self.proc.send_signal(signum)

    def finish(self, timeout: float = 60.0) -> tuple[int, str, str]:
        """Wait for the exit; (code, stdout, stderr)."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.sid, signal.SIGKILL)
            pytest.fail(f"the command did not stop within {timeout} s")
        return (code, self.out_file.read_text(encoding="utf-8"),
                self.err_file.read_text(encoding="utf-8"))

    def leftovers(self, timeout: float = 5.0) -> list[str]:
        """Processes of the session still alive ``timeout`` seconds after the exit (orphans)."""
        end = time.monotonic() + timeout
        while (left := self.session()) and time.monotonic() < end:
            time.sleep(0.05)
        for line in left:  # do not leave them to the next test
            os.kill(int(line.split()[0]), signal.SIGKILL)
        return left


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too), by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
