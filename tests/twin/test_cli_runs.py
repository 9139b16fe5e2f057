"""``halltwin info`` and ``halltwin export`` on synthetic run files."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

from twin.cli import main
from twin.events import Event, EventLog
from twin.runs import RunWriter
from twin.runs.image import VIRIDIS, colourize, encode_png

X = np.arange(4) * 0.5 + 0.25  # 4 columns
Y = np.arange(3) * 0.5 + 0.25  # 3 rows
Z = np.array([0.25, 1.25, 2.25])


def layer(k: int) -> np.ndarray:
    """A (z, y, x) field whose value says where it is: 100 z + 10 y + x."""
    z, y, x = np.meshgrid(np.arange(3), np.arange(3), np.arange(4), indexing="ij")
    return (100.0 * z + 10.0 * y + x + k).astype(np.float32)


@pytest.fixture
def run_file(tmp_path):
    path = tmp_path / "run.h5"
    with RunWriter(path, x=X, y=Y, z=Z, components={"rack": ["A1", "A2"]},
                   series=["rack_chip_temperature", "rack_inlet_temperature", "rack_state",
                           "it_power", "cooling_power", "water_use"],
                   metadata={"layout": json.dumps({"name": "Pod"}),
                             "scenario": json.dumps({"name": "Pump trip"}),
                             "backend": "numpy", "device": "CPU"}) as writer:
        for k, t in enumerate([0.0, 1800.0, 3600.0]):
            writer.write_frame(t, air_temperature=layer(k), air_speed=layer(k) / 100)
            writer.write_series(t, {
                "rack_chip_temperature": [60.0 + 30 * (k == 1), 70.0 + k],
                "rack_inlet_temperature": [25.0, 26.0 - k],
                "rack_state": [2 * (k == 1), 1], "it_power": 1e6, "cooling_power": 1e5,
                "water_use": 1e-4})
        log = EventLog()
        fail = Event(60.0, "CDU-1-PA", "scenario", "failed", message="scenario: fail CDU-1-PA")
        trip = Event(1700.0, "A1", "chip_temperature", "tripped", 92.5, 92.0, fail, "chip hot")
        log.extend([Event(10.0, "ambient", "scenario", "set"), fail, trip])
        writer.write_events(log)
    return path


def test_info_summarizes_a_run(run_file, capsys):
    assert main(["info", str(run_file)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{run_file}: complete, 3600 s simulated (3 frames, 3 series rows, 3 events)"
    assert out[1].startswith("  layout Pod; scenario Pump trip; backend numpy on CPU; created ")
    assert out[2] == "peaks (degC):"
    assert out[4].split() == ["A1", "90.0", "1800.0", "s", "25.0", "0.0", "s"]
    assert out[5].split() == ["A2", "72.0", "3600.0", "s", "26.0", "0.0", "s"]
    assert out[6] == "first alarm: 1700.00 s  A1  tripped: chip hot"
    assert out[7:10] == ["failure cascade (from each root cause):",
                         "  60.00 s  CDU-1-PA  failed: scenario: fail CDU-1-PA",
                         "  -> 1700.00 s  A1  tripped: chip hot"]
    # A1 tripped from 1800 s to 3600 s; A2 throttled all hour.
    assert out[10] == "compute lost: 0.500 rack-hours tripped, 1.000 rack-hours throttled"
    # 1 MW IT + 0.1 MW cooling for an hour; 0.1 L/s of water over 1000 kWh.
    assert out[11] == "PUE 1.100, WUE 0.360 L/kWh over the run"


def test_export_csv_writes_every_series_exactly(run_file, tmp_path, capsys):
    out = tmp_path / "series.csv"
    assert main(["export", str(run_file), "--csv", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0] == ("time_s,cooling_power [W],it_power [W],rack_chip_temperature:A1 [degC],"
                        "rack_chip_temperature:A2 [degC],rack_inlet_temperature:A1 [degC],"
                        "rack_inlet_temperature:A2 [degC],rack_state:A1 [1],rack_state:A2 [1],"
                        "water_use [m3/s]")
    assert lines[2] == "1800.0,100000.0,1000000.0,90.0,71.0,25.0,25.0,2,1,0.0001"
    assert len(lines) == 4
    assert main(["export", str(run_file), "--csv", str(out), "--series", "rack_state"]) == 0
    assert out.read_text().splitlines()[1] == "0.0,0,1"


def read_png(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB, filter-0 PNG (all the exporter writes), checking CRCs."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind, body = data[position + 4:position + 8], data[position + 8:position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks[kind] = chunks.get(kind, b"") + body
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, -1)
    assert not rows[:, 0].any()
    return rows[:, 1:].reshape(height, width, 3)


def test_export_png_draws_the_nearest_slice_north_up(run_file, tmp_path, capsys):
    out = tmp_path / "frame.png"
    assert main(["export", str(run_file), "--png", str(out), "--time", "2000",
                 "--z", "1.0", "--range", "110", "122"]) == 0
    assert "t = 1800 s, z = 1.25 m" in capsys.readouterr().out
    image = read_png(out.read_bytes())
    assert image.shape == (48, 64, 3)  # 3 x 4 cells at 16 px each (the largest scale)
    cells = image[::16, ::16]
    assert np.array_equal(image, np.repeat(np.repeat(cells, 16, axis=0), 16, axis=1))
    # Frame k = 1, layer z = 1: 101 + 10 y + x; the top row of the picture is y = 2.
    expected = colourize(np.flipud(layer(1)[1]), 110.0, 122.0)
    assert np.array_equal(cells, expected)
    assert tuple(cells[0, 3]) == tuple(VIRIDIS[-1].astype(np.uint8))  # 124 -> clipped to top


def test_colour_map_ends_and_missing_values():
    image = colourize(np.array([[0.0, 0.5, 1.0, np.nan]]), 0.0, 1.0)
    assert image[0].tolist() == [[68, 1, 84], [33, 144, 141], [253, 231, 37], [128, 128, 128]]
    with pytest.raises(ValueError):
        encode_png(np.zeros((2, 2), np.uint8))


@pytest.mark.parametrize("argv, message", [
    (["export", "{run}"], "nothing to export"),
    (["export", "{run}", "--png", "{tmp}/a.png"], "--png needs --time"),
    (["export", "{run}", "--csv", "{tmp}/a.csv", "--series", "pue"], "no series 'pue'"),
    (["export", "{run}", "--png", "{tmp}/a.png", "--time", "0", "--field", "x"], "no field 'x'"),
    (["export", "{run}", "--png", "{tmp}/a.png", "--time", "0", "--range", "5", "1"], "LOW < HIGH"),
    (["export", "{run}", "--csv", "{tmp}/no/such/dir/a.csv"], "folder {tmp}/no/such/dir does "
                                                               "not exist"),
    (["export", "{run}", "--csv", "{run}"], "--csv {run}: is the run file this command reads; "
                                            "writing there would destroy it"),
    (["export", "{run}", "--png", "{tmp}", "--time", "0"], "--png {tmp}: is a folder"),
    (["export", "{run}", "--csv", "{tmp}/a", "--png", "{tmp}/a", "--time", "0"],
     "--csv and --png name the same file"),
    (["export", "{run}", "--png", "{tmp}/a.png", "--time", "nan"],
     "--time must be a finite number of s, got nan"),
    (["export", "{run}", "--png", "{tmp}/a.png", "--time", "0", "--z", "inf"],
     "--z must be a finite number of m, got inf"),
    (["info", "{tmp}/missing.h5"], "no such file"),
    (["info", "{tmp}/garbage.h5"], "not a readable HallTwin run file"),
])
def test_mistakes_give_one_line_and_exit_1(run_file, tmp_path, capsys, argv, message):
    (tmp_path / "garbage.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(200))
    argv = [a.format(run=run_file, tmp=tmp_path) for a in argv]
    before = run_file.read_bytes()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message.format(run=run_file, tmp=tmp_path) in err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["garbage.h5", "run.h5"]
    assert run_file.read_bytes() == before


def test_a_run_file_cut_short_is_refused_at_once(run_file, tmp_path):
    """A copy cut short (a download or a transfer stopped) used to hang ``halltwin info``
    for minutes: SWMR mode retries damaged metadata with growing pauses.  It is now said
    at once, with how much of the file there is."""
    data = run_file.read_bytes()
    cut = tmp_path / "cut.h5"
    cut.write_bytes(data[: len(data) // 3])
    done = subprocess.run([sys.executable, "-m", "twin", "info", str(cut)], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"halltwin info: {cut}: not a readable HallTwin run file (cut short: "
        f"{len(data) // 3:,} bytes of the {len(data):,} its header names; copy the whole "
        f"file again)")
