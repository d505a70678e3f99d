"""A metadata file for the vectors (formats/metadata_file.py): a projector TSV or a Parquet table, told apart by
Parquet's magic bytes; the page's downloads (TSV and Parquet, tags included) are served back with the vectors by
`embedscope serve VECTORS --metadata FILE`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from embedscope import Embedding, load
from embedscope.cli import cli
from embedscope.errors import FormatError, MetadataError
from embedscope.formats.metadata_file import read_metadata_file
from embedscope.formats.registry import load_collection


def test_a_tsv_is_read_with_the_projectors_rules_and_parquet_keeps_its_types(tmp_path: Path) -> None:
    tsv = tmp_path / "m.tsv"
    tsv.write_text("word\tcount\na\t1\nb\t\n")
    assert read_metadata_file(tsv, n=2).to_pydict() == {"word": ["a", "b"], "count": [1, None]}
    parquet = tmp_path / "m.parquet"
    cat = pa.array(["x", "y"]).dictionary_encode()
    pq.write_table(pa.table({"word": ["a", "b"], "count": [1.5, 2.0], "cat": cat, "code": ["01", "02"]}), parquet)
    table = read_metadata_file(parquet, n=2)
    assert table.to_pydict() == {"word": ["a", "b"], "count": [1.5, 2.0], "cat": ["x", "y"], "code": ["01", "02"]}
    with pytest.raises(MetadataError, match="2 rows for 3 vectors"):
        read_metadata_file(parquet, n=3)
    named = tmp_path / "no-suffix"  # the content decides, not the name
    named.write_bytes(parquet.read_bytes())
    assert read_metadata_file(named, n=None).num_rows == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "m.tsv")
    with pytest.raises(FormatError, match="found a FIFO"):
        read_metadata_file(tmp_path / "m.tsv", n=2)


def served(argv: list[str], monkeypatch) -> Any:
    """The collection `embedscope serve ARGV` would serve (the server itself not started)."""
    from embedscope.server import launch

    got: dict[str, Any] = {}
    monkeypatch.setattr(launch, "serve", lambda collection, settings, **kw: got.setdefault("c", collection))
    result = CliRunner().invoke(cli, ["serve", *argv])
    assert result.exit_code == 0, result.output
    return got["c"]


@pytest.mark.parametrize("vectors_file", ["vectors.npy", "vectors.tsv"])
def test_downloaded_metadata_is_served_back_with_the_vectors(tmp_path, make_client, monkeypatch, vectors_file) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(6, 4)).astype(np.float32)
    labels = ["ant", "bee", "cat", "dog", "eel", "fox"]
    source = Embedding(vectors, name="animals", metadata={"label": labels, "legs": [6, 6, 4, 4, 0, 4]})
    path = tmp_path / vectors_file
    source.save(path)
    client = make_client(load_collection(path))
    base = "/api/runs/r0/embeddings/e0"
    client.post(f"{base}/edits", json={"column": "flies", "value": "yes", "rows": [0, 1]})
    client.post(f"{base}/edits", json={"column": "label", "value": "hound", "rows": [3]})
    for fmt in ("tsv", "parquet"):
        download = client.get(f"{base}/metadata", params={"format": fmt})
        assert download.status_code == 200, download.text
        saved = tmp_path / f"downloaded.{fmt}"
        saved.write_bytes(download.content)
        emb = served([str(path), "--metadata", str(saved), "--no-warm-up"], monkeypatch).get()
        assert emb.metadata is not None and emb.metadata.column_names == ["label", "legs", "flies"]
        assert emb.labels == ["ant", "bee", "cat", "hound", "eel", "fox"]
        assert emb.metadata.column("flies").to_pylist() == ["yes", "yes", "", "", "", ""]
        assert emb.metadata.column("legs").to_pylist() == [6, 6, 4, 4, 0, 4]
        np.testing.assert_array_equal(np.asarray(emb.vectors), vectors)
        again = load(path, metadata=saved)  # the Python API reads it too
        assert again.labels == emb.labels
