"""Run files while they are written: a SWMR reader follows a live writer in another
process, and a writer killed with SIGKILL leaves a file readable to its last flush."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from twin.cli import main
from twin.runs import RunReader

pytestmark = pytest.mark.skipif(os.name != "posix", reason="uses SIGKILL")

WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    from twin.events import Event
    from twin.runs import RunWriter

    mode, path = sys.argv[1], sys.argv[2]
    x = np.arange(10) * 0.25; y = np.arange(7) * 0.25; z = np.arange(3) * 0.5
    writer = RunWriter(path, x=x, y=y, z=z, components={"rack": ["R-01", "R-02"]},
                       series=["rack_chip_temperature"])

    def frame(k):
        return np.full((3, 7, 10), k, dtype=np.float32) + np.arange(10, dtype=np.float32)

    def write(k):
        writer.write_frame(5.0 * k, air_temperature=frame(k), air_speed=frame(k) / 10)
        writer.write_series(5.0 * k, {"rack_chip_temperature": [k, -k]})
        writer.write_events([Event(5.0 * k, "R-01", "test", "alarm", k, 0.0, k - 1, f"e{k}")])

    for k in range(4):
        write(k)
        writer.sync()
        print(k, flush=True)
        if mode == "lockstep":
            sys.stdin.readline()
    if mode == "lockstep":
        writer.close("complete")
        print("closed", flush=True)
    elif mode == "idle":
        sys.stdin.readline()  # killed here, everything flushed
    else:
        k = 4
        while True:  # killed somewhere in here, mid-write
            write(k)
            k += 1
""")


def start(tmp_path, mode):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    path = tmp_path / "live.h5"
    process = subprocess.Popen([sys.executable, str(script), mode, str(path)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               cwd=os.getcwd())
    return process, path


def expected(k):
    return np.full((3, 7, 10), k, dtype=np.float32) + np.arange(10, dtype=np.float32)


def check_frames(run, count):
    assert run.frame_count >= count
    for k in range(run.frame_count):
        t, data = run.frame_at(k)
        assert t == 5.0 * k and np.array_equal(data, expected(k))
    log = run.events()
    assert [e.message for e in log] == [f"e{k}" for k in range(len(log))]
    assert all(log[k].cause == k - 1 for k in range(len(log)))


def test_reader_follows_a_live_writer(tmp_path):
    process, path = start(tmp_path, "lockstep")
    try:
        assert process.stdout.readline().strip() == "0"
        with RunReader(path) as run:
            assert run.status == "running" and run.frame_count == 1
            for k in range(1, 4):
                process.stdin.write("\n")
                process.stdin.flush()
                assert process.stdout.readline().strip() == str(k)
                assert run.refresh()
                assert (run.frame_count, run.row_count, run.event_count) == (k + 1,) * 3
                check_frames(run, k + 1)
                assert run.series("rack_chip_temperature", "R-02")[1].tolist() == \
                    [-j for j in range(k + 1)]
                assert not run.refresh()  # nothing new since
            process.stdin.write("\n")
            process.stdin.flush()
            assert process.stdout.readline().strip() == "closed"
            run.refresh()
            assert run.status == "complete"
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("mode", ["idle", "busy"])
def test_sigkill_leaves_a_readable_file(tmp_path, mode, capsys):
    process, path = start(tmp_path, mode)
    try:
        for k in range(4):
            assert process.stdout.readline().strip() == str(k)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    with RunReader(path) as run:
        assert run.status == "running"
        check_frames(run, 4)
        if mode == "idle":
            assert (run.frame_count, run.row_count, run.event_count) == (4, 4, 4)
    assert main(["info", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: running, ")
