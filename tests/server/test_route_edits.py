"""POST/GET /api/runs/{run}/embeddings/{tensor}/edits and DELETE .../edits/last: tags of the selection, seen at once by
the metadata, search and custom axes; GET .../metadata?format=tsv|parquet downloads the metadata with them."""

from __future__ import annotations

import io
import time
from typing import Any

import pyarrow.parquet as pq

BASE = "/api/runs/r0/embeddings/e0"


def tag(client, column: str, value: str, rows: list[int], where: str = BASE) -> Any:
    return client.post(f"{where}/edits", json={"column": column, "value": value, "rows": rows})


def values(client, column: str) -> list[Any]:
    return client.get(f"{BASE}/metadata", params={"columns": column, "format": "json"}).json()["data"][column]


def test_tag_list_and_undo(client) -> None:
    body = tag(client, "tag", "royal", [1, 0, 0]).json()
    assert [(e["column"], e["value"], e["rows"]) for e in body["edits"]] == [("tag", "royal", 2)]
    info = {c["name"]: c for c in body["embedding"]["columns"]}
    assert info["tag"]["type"] == "string" and body["embedding"]["label_column"] == "label"
    assert {d["value"]: d["count"] for d in info["tag"]["distinct"]} == {"": 6, "royal": 2}  # colours by it
    assert values(client, "tag") == ["royal", "royal"] + [""] * 6
    tag(client, "label", "Queen", [1])
    listed = client.get(f"{BASE}/edits").json()
    assert [e["value"] for e in listed["edits"]] == ["royal", "Queen"] and listed["embedding"]["id"] == "e0"
    assert client.get("/api/runs").json()["runs"][0]["embeddings"][0]["columns"][-1]["name"] == "tag"
    undone = client.delete(f"{BASE}/edits/last").json()
    assert [e["value"] for e in undone["edits"]] == ["royal"] and values(client, "label")[1] == "queen"
    client.delete(f"{BASE}/edits/last")
    assert "tag" not in [c["name"] for c in client.get(BASE).json()["columns"]]
    assert client.get(f"{BASE}/edits").json()["edits"] == []


def test_search_and_custom_axes_see_a_tag_at_once(client) -> None:
    tag(client, "tag", "chosen one", [2, 5])
    found = client.get(f"{BASE}/search", params={"q": "chosen", "column": "tag"}).json()
    assert found["indices"] == [2, 5]
    job = client.post(f"{BASE}/projections", json={"method": "custom", "params": {"column": "tag", "left": "chosen"}})
    job_id = job.json()["id"]
    for _ in range(300):
        status = client.get(f"/api/projections/{job_id}").json()
        if status["state"] == "done":
            break
        time.sleep(0.05)
    assert status["summary"]["counts"] == {"left": 2}


def test_downloads_follow_the_projectors_header_rule_and_parquet_keeps_types(client) -> None:
    tag(client, "tag", "royal", [0, 1])
    tag(client, "size", "2.5", [7])
    tsv = client.get(f"{BASE}/metadata", params={"format": "tsv"})
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert 'filename="words-metadata.tsv"' in tsv.headers["content-disposition"]
    lines = tsv.text.split("\n")
    assert lines[0] == "label\tkind\tsize\ttag" and lines[1] == "King\troyal\t0\troyal" and len(lines) == 10
    assert lines[8] == "zero\tnone\t2.5\t" and lines[9] == ""
    one = client.get(f"{BASE}/metadata", params={"format": "tsv", "columns": "tag"}).text
    assert one == "royal\nroyal\n" + "\n" * 6  # one column: no header line
    parquet = client.get(f"{BASE}/metadata", params={"format": "parquet"})
    assert parquet.headers["content-type"] == "application/vnd.apache.parquet"
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.column_names == ["label", "kind", "size", "tag"] and table.schema.field("size").type == "double"
    assert table.column("tag").to_pylist()[:3] == ["royal", "royal", ""]
    assert table.schema.metadata[b"embedscope.label_column"] == b"label"


def test_errors_are_4xx_in_the_one_shape(client, expect_error) -> None:
    expect_error(tag(client, "size", "big", [0]), 422, "parameter", match="column `size` holds numbers")
    expect_error(tag(client, "tag", "x", [8]), 422, "parameter", match="row 8 is not a row")
    expect_error(tag(client, "tag", "x", []), 422, "parameter", match="rows")
    expect_error(tag(client, "a\tb", "x", [0]), 422, "parameter", match="may not contain")
    expect_error(tag(client, "tag", "x", [-1]), 422, "parameter")
    expect_error(client.post(f"{BASE}/edits", json={"column": "t", "value": 3, "rows": [0]}), 422, "parameter")
    expect_error(client.post(f"{BASE}/edits", json={"column": "t", "value": "", "rows": [0], "x": 1}), 422, "parameter")
    expect_error(client.delete(f"{BASE}/edits/last"), 404, "not_found", match="no tag to undo")
    expect_error(tag(client, "tag", "x", [0], where="/api/runs/r9/embeddings/e0"), 404, "not_found")
    expect_error(client.get(f"{BASE}/metadata", params={"format": "csv"}), 422, "parameter")
    plain = "/api/runs/r0/embeddings/e1/metadata"
    expect_error(client.get(plain, params={"format": "tsv"}), 422, "parameter", match="no metadata to download")
    assert client.get(f"{BASE}/edits").json()["edits"] == []  # nothing refused was kept
    assert not (client.state.state_dir / "edits.json").exists()


def test_an_upload_gets_the_tags_again(client) -> None:
    tag(client, "kind", "crown", [0])
    upload = client.post(
        f"{BASE}/metadata", files={"file": ("m.tsv", "word\tkind\n" + "".join(f"w{i}\tk{i}\n" for i in range(8)))}
    )
    assert upload.status_code == 200, upload.text
    assert values(client, "kind")[:2] == ["crown", "k1"]


def test_tags_in_any_script_download_and_read_back(client, tmp_path) -> None:
    """Emoji joined by zero-width joiners, Persian with its non-joiner, CJK with an ideographic space, a no-break
    space: tags like any, and the downloaded TSV reads back to the same values."""
    from embedscope.formats.tsv import read_metadata

    emoji, persian = "\U0001f469\u200d\U0001f4bb", "\u0645\u06cc\u200c\u0631\u0648\u0645"
    given = [emoji, persian, "\u6771\u4eac\u3000\u30bf\u30ef\u30fc", "New\u00a0York"]
    for row, value in enumerate(given):
        assert tag(client, "tag", value, [row]).status_code == 200
    path = tmp_path / "m.tsv"
    path.write_bytes(client.get(f"{BASE}/metadata", params={"format": "tsv"}).content)
    assert read_metadata(path, n=8).column("tag").to_pylist()[:4] == given
