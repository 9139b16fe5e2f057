"""``halltwin verify``: its JSON and its user errors (the physics: tests/solvers/air)."""

import json

import pytest

from twin.cli import main


def test_verify_cavity_json(capsys):
    argv = ["verify", "cavity", "--n", "16", "--re", "100", "--backend", "numpy", "--json"]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"case", "params", "backend", "samples", "metrics", "reference_error"}
    assert result["case"] == "cavity" and result["backend"] == "numpy"
    samples = result["samples"]
    assert len(samples["y"]) == len(samples["u"]) == len(samples["x"]) == len(samples["v"]) == 17
    assert samples["y"] == sorted(samples["y"])
    assert set(result["reference_error"]) >= {"u_rms", "v_rms"}


def test_verify_text_without_table(capsys):
    assert main(["verify", "taylor-green", "--n", "16"]) == 0
    out = capsys.readouterr().out
    assert "energy_error" in out and "no reference table" in out


def test_verify_user_errors(capsys):
    assert main(["verify", "heat", "--n", "6"]) == 1
    assert "multiple of 4" in capsys.readouterr().err
    assert main(["verify", "cavity", "--re", "-5"]) == 1
    assert "positive" in capsys.readouterr().err
    assert main(["verify", "rack-box", "--spacing", "1.0"]) == 1
    assert "no cell centre" in capsys.readouterr().err
    assert main(["verify", "cavity", "--re", "1e9", "--n", "8"]) == 1
    assert "cavity: Re 1e+09 on 8 cells" in capsys.readouterr().err
    assert main(["verify", "heated-cavity", "--pr", "1e6", "--n", "8"]) == 1
    assert "Pr 1e+06 is outside" in capsys.readouterr().err
    assert main(["verify", "heat", "--n", "4096"]) == 1
    assert "heat: n = 4096: 4096 x 4096 x 4096 cells" in capsys.readouterr().err


def test_verify_text_says_when_not_steady(capsys):
    argv = ["verify", "heated-cavity", "--n", "8", "--pr", "0.001"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "not steady" in out and "no reference table" in out


@pytest.mark.parametrize(("argv", "message"), [
    (["heat", "--re", "5"], "--re does not apply to the heat case (it takes --n)"),
    (["rack-box", "--n", "8"], "--n does not apply to the rack-box case (it takes --spacing)"),
    (["cavity", "--pr", "7"], "--pr does not apply to the cavity case (it takes --n and --re)"),
    (["cavity", "--courant", "4"], "--courant sets the semi-Lagrangian step: it needs "
                                   "--advection semi-lagrangian"),
])
def test_options_a_case_does_not_take_are_refused(capsys, argv, message):
    """They were ignored: ``heat --re 5`` ran the heat case as if --re had not been given."""
    assert main(["verify", *argv]) == 1
    assert capsys.readouterr().err == f"halltwin verify: {message}\n"
