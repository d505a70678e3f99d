"""POST /api/runs/{run}/embeddings/{tensor}/export/html: the view as one HTML file (server/saved_page.py)."""

from __future__ import annotations

import base64
import json
import re
import time

import numpy as np
import pytest

from embedscope import Embedding
from embedscope.embedding import Collection
from embedscope.server import saved_page

BASE = "/api/runs/r0/embeddings/e0"
HOSTILE = "</script><script>alert(1)</script><!--"


def data() -> Collection:
    rng = np.random.default_rng(0)
    out = Collection(source="test-data")
    names = [f"w{i}" for i in range(40)]
    names[3] = HOSTILE
    blobs = np.repeat(np.eye(4, 5) * 20, 10, axis=0) + rng.standard_normal((40, 5))  # 4 groups of 10
    out.add(
        ".",
        Embedding(
            blobs.astype(np.float32),
            name="words",
            metadata={"word": names, "n": list(range(40)), "kind": ["a", "b"] * 20},
        ),
    )
    return out


@pytest.fixture
def api(make_client):
    if not (saved_page.STANDALONE / "embedscope.js").is_file():
        pytest.skip("the page's standalone build is missing: make web")
    return make_client(data())


def done(api) -> str:
    job_id = api.post(f"{BASE}/projections", json={"method": "pca"}).json()["id"]
    for _ in range(600):
        if api.get(f"/api/projections/{job_id}").json()["state"] == "done":
            return job_id
        time.sleep(0.05)
    raise AssertionError("the projection did not finish")


def embedded(page: str) -> dict:
    """The map's data the file holds (window.EMBEDSCOPE_STATIC)."""
    text = re.search(r"<script>window\.EMBEDSCOPE_STATIC = (.*?);</script>", page, re.S).group(1)
    return json.loads(text)


def test_the_file_holds_the_page_the_coordinates_and_the_columns(api) -> None:
    job_id = done(api)
    coords = np.frombuffer(api.get(f"/api/projections/{job_id}/coords", params={"format": "binary"}).content, "<f4")
    answer = api.post(
        f"{BASE}/export/html", json={"job_id": job_id, "columns": ["kind"], "title": "My words", "view": "method=pca"}
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert answer.headers["x-points"] == "40" and 'filename="My_words.html"' in answer.headers["content-disposition"]
    page = answer.text
    assert "<title>My words</title>" in page and page.count("<script>") == 2
    assert len(page) > 1_000_000  # the page's script is in it
    doc = embedded(page)
    assert doc["view"] == "method=pca" and doc["job"]["id"] == job_id and doc["job"]["state"] == "done"
    saved = np.frombuffer(base64.b64decode(doc["coords"]["data"]), "<f4")
    assert np.array_equal(saved, coords) and (doc["coords"]["n"], doc["coords"]["dims"]) == (40, 2)
    assert set(doc["columns"]) == {"word", "kind"}  # the label column always, and those asked for
    assert doc["columns"]["word"][3] == HOSTILE  # text kept as it is...
    assert HOSTILE not in page and page.count("</script>") == 2  # ...and never able to end the script early
    info = doc["runs"]["runs"][0]["embeddings"][0]
    assert [c["name"] for c in info["columns"]] == ["word", "kind"] and info["sprite"] is None
    assert doc["options"]["neighbors"]["k"]["default"] > 0 and doc["clusters"] is None


def test_the_file_can_hold_the_maps_clusters(api) -> None:
    job_id = done(api)
    api.post(f"/api/projections/{job_id}/clusters", json={"min_cluster_size": 5})
    doc = embedded(api.post(f"{BASE}/export/html", json={"job_id": job_id, "clusters": True}).text)
    assert doc["clusters"]["job_id"] == job_id and doc["clusters"]["clusters"]
    assert doc["title"] == "words"


def test_wrong_requests_get_the_error_shape(api, expect_error, monkeypatch, tmp_path) -> None:
    expect_error(api.post(f"{BASE}/export/html", json={"job_id": "nope"}), 404, "not_found")
    job_id = done(api)
    expect_error(api.post(f"{BASE}/export/html", json={"job_id": job_id, "columns": ["zzz"]}), 404, "not_found")
    expect_error(api.post(f"{BASE}/export/html", json={"job_id": job_id, "clusters": True}), 404, "not_found")
    expect_error(api.post(f"{BASE}/export/html", json={"job_id": job_id, "extra": 1}), 422, "parameter")
    monkeypatch.setattr(saved_page, "STANDALONE", tmp_path / "nothing")
    error = expect_error(api.post(f"{BASE}/export/html", json={"job_id": job_id}), 404, "not_found")
    assert "make web" in error["fix"]


def test_a_hostile_title_and_view_stay_text(api) -> None:
    job_id = done(api)
    title = '</title><script>alert("t")</script>'
    view = "method=pca&x=</script><script>alert(1)</script>"
    answer = api.post(f"{BASE}/export/html", json={"job_id": job_id, "title": title, "view": view})
    page = answer.text
    assert page.count("<script>") == 2 and "<script>alert" not in page  # only the two scripts of the page
    assert "<title>&lt;/title&gt;&lt;script&gt;" in page
    doc = embedded(page)
    assert doc["view"] == view and doc["title"] == title  # kept as written, inside the data
    assert "/" not in answer.headers["content-disposition"].split("filename=")[1].strip('"')
