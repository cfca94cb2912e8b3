"""run_batch on a real dask.distributed LocalCluster: 2 worker processes, 1 thread each."""

from __future__ import annotations

import json
import os
import sys

import batch_helpers
import pytest

from routeopt.batch import DONE_FILE, STATUS_FILE, run_batch

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")


@pytest.fixture(scope="module")
def cluster():
    import dask

    # A task that killed its worker once is given up at once (the default is 3 retries),
    # so that the test is quick; routeopt then runs it once more alone.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cl = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=50)
        # The test tasks travel by value: the workers cannot import the tests folder.
        cloudpickle.register_pickle_by_value(sys.modules[batch_helpers.__name__])
        try:
            yield cl
        finally:
            cloudpickle.unregister_pickle_by_value(sys.modules[batch_helpers.__name__])
            cl.close()


def test_dask_cluster_with_a_killed_worker(make_batch, tmp_path, cluster):
    root = make_batch(["1-doomed", "2-slow", "bad", "good-a", "good-b"], bad=["bad"])
    out = tmp_path / "out"
    summary = run_batch(root, out, task=batch_helpers.kill_doomed,
                        scheduler=cluster.scheduler_address)
    states = {r.name: r.state for r in summary.results}
    assert states == {"1-doomed": "failed", "2-slow": "done", "bad": "failed", "good-a": "done",
                      "good-b": "done"}
    assert summary.executor.startswith("dask tcp://")
    by_name = {r.name: r for r in summary.results}
    assert by_name["bad"].error["kind"] == "input"
    doomed = by_name["1-doomed"]
    assert doomed.error["kind"] == "crash" and doomed.error["type"] == "KilledWorker"
    assert doomed.attempts == 2
    for name in ("2-slow", "good-a", "good-b"):
        assert (out / name / DONE_FILE).is_file() and (out / name / "visits.csv").is_file()
    assert json.loads((out / "1-doomed" / STATUS_FILE).read_text())["state"] == "failed"
    # The workers were real processes on the cluster, not this one.
    assert all(not r.worker.endswith(f":{os.getpid()}") for r in summary.done)

    # Same plans as a local process pool; a re-run on the cluster skips them all.
    local = run_batch(root, tmp_path / "local", workers=2)
    assert [r.name for r in local.failed] == ["bad"]
    for name in ("2-slow", "good-a", "good-b"):
        assert (out / name / "visits.csv").read_bytes() == \
            (tmp_path / "local" / name / "visits.csv").read_bytes()
    with distributed.Client(cluster) as client:
        again = run_batch(root, out, task=batch_helpers.must_not_run, executor=client)
    assert {r.name: r.state for r in again.results} == {
        "1-doomed": "failed", "2-slow": "skipped", "bad": "failed", "good-a": "skipped",
        "good-b": "skipped"}


def test_batch_command_on_the_cluster(make_batch, tmp_path, cluster, capsys):
    from routeopt.cli import main

    root = make_batch(["p", "q"])
    code = main(["batch", "--territories", str(root), "--out", str(tmp_path / "out"),
                 "--scheduler", cluster.scheduler_address, "--iterations", "20"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "2 done, 0 skipped, 0 failed" in printed and "(dask tcp://" in printed


def test_an_interrupt_cancels_the_territories_on_the_cluster(make_batch, tmp_path, cluster):
    import time

    root = make_batch(["1-first", "2-sleepy", "3-sleepy", "4-sleepy"])
    out = tmp_path / "out"

    def stop(result):
        raise KeyboardInterrupt  # Ctrl-C once the first territory is written

    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_batch(root, out, task=batch_helpers.sleepy, scheduler=cluster.scheduler_address,
                  on_result=stop)
    assert time.monotonic() - t0 < 5  # not waiting for the sleepy ones
    assert sorted(p.name for p in out.iterdir()) == ["1-first"]
    # The client is closed and its territories cancelled: the scheduler forgets them.
    end = time.monotonic() + 10
    while cluster.scheduler.tasks and time.monotonic() < end:
        time.sleep(0.1)
    assert not cluster.scheduler.tasks
    assert not cluster.scheduler.clients.keys() - {"fire-and-forget"}
