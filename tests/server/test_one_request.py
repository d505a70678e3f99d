"""One projection request, whichever door it comes through: the CLI and the HTTP API build the same ProjectionSpec,
share one cache entry, and never serve one metadata column's custom axes for another's.

Data: scikit-learn's digits (1,797 real 8x8 images), labelled by their digit.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from click.testing import CliRunner
from sklearn.datasets import load_digits

from embedscope.cli import cli
from embedscope.embedding import Collection, Embedding
from embedscope.formats.registry import load_collection

CUSTOM = ["--method", "custom", "--left", "^3$", "--right", "^8$", "--regex"]


@pytest.fixture(scope="module")
def digits(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """digits.npy (1,797 x 64) and the digit of each row."""
    data = load_digits()
    folder = tmp_path_factory.mktemp("digits")
    np.save(folder / "digits.npy", data.data.astype(np.float32))
    return folder / "digits.npy", data.target


def _metadata(folder: Path, name: str, labels: np.ndarray) -> Path:
    path = folder / name
    path.write_text("".join(f"{label}\n" for label in labels))
    return path


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _coords(path: Path) -> np.ndarray:
    return np.asarray(pa_csv.read_csv(path).select(["x", "y"]).to_pandas(), dtype=np.float32)


def test_custom_axes_from_the_cli_follow_the_metadata_file(digits, tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    vectors, target = digits
    m1 = _metadata(tmp_path, "m1.tsv", target)
    m2 = _metadata(tmp_path, "m2.tsv", (target + 1) % 10)  # the same patterns match other rows
    first = _cli("project", str(vectors), *CUSTOM, "--metadata", str(m1), "-o", str(tmp_path / "a.csv"))
    second = _cli("project", str(vectors), *CUSTOM, "--metadata", str(m2), "-o", str(tmp_path / "b.csv"))
    assert "from cache" not in first and "from cache" not in second
    a, b = _coords(tmp_path / "a.csv"), _coords(tmp_path / "b.csv")
    assert not np.allclose(a, b)
    # the "3" images lie left of the "8" images under m1; under m2 the labels 3 and 8 are the digits 2 and 7
    assert a[target == 3, 0].mean() < a[target == 8, 0].mean()
    assert b[target == 2, 0].mean() < b[target == 7, 0].mean()
    again = _cli("project", str(vectors), *CUSTOM, "--metadata", str(m1), "-o", str(tmp_path / "c.csv"))
    assert "from cache" in again
    np.testing.assert_array_equal(_coords(tmp_path / "c.csv"), a)


def _wait(api, job_id: str) -> dict:
    for _ in range(1200):  # a guard against a hang, far above what the job needs
        status = api.get(f"/api/projections/{job_id}").json()
        if status["state"] in ("done", "failed", "cancelled"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_custom_axes_over_http_follow_the_column(digits, make_client):
    vectors, target = digits
    meta = pa.table({"digit": [str(t) for t in target], "shifted": [str((t + 1) % 10) for t in target]})
    data = Collection(source="test")
    data.add(".", Embedding(np.load(vectors), name="digits", metadata=meta))
    api = make_client(data)
    body = {"method": "custom", "params": {"left": "^3$", "right": "^8$", "regex": True}}
    runs = {}
    for column in ("digit", "shifted"):
        started = api.post(
            "/api/runs/r0/embeddings/e0/projections", json={**body, "params": {**body["params"], "column": column}}
        )
        status = _wait(api, started.json()["id"])
        assert status["state"] == "done" and status["summary"]["column"] == column
        coords = api.get(f"/api/projections/{status['id']}/coords?format=json").json()["coords"]
        runs[column] = (status["id"], np.asarray(coords))
    assert runs["digit"][0] != runs["shifted"][0]
    assert not np.allclose(runs["digit"][1], runs["shifted"][1])


def test_the_same_tsne_from_the_cli_then_over_http_is_one_computation(digits, tmp_path, monkeypatch, make_client):
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    vectors, _ = digits
    args = ["--method", "tsne", "--perplexity", "20", "--iterations", "300", "--seed", "3"]
    printed = _cli("project", str(vectors), *args, "-o", str(tmp_path / "t.csv"))
    assert "from cache" not in printed
    api = make_client(load_collection(vectors), cache_dir=None)  # the default cache: where the CLI wrote
    body = {"method": "tsne", "params": {"perplexity": 20, "n_iter": 300}, "random_state": 3}
    status = api.post("/api/runs/r0/embeddings/e0/projections", json=body).json()
    assert status["state"] == "done" and status["summary"]["cached"] is True  # answered at once, not queued
    coords = api.get(f"/api/projections/{status['id']}/coords?format=binary")
    served = np.frombuffer(coords.content, dtype="<f4").reshape(-1, 2)
    np.testing.assert_array_equal(served, _coords(tmp_path / "t.csv"))
