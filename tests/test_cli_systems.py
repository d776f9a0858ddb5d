"""``thermosym systems``: the invocations issue 5 names work as written, as tables and as JSON."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from thermosym.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "argv",
    [
        ["systems", "perceptron", "--alpha", "0.5", "1", "2", "5", "10"],
        ["systems", "curie-weiss", "--n", "20", "--temperature", "0.6", "0.8", "1.0", "1.2"],
        ["systems", "curie-weiss", "--temperature", "0.6", "0.8", "1.0", "1.2"],
        ["systems", "deep-linear", "--widths", "10", "5", "10", "--rank", "2"],
        ["systems", "sgd-quadratic", "--hessian", "0.5", "1", "2", "--lr", "0.5", "--batch", "2"],
        ["systems", "quadratic"],
        ["systems", "linear-regression"],
        ["systems", "langevin-trap"],
    ],
)
def test_invocations(argv: list[str]) -> None:
    table = runner.invoke(app, argv)
    assert table.exit_code == 0, table.output
    rows = json.loads(runner.invoke(app, [*argv, "--json"]).output)
    assert rows and isinstance(rows[0], dict)


def test_values_in_json() -> None:
    rows = json.loads(
        runner.invoke(app, ["systems", "deep-linear", "--widths", "10", "5", "10", "--rank", "2", "--json"]).output
    )
    assert rows[0]["lambda"] == 29 and rows[0]["multiplicity"] == 2
    rows = json.loads(
        runner.invoke(
            app, ["systems", "sgd-quadratic", "--hessian", "0.5", "1", "2", "--lr", "0.5", "--batch", "2", "--json"]
        ).output
    )
    # T_i = ησ²/(B(2 − ηh_i)) with σ² = 1
    eta, batch = 0.5, 2
    assert [r["temperature"] for r in rows] == pytest.approx([eta / (batch * (2 - eta * h)) for h in (0.5, 1, 2)])
    rows = json.loads(
        runner.invoke(app, ["systems", "curie-weiss", "--n", "20", "--temperature", "1.0", "--json"]).output
    )
    assert rows[0]["n_spins"] == 20


def test_listing_and_errors() -> None:
    listing = runner.invoke(app, ["systems"])
    assert listing.exit_code == 0 and "perceptron" in listing.output
    assert runner.invoke(app, ["systems", "nonsense"]).exit_code == 2
    unstable = runner.invoke(app, ["systems", "sgd-quadratic", "--hessian", "5", "--lr", "0.5", "--batch", "2"])
    assert unstable.exit_code == 2 and "unstable" in unstable.output
