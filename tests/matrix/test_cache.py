"""The disk matrix cache: hits without requests, keys, atomic files, corrupt files recovered."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from routeopt.exceptions import MatrixCacheWarning, MatrixError
from routeopt.matrix import OSRM, CachedProvider, GreatCircle, MatrixProvider, TravelMatrix
from routeopt.matrix.cache import matrix_key
from routeopt.problem import Location

PTS = [Location(43.7384, 7.4246), Location(43.7311, 7.4197), Location(43.7402, 7.4270),
       Location(43.7250, 7.4140)]


def npz_files(directory):
    return sorted(p.name for p in directory.iterdir())


def test_second_plan_makes_no_request(fake_osrm, tmp_path):
    cached = CachedProvider(OSRM(fake_osrm.url), tmp_path)
    assert isinstance(cached, MatrixProvider)
    first = cached.matrix(PTS, "drive")
    assert len(fake_osrm.paths) == 1 and (cached.hits, cached.misses) == (0, 1)
    again = cached.matrix(PTS, "drive")
    assert len(fake_osrm.paths) == 1 and (cached.hits, cached.misses) == (1, 1)
    np.testing.assert_array_equal(again.durations, first.durations)
    np.testing.assert_array_equal(again.distances, first.distances)
    assert again.durations.dtype == np.int64
    # A new process (a nightly re-plan) with the server gone still finds it on disk.
    fake_osrm.reply = lambda path: (500, b"down")
    later = CachedProvider(OSRM(fake_osrm.url), tmp_path).matrix(PTS, "drive")
    np.testing.assert_array_equal(later.durations, first.durations)
    assert len(fake_osrm.paths) == 1
    assert [n for n in npz_files(tmp_path) if not n.endswith(".npz")] == []  # no temp files


def test_real_osrm_through_the_cache(require_server, tmp_path):
    url = require_server("ROUTEOPT_TEST_OSRM", "OSRM (osrm-routed with the Monaco car graph)")
    cached = CachedProvider(OSRM(url), tmp_path)
    m1 = cached.matrix(PTS, "drive")
    m2 = CachedProvider(OSRM(url), tmp_path).matrix(PTS, "drive")
    np.testing.assert_array_equal(m1.durations, m2.durations)
    np.testing.assert_array_equal(m1.durations, OSRM(url).matrix(PTS, "drive").durations)


def test_keys_tell_apart_what_differs(tmp_path):
    gc = CachedProvider(GreatCircle(), tmp_path)
    gc.matrix(PTS, "drive")
    gc.matrix(PTS, "walk")  # another mode
    gc.matrix(PTS[::-1], "drive")  # another order
    CachedProvider(GreatCircle(speed_kmh={"drive": 20.0}), tmp_path).matrix(PTS, "drive")
    assert len(npz_files(tmp_path)) == 4
    # The same places with noise below 6 decimals share the file.
    jitter = [Location(p.lat + 1e-8, p.lon - 1e-8) for p in PTS]
    gc.matrix(jitter, "drive")
    assert len(npz_files(tmp_path)) == 4 and gc.hits == 1
    assert matrix_key("k", "drive", [Location(0.0, -0.0)]) == matrix_key(
        "k", "drive", [Location(-0.0, 0.0)])


def test_slower_speed_gives_other_answers_from_the_cache(tmp_path):
    fast = CachedProvider(GreatCircle(), tmp_path).matrix(PTS, "drive")
    slow = CachedProvider(GreatCircle(speed_kmh={"drive": 10.0}), tmp_path).matrix(PTS, "drive")
    assert (slow.durations > fast.durations).sum() == 12


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "other_points", "negative"])
def test_damaged_file_is_recomputed_with_a_warning(tmp_path, damage):
    cached = CachedProvider(GreatCircle(), tmp_path)
    good = cached.matrix(PTS, "drive")
    path = cached.path_for(PTS, "drive")
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x00garbage" * 50)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other_points":  # a file copied under the wrong name
        other = cached.path_for(PTS[:3], "drive")
        cached.matrix(PTS[:3], "drive")
        os.replace(other, path)
    else:  # a well-formed file holding values a matrix cannot have
        bad = good.durations.copy()
        bad[0, 1] = -5
        np.savez(path, key=np.array(matrix_key(cached.key, "drive", PTS)), durations=bad,
                 distances=good.distances)
    fresh = CachedProvider(GreatCircle(), tmp_path)
    with pytest.warns(MatrixCacheWarning, match=rf"{path.name} cannot be used .*computing the "
                                                r"matrix again"):
        m = fresh.matrix(PTS, "drive")
    np.testing.assert_array_equal(m.durations, good.durations)
    assert (fresh.hits, fresh.misses) == (0, 1)
    with warnings.catch_warnings():  # the file was rewritten whole
        warnings.simplefilter("error")
        assert CachedProvider(GreatCircle(), tmp_path).matrix(PTS, "drive").size == 4


def test_a_failed_write_leaves_no_file_and_loses_no_plan(tmp_path, monkeypatch):
    cached = CachedProvider(GreatCircle(), tmp_path)

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.warns(MatrixCacheWarning, match="could not write the matrix cache"):
        m = cached.matrix(PTS, "drive")
    assert m.size == 4
    assert npz_files(tmp_path) == []  # neither the file nor its temporary


def test_an_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    cached = CachedProvider(GreatCircle(), tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cached.matrix(PTS, "drive")
    assert npz_files(tmp_path) == []


def test_provider_without_a_key():
    class Plain:
        def matrix(self, points, mode):
            return TravelMatrix(np.zeros((len(points), len(points))),
                                np.zeros((len(points), len(points))))

    with pytest.raises(MatrixError, match=r"Plain has no cache_key.*key='\.\.\.'"):
        CachedProvider(Plain(), "unused")
    cached = CachedProvider(Plain(), "unused-dir-never-made", key="plain-v1")
    assert cached.cache_key == "plain-v1"


def test_great_circle_key_follows_its_settings():
    assert GreatCircle().cache_key == GreatCircle().cache_key
    assert GreatCircle().cache_key != GreatCircle(detour={"drive": 1.2}).cache_key


KILLED_MID_WRITE = r"""
import sys, time
import numpy as np
from routeopt.matrix import GreatCircle
from routeopt.matrix.cache import CachedProvider
from routeopt.problem import Location

def slow_savez(f, **arrays):
    f.write(b"PK\x03\x04" + b"\0" * 4096)  # the start of a zip file, then nothing
    f.flush()
    print("writing", flush=True)
    time.sleep(60)

np.savez = slow_savez
pts = [Location(43.73 + i / 1000, 7.42) for i in range(30)]
CachedProvider(GreatCircle(), sys.argv[1]).matrix(pts, "drive")
"""


def test_a_process_killed_while_writing_the_cache_leaves_no_cache_file(tmp_path: Path) -> None:
    """SIGKILL in the middle of writing a matrix: the cache holds no file under the final
    name (only the temporary one), so the next run computes the matrix without a
    warning and caches it."""
    import signal
    import subprocess
    import sys

    src = Path(__file__).resolve().parents[2] / "src"
    child = subprocess.Popen([sys.executable, "-c", KILLED_MID_WRITE, str(tmp_path)],
                             stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(src)})
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
    assert list(tmp_path.glob("*.npz")) == [] and len(list(tmp_path.glob(".*.tmp"))) == 1
    pts = [Location(43.73 + i / 1000, 7.42) for i in range(30)]
    cached = CachedProvider(GreatCircle(), tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        first = cached.matrix(pts, "drive")
        again = cached.matrix(pts, "drive")
    assert (cached.misses, cached.hits) == (1, 1)
    assert (again.durations == first.durations).all()
