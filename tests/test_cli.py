"""The command line: check, claims, graph; errors without tracebacks; check stays free of torch and fast."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from thermosym.cli import app
from thermosym.results import validate_results

ROOT = Path(__file__).parents[1]
runner = CliRunner()


def test_check_json_lists_every_claim(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["check", "--json", str(out)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    validate_results(doc)
    ids = [c["id"] for c in doc["claims"]]
    assert {i for i in ids if not i.startswith("DER-")} >= {f"TL-{n:02d}" for n in range(1, 23)}
    assert {f"HC-{n:02d}" for n in range(1, 25)} <= set(ids)
    tl03 = next(c for c in doc["claims"] if c["id"] == "TL-03")
    assert tl03["source"]["document"] == "TL" and tl03["source"]["section"].endswith("Parameter Energy")
    assert tl03["readings"][0]["name"] == "as-written"


def test_check_with_user_file(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = runner.invoke(app, ["check", str(ROOT / "examples" / "equipartition.toml"), "--json", str(out)])
    assert result.exit_code == 0, result.output
    ids = [c["id"] for c in json.loads(out.read_text())["claims"]]
    assert "EX-01" in ids and "TL-01" in ids


def test_malformed_file_gives_clear_error_and_nonzero_exit(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[document]\nid = "BD"\ntitle = "b"\n[[claims]]\nid = "BD-01"\nsection = "s"\ntext = "t"\n'
        'kind = "law"\nstatement = "Eq(E, 1)"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [sys.executable, "-m", "thermosym.cli", "check", str(bad), "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert f"{bad}:9 (claim BD-01)" in proc.stderr and "unknown name 'E'" in proc.stderr
    doc = json.loads(out.read_text())  # the rest is still computed and written
    assert doc["errors"][0]["claim"] == "BD-01" and len(doc["claims"]) >= 46


def test_claims_table() -> None:
    result = runner.invoke(app, ["claims"])
    assert result.exit_code == 0
    assert "TL-03" in result.output and "HC-24" in result.output


def test_graph_command(tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    result = runner.invoke(app, ["graph", "--format", "graphml", "--out", str(out)])
    assert result.exit_code == 0 and out.exists()
    assert runner.invoke(app, ["graph", "--format", "gif"]).exit_code == 2


def test_check_does_not_import_torch() -> None:
    code = (
        "import sys; from thermosym.cli import app; from thermosym.check import run_check; run_check(); "
        "print('torch' in sys.modules)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"
