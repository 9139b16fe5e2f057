"""Run files: what is written reads back exactly, in HallTwin and in xarray."""

from __future__ import annotations

import json
import math

import h5py
import numpy as np
import pytest
import xarray as xr

from twin.errors import UserError
from twin.events import Event, EventLog
from twin.runs import RunReader, RunWriteError, RunWriter, SeriesSpec

X = np.arange(8) * 0.25 + 0.125
Y = np.arange(6) * 0.25 + 0.125
Z = np.arange(4) * 0.5 + 0.25
RACKS = ["R-01", "R-02", "R-03"]


def frame(k: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed + k)
    return (20.0 + k + rng.random((4, 6, 8))).astype(np.float32)


def cascade_log() -> EventLog:
    log = EventLog()
    fail = Event(60.0, "CDU-1-PA", "scenario", "failed", message="scenario: fail CDU-1-PA")
    throttle = Event(78.5, "R-01", "chip_temperature", "throttled", 85.25, 85.0, fail,
                     "chip 85.2 degC above throttle limit 85 degC (naïve ü)")
    log.extend([fail, throttle])
    log.append(Event(95.0, "R-01", "chip_temperature", "tripped", 92.5, 92.0, 1, "x" * 300))
    return log


def write_run(path, frames=5, rows=12, compression="lzf", status="complete"):
    metadata = {"software_version": "0.1.0", "backend": "numpy", "device": "CPU",
                "layout": json.dumps({"name": "test hall"}), "scenario": json.dumps({"n": 1}),
                "seed": 7, "command_line": "halltwin run hall.json"}
    writer = RunWriter(path, x=X, y=Y, z=Z, components={"rack": RACKS},
                       series=["rack_chip_temperature", "rack_state", "it_power",
                               SeriesSpec("custom", None, "K", "a custom series")],
                       metadata=metadata, compression=compression)
    for k in range(frames):
        writer.write_frame(5.0 * k, air_temperature=frame(k), air_speed=frame(k, 100) - 20)
    for k in range(rows):
        values = {"rack_chip_temperature": [60.0 + k, 61.0 + k, 62.5 + k],
                  "rack_state": [0, k % 3, 2], "it_power": 1e6 - k}
        if k % 2 == 0:
            values["custom"] = k / 3
        writer.write_series(0.5 * k, values)
    writer.write_events(cascade_log())
    writer.close(status)
    return writer


@pytest.mark.parametrize("compression", ["lzf", "gzip", None])
def test_written_run_reads_back_exactly(tmp_path, compression):
    path = tmp_path / "run.h5"
    writer = write_run(path, compression=compression)
    assert (writer.stats.frames, writer.stats.rows, writer.stats.events) == (5, 12, 3)
    assert writer.stats.field_bytes == 5 * 2 * 4 * 6 * 8 * 4
    with RunReader(path) as run:
        assert run.status == "complete"
        meta = run.metadata
        assert meta["format"] == "halltwin-run" and meta["format_version"] == 1
        assert meta["seed"] == 7 and meta["command_line"] == "halltwin run hall.json"
        assert meta["created"].endswith("+00:00")
        assert run.layout == {"name": "test hall"} and run.scenario == {"n": 1}
        x, y, z = run.grid
        np.testing.assert_array_equal(x, X)
        np.testing.assert_array_equal(z, Z)
        np.testing.assert_array_equal(run.frame_times, [0, 5, 10, 15, 20])
        t, data = run.frame(11.0)
        assert t == 10.0 and np.array_equal(data, frame(2))
        assert run.frame(12.5)[0] == 10.0 and run.frame(12.6)[0] == 15.0
        assert run.frame(-3.0)[0] == 0.0 and run.frame(1e9)[0] == 20.0
        assert np.array_equal(run.frame_at(-1, "air_speed")[1], frame(4, 100) - 20)
        assert sorted(run.series_names) == ["custom", "it_power", "rack_chip_temperature",
                                            "rack_state"]
        times, chip = run.series("rack_chip_temperature", "R-02")
        np.testing.assert_array_equal(times, 0.5 * np.arange(12))
        np.testing.assert_array_equal(chip, 61.0 + np.arange(12))
        _, states = run.series("rack_state")
        assert states.dtype == np.int8 and states[:, 1].tolist() == [k % 3 for k in range(12)]
        _, custom = run.series("custom")
        assert custom[::2].tolist() == [k / 3 for k in range(0, 12, 2)]
        assert np.isnan(custom[1::2]).all()  # rows that did not give it
        assert run.components("rack_state") == RACKS
        assert run.components("it_power") == [] and run.units("custom") == "K"


def test_events_round_trip_with_causes_and_cut_messages(tmp_path):
    path = tmp_path / "run.h5"
    write_run(path)
    with RunReader(path) as run:
        log = run.events()
    original = cascade_log()
    assert len(log) == 3
    for got, want in zip(list(log)[:2], list(original)[:2], strict=True):
        assert repr(got) == repr(want)  # repr: NaN values compare equal
    assert log[2].message == "x" * 256 and log[2].cause == 1
    assert log.chain(2) == [0, 1, 2]
    assert log.cascade()[1].endswith("(naïve ü)")


def test_xarray_opens_every_group(tmp_path):
    path = tmp_path / "run.h5"
    write_run(path)
    with xr.open_dataset(path, engine="h5netcdf", group="fields") as fields:
        assert fields.air_temperature.dims == ("time", "z", "y", "x")
        assert fields.air_temperature.attrs["units"] == "degC"
        np.testing.assert_array_equal(fields.x.values, X)
        np.testing.assert_array_equal(fields.air_temperature.sel(time=15.0).values, frame(3))
    with xr.open_dataset(path, engine="h5netcdf", group="series") as series:
        assert series.rack.values.tolist() == RACKS
        assert series.rack_chip_temperature.sel(rack="R-03").values[-1] == 62.5 + 11
        assert series.it_power.attrs["units"] == "W" and series.time.attrs["units"] == "s"
    with xr.open_dataset(path, engine="h5netcdf", group="events") as events:
        assert events.component.values.tolist() == ["CDU-1-PA", "R-01", "R-01"]
        assert events.cause.values.tolist() == [-1, 0, 1]
    with xr.open_dataset(path, engine="h5netcdf", group="grid") as grid:
        assert grid.z.attrs["units"] == "m"
    with xr.open_dataset(path, engine="h5netcdf") as root:
        assert root.status.values.item() == "complete"
        assert root.attrs["format"] == "halltwin-run"


def test_context_manager_marks_failed_and_aborted(tmp_path):
    for error, status in ((RuntimeError, "failed"), (KeyboardInterrupt, "aborted")):
        path = tmp_path / f"{status}.h5"
        with pytest.raises(error):
            with RunWriter(path, x=X, y=Y, z=Z) as writer:
                writer.write_frame(0.0, air_temperature=frame(0), air_speed=frame(1))
                raise error("stop")
        with RunReader(path) as run:
            assert run.status == status and run.frame_count == 1


def test_writer_refuses_bad_input(tmp_path):
    writer = RunWriter(tmp_path / "run.h5", x=X, y=Y, z=Z, components={"rack": RACKS},
                       series=["rack_power"])
    with pytest.raises(ValueError, match="shape must be"):
        writer.write_frame(0.0, air_temperature=np.zeros((8, 6, 4)), air_speed=frame(0))
    with pytest.raises(ValueError, match="exactly the fields"):
        writer.write_frame(0.0, air_temperature=frame(0))
    writer.write_frame(1.0, air_temperature=frame(0), air_speed=frame(0))
    with pytest.raises(ValueError, match="must increase"):
        writer.write_frame(1.0, air_temperature=frame(0), air_speed=frame(0))
    with pytest.raises(ValueError, match="not declared"):
        writer.write_series(0.0, {"pue": 1.2})
    with pytest.raises(ValueError, match="expected shape"):
        writer.write_series(0.0, {"rack_power": [1.0, 2.0]})
    with pytest.raises(ValueError, match="EventLog first"):
        writer.write_events([Event(0.0, "a", "k", "s", cause=Event(0.0, "b", "k", "s"))])
    with pytest.raises(ValueError, match="status must be"):
        writer.close("done")
    writer.close("complete")
    with pytest.raises(RunWriteError, match="closed"):
        writer.write_series(5.0, {})
    with pytest.raises(ValueError, match="unknown series"):
        RunWriter(tmp_path / "b.h5", x=X, y=Y, z=Z, series=["nonsense"])
    with pytest.raises(ValueError, match="no rack ids"):
        RunWriter(tmp_path / "c.h5", x=X, y=Y, z=Z, series=["rack_power"])


def test_reader_rejects_what_is_not_a_run(tmp_path):
    (tmp_path / "text.h5").write_text("hello")
    with h5py.File(tmp_path / "other.h5", "w", libver="latest") as other:
        other.attrs["format"] = "something-else"
    with h5py.File(tmp_path / "newer.h5", "w", libver="latest") as newer:
        newer.attrs["format"] = "halltwin-run"
        newer.attrs["format_version"] = 99
    cases = {"missing.h5": "no such file", "text.h5": "not a readable HallTwin run file",
             "other.h5": "not a HallTwin run", "newer.h5": "newer than this program"}
    for name, message in cases.items():
        with pytest.raises(UserError, match=message):
            RunReader(tmp_path / name)
    with pytest.raises(UserError, match="is not a file"):
        RunReader(tmp_path)


def test_reader_names_what_is_not_there(tmp_path):
    path = tmp_path / "run.h5"
    write_run(path, frames=0)
    with RunReader(path) as run:
        with pytest.raises(UserError, match="no frames"):
            run.frame(0.0)
        with pytest.raises(UserError, match="no series 'pue'"):
            run.series("pue")
        with pytest.raises(UserError, match="no component 'R-09'"):
            run.series("rack_state", "R-09")
        assert math.isnan(run.events()[0].value)


def test_a_failing_write_is_reported_and_marks_the_file_failed(tmp_path):
    path = tmp_path / "run.h5"
    writer = RunWriter(path, x=X, y=Y, z=Z)
    writer.write_frame(0.0, air_temperature=frame(0), air_speed=frame(0))
    writer.sync()

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    writer._append_frame = disk_full  # what h5py raises when the disk fills
    writer.write_frame(1.0, air_temperature=frame(1), air_speed=frame(1))
    with pytest.raises(RunWriteError, match="No space left on device"):
        writer.sync()
    with pytest.raises(RunWriteError, match="No space left"):
        writer.write_frame(2.0, air_temperature=frame(2), air_speed=frame(2))
    with pytest.raises(RunWriteError):
        writer.close("complete")
    with RunReader(path) as run:
        assert run.status == "failed" and run.frame_count == 1
