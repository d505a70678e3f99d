"""POST .../compare: two served embeddings of the digits compared by their neighbourhoods. The same images with a
little noise share nearly all their neighbours, a shuffled copy about chance; the overlap becomes a numeric column of
the first embedding; items in one embedding only are counted and named."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from sklearn.datasets import load_digits

from embedscope.embedding import Collection, Embedding

BASE = "/api/runs/r0/embeddings/e0/compare"


@pytest.fixture
def api(make_client):
    data = load_digits()
    x = data.data.astype(np.float32)
    labels = [f"img{i}" for i in range(len(x))]
    rng = np.random.default_rng(0)
    noisy = x + rng.normal(scale=0.02 * x.std(), size=x.shape).astype(np.float32)
    shuffled = x[rng.permutation(len(x))]
    served = Collection(source="test")
    served.add(".", Embedding(x, name="digits", metadata={"name": labels, "digit": data.target.tolist()}))
    keep = np.arange(10, len(x))  # the first 10 images left out, 3 new ones added
    extra = {"name": [labels[i] for i in keep] + ["new0", "new1", "new2"]}
    served.add(".", Embedding(np.vstack([noisy[keep], noisy[:3]]), name="noisy", metadata=extra))
    served.add(".", Embedding(shuffled, name="shuffled", metadata={"name": labels}))
    return make_client(served)


def test_a_slightly_noisy_copy_keeps_its_neighbours(api) -> None:
    answer = api.post(BASE, json={"run": "r0", "tensor": "noisy", "k": 10}).json()
    assert answer["other"] == {"run": "r0", "tensor": "e1", "name": "noisy"}
    assert answer["shared"] == 1787 and answer["only_here"] == 10 and answer["only_there"] == 3
    assert answer["only_here_labels"] == [f"img{i}" for i in range(10)]
    assert answer["only_there_labels"] == ["new0", "new1", "new2"]
    assert answer["mean_overlap"] > 0.9 and answer["percentiles"]["p50"] >= 0.9
    assert answer["mean_rank_correlation"] > 0.7
    assert sum(answer["histogram"]) == 1787 and answer["chance"] == pytest.approx(10 / 1786)
    assert len(answer["histogram"]) == 11 and answer["histogram_bins"][7] == "7 of 10"
    assert answer["histogram"][10] == sum(1 for v in overlap_of(api)[10:] if v == 1.0)
    columns = {c["name"]: c["type"] for c in answer["embedding"]["columns"]}
    assert columns["neighbour_overlap"] == "numeric" and columns["neighbour_rank_correlation"] == "numeric"
    table = api.get("/api/runs/r0/embeddings/e0/metadata", params={"format": "json"}).json()
    overlap = table["data"]["neighbour_overlap"]
    assert overlap[:10] == [None] * 10  # not in the other embedding: not compared
    assert np.mean(overlap[10:]) == pytest.approx(answer["mean_overlap"], abs=1e-6)


def overlap_of(api) -> list[float | None]:
    return api.get("/api/runs/r0/embeddings/e0/metadata", params={"format": "json"}).json()["data"]["neighbour_overlap"]


def test_a_shuffled_copy_shares_about_chance(api) -> None:
    answer = api.post(BASE, json={"run": "r0", "tensor": "shuffled", "k": 10, "metric": "euclidean"}).json()
    assert answer["shared"] == 1797 and answer["only_here"] == answer["only_there"] == 0
    assert answer["mean_overlap"] < 3 * answer["chance"]


def test_by_row_and_bad_requests(api, expect_error) -> None:
    by_row = api.post(BASE, json={"run": "r0", "tensor": "e2", "by": "row", "k": 5}).json()
    assert by_row["shared"] == 1797 and by_row["k"] == 5 and len(by_row["histogram"]) == 6
    wide = api.post(BASE, json={"run": "r0", "tensor": "e2", "by": "row", "k": 30}).json()
    assert len(wide["histogram"]) == 10 and wide["histogram_bins"][0] == "0-10%" and sum(wide["histogram"]) == 1797
    by_row_unequal = api.post(BASE, json={"run": "r0", "tensor": "e1", "by": "row"})
    expect_error(by_row_unequal, 422, "parameter", match="as many rows")
    expect_error(api.post(BASE, json={"run": "r0", "tensor": "e9"}), 404, "not_found")
    expect_error(api.post(BASE, json={"run": "r0", "tensor": "e1", "k": 0}), 422, "parameter")
    expect_error(api.post(BASE, json={"run": "r0", "tensor": "e1", "extra": 1}), 422, "parameter")


def test_labels_that_repeat_cannot_be_matched(make_client, expect_error) -> None:
    served = Collection(source="test")
    x = np.random.default_rng(1).normal(size=(20, 4)).astype(np.float32)
    served.add(".", Embedding(x, name="a", metadata=pa.table({"w": ["same"] * 20})))
    served.add(".", Embedding(x, name="b", metadata=pa.table({"w": [str(i) for i in range(20)]})))
    api = make_client(served)
    expect_error(api.post(BASE, json={"run": "r0", "tensor": "e1"}), 422, "parameter", match="more than once")


def test_a_second_comparison_survives_later_tags(api) -> None:
    """The overlap column of the latest comparison stays when points are tagged afterwards, even after a tag of that
    very column (which is laid over the new values, as over an upload)."""
    api.post(BASE, json={"run": "r0", "tensor": "noisy", "k": 10})
    edit = {"column": "neighbour_overlap", "value": "0.5", "rows": [20]}
    tagged = api.post("/api/runs/r0/embeddings/e0/edits", json=edit)
    assert tagged.status_code == 200, tagged.text
    second = api.post(BASE, json={"run": "r0", "tensor": "shuffled", "k": 10}).json()
    latest = overlap_of(api)
    assert latest[20] == 0.5 and np.mean(latest[21:]) < 3 * second["chance"]  # the shuffled copy's, the tag on top
    api.post("/api/runs/r0/embeddings/e0/edits", json={"column": "picked", "value": "yes", "rows": [1]})
    assert overlap_of(api) == latest  # not the first comparison's values again
    api.delete("/api/runs/r0/embeddings/e0/edits/last")
    api.delete("/api/runs/r0/embeddings/e0/edits/last")
    assert overlap_of(api)[21:] == latest[21:] and overlap_of(api)[20] != 0.5


def test_a_comparison_too_large_is_refused_before_any_work(api, expect_error, monkeypatch) -> None:
    """k x items is bounded (two N x k neighbour graphs are built and kept), and the body is strict as the schema says:
    no true for 1, no "5" for 5."""
    from embedscope.server.routes import compare as route

    monkeypatch.setattr(route, "MAX_PAIRS", 1790 * 10)  # the noisy copy has 1,790 rows
    monkeypatch.setattr(route, "compare", lambda *a, **k: pytest.fail("computed"))
    error = expect_error(api.post(BASE, json={"run": "r0", "tensor": "noisy", "k": 11}), 422, "parameter")
    assert error["field"] == "k" and "k at most 10 here" in error["fix"]
    expect_error(api.post(BASE, json={"run": "r0", "tensor": "e1", "k": True}), 422, "parameter")
    expect_error(api.post(BASE, json={"run": "r0", "tensor": "e1", "k": "5"}), 422, "parameter")
