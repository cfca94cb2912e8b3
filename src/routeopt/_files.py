"""Files and folders written whole or not at all.

Every single file routeopt writes (geocoded tables, caches, batch summaries)
goes through :func:`atomic_open`: the data lands in a temporary file next to
the target, is flushed to disk, and replaces the target in one rename. A
crash or an error midway leaves the old file (or none), never half a file.

A folder of files that belong together (a plan, a re-plan, a batch
territory's result) goes through :func:`atomic_folder`: it is written as a
temporary sibling folder and swapped in whole, so that the path holds the
complete old folder or the complete new one, never a mix.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Sequence
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


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    r"""CSV text of ``rows`` (the header first) with ``\n`` line ends, that reads back the same.

    Python's writer (3.11) leaves a field holding a bare carriage return
    unquoted when the lines end in ``\n``; every reader then takes it for a
    line end, and the row falls apart. A row with one is written with every
    field quoted (quotes are optional in CSV: the values read the same).

    Examples
    --------
    >>> csv_text([["id", "note"], ["P1", "line 1\r\nline 2"], ["P2", "ok"]])
    'id,note\n"P1","line 1\r\nline 2"\nP2,ok\n'
    """
    import csv
    import io

    buf = io.StringIO()
    plain = csv.writer(buf, lineterminator="\n")
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        cells = list(row)
        cr = any(isinstance(c, str) and "\r" in c for c in cells)
        (quoted if cr else plain).writerow(cells)
    return buf.getvalue()


def atomic_write(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return ``path``."""
    with atomic_open(path) as f:
        f.write(text)
    return path


# -- whole folders ---------------------------------------------------------------------------
#: Names of the siblings :func:`atomic_folder` uses next to ``PATH``: ``.tmp-NAME-ID`` while
#: a new folder is written (never the current version), ``.old-NAME-ID`` for the folder
#: moved aside during a swap (the current version while ``PATH`` is missing).
TMP_PREFIX, OLD_PREFIX = ".tmp-", ".old-"
_TAG_LEN = 32  # uuid4().hex

_RENAME_EXCHANGE = 2  # linux/fs.h


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems that cannot sync a directory
        pass
    finally:
        os.close(fd)


def _sync_tree(root: Path) -> None:
    """Flush every file and folder under ``root`` (inclusive) to disk."""
    for dirpath, _, filenames in os.walk(root, topdown=False):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - glibc before 2.28, musl
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
        return False  # not supported here: the caller falls back to two renames
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def leftovers(path: Path) -> tuple[list[Path], list[Path]]:
    """The temporary and the moved-aside siblings of ``path`` an interrupted
    :func:`atomic_folder` left: ``(temporary, moved_aside)``, each sorted."""
    path = Path(path)
    parent, name = path.parent, path.name

    def matching(prefix: str) -> list[Path]:
        start = f"{prefix}{name}-"
        try:
            return sorted(p for p in parent.iterdir() if p.name.startswith(start)
                          and len(p.name) == len(start) + _TAG_LEN)
        except OSError:
            return []

    return matching(TMP_PREFIX), matching(OLD_PREFIX)


def recover_folder(path: Path) -> Path | None:
    """Finish or undo what an interrupted :func:`atomic_folder` left next to ``path``.

    A folder moved aside while ``path`` is missing is the last complete
    version: it is put back. Any other leftover (a temporary folder, or a
    moved-aside one when ``path`` exists) is not the current version and is
    removed. Returns the folder put back, if any.
    """
    path = Path(path)
    tmps, olds = leftovers(path)
    restored = None
    for old in reversed(olds):  # the newest by name is as good as any: one is normal
        if restored is None and not os.path.lexists(path):
            os.replace(old, path)
            _fsync_dir(path.parent)
            restored = path
        else:
            shutil.rmtree(old, ignore_errors=True)
    for tmp in tmps:
        shutil.rmtree(tmp, ignore_errors=True)
    return restored


@contextmanager
def atomic_folder(path: Path, *, exchange: bool = True, recover: bool = True) -> Iterator[Path]:
    """Write a whole folder at once: yield an empty temporary sibling of ``path``;
    on a clean exit it becomes ``path``.

    The protocol, in order:

    1. Leftovers of an earlier interrupted write are recovered
       (:func:`recover_folder`).
    2. The caller writes into ``PARENT/.tmp-NAME-ID/``.
    3. Every file and folder in it is flushed to disk (``fsync``).
    4. If ``path`` does not exist, the temporary folder is renamed to it.
       If it does, the two are swapped in one step where the system can
       (Linux ``renameat2(RENAME_EXCHANGE)``, which ext4, XFS, Btrfs and tmpfs
       support); elsewhere ``path`` is first renamed to
       ``PARENT/.old-NAME-ID/`` and the new folder to ``path``.
    5. The parent folder is flushed, then the old version removed.

    An error or an interrupt before step 4 removes the temporary folder and
    leaves ``path`` as it was. A crash leaves ``path`` complete (old or new),
    plus a leftover that the next write removes, except in the two-rename
    fallback between its two renames: then ``path`` is missing and
    ``.old-NAME-ID/`` holds the complete old version, which the next write
    (or :func:`recover_folder`) puts back. Readers that find only leftovers
    say so instead of reading them.

    Limits: one writer per ``path`` at a time; ``path`` and its parent must be
    on one file system (``path`` cannot be a mount point); a symbolic link at
    ``path`` is replaced by a folder.

    Parameters
    ----------
    path
        The folder to write.
    exchange
        Use the one-step swap where available (``False`` forces the two-rename
        fallback; for tests).
    recover
        Step 1 (it lists the parent folder: a caller writing many folders into
        one parent recovers them all once instead, as a batch does).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "plan"
    >>> with atomic_folder(target) as tmp:
    ...     _ = (tmp / "a.txt").write_text("one")
    >>> with atomic_folder(target) as tmp:
    ...     _ = (tmp / "b.txt").write_text("two")
    >>> sorted(p.name for p in target.iterdir())
    ['b.txt']
    """
    path = Path(path)
    parent = path.parent
    parent.mkdir(parents=True, exist_ok=True)
    if recover:
        recover_folder(path)
    tag = uuid.uuid4().hex
    tmp = parent / f"{TMP_PREFIX}{path.name}-{tag}"
    tmp.mkdir()
    try:
        yield tmp
        _sync_tree(tmp)
        _fsync_dir(parent)
        if not os.path.lexists(path):
            os.replace(tmp, path)
            _fsync_dir(parent)
            return
        if exchange and path.is_dir() and not path.is_symlink() and _exchange(tmp, path):
            _fsync_dir(parent)
            shutil.rmtree(tmp, ignore_errors=True)  # now the old version
            return
        old = parent / f"{OLD_PREFIX}{path.name}-{tag}"
        os.replace(path, old)
        try:
            os.replace(tmp, path)
        except BaseException:
            os.replace(old, path)
            raise
        _fsync_dir(parent)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
