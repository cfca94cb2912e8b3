"""Files written whole or not at all.

Every file routeopt writes (plans, reports, caches) goes through
:func:`atomic_open`: the data lands in a temporary file next to the target,
is flushed to disk, and replaces the target in one rename. A crash or an
error midway leaves the old file (or none), never half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file for ``path``; on a clean exit it replaces ``path``.

    ``mode`` is ``"w"`` (UTF-8 text, no newline translation) or ``"wb"``. The
    file gets the usual permissions (``0o666`` less the umask): plans and
    caches are for sharing.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "note.txt"
    >>> with atomic_open(target) as f:
    ...     _ = f.write("whole or nothing\\n")
    >>> target.read_text()
    'whole or nothing\\n'
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private
        kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return ``path``."""
    with atomic_open(path) as f:
        f.write(text)
    return path
