import os
import subprocess
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

import orchestrator  # noqa: E402
import processor  # noqa: E402
import scoring  # noqa: E402
import validate  # noqa: E402


def test_batches_split_evenly_and_keep_the_rest():
    assert [len(b) for b in processor.batches(range(5), 2)] == [2, 2, 1]


def test_normalise_rejects_non_numbers():
    assert processor.normalise({"name": " X ", "value": "oops"}) is None
    assert processor.normalise({"name": " X ", "value": "-3"}) == {"name": "x", "value": 0.0}


def test_score():
    assert scoring.score({"name": "apple", "value": 2}) == 3.0
    assert scoring.score({"name": "pear", "value": 0}) == 0.0


def test_validate_flags_empty_inputs():
    assert validate.check([{"input": "a", "count": 0, "rejected": 0, "batches": 0}], [1.0]) == [
        "a: empty input", "a: no batches"]


def test_processor_runs_as_a_program(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("name,value\nalpha,1\nbeta,x\n")
    out = tmp_path / "out.json"
    subprocess.run([sys.executable, os.path.join(HERE, "processor.py"), "--batch-size", "1000",
                    "--output", str(out), str(src)], check=True)
    assert '"count": 1' in out.read_text()


def test_whole_pipeline(capsys):
    assert orchestrator.main(["--workers", "2"]) == 0
    assert "pipeline: 3 files" in capsys.readouterr().out
