"""Coordinates computed elsewhere (--coords, columns x, y[, z]) read back as the Precomputed projection: every export
format round-trips, an isolated subset's export places its rows, and a file that does not fit says where."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from sklearn.datasets import load_digits

import embedscope
from embedscope import Embedding
from embedscope.errors import EmbedscopeError, FormatError, ParameterError
from embedscope.formats.coords import coords_table, read_coords, write_table


@pytest.fixture(scope="module")
def digits() -> Embedding:
    data = load_digits()
    labels = [f"{t}-{i}" for i, t in enumerate(data.target)]  # unique, so a mismatch is seen
    return Embedding(data.data.astype(np.float32), metadata={"name": labels, "digit": data.target.tolist()})


@pytest.fixture(scope="module")
def saved(digits: Embedding, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return digits.save(tmp_path_factory.mktemp("coords") / "digits.parquet")


@pytest.mark.parametrize("suffix", ["csv", "tsv", "parquet", "npy"])
@pytest.mark.parametrize("dims", [2, 3])
def test_an_exported_projection_reads_back_as_precomputed(digits, saved, tmp_path, suffix, dims) -> None:
    made = embedscope.project(digits, "pca", n_components=dims)
    exported = write_table(coords_table(digits, made.coords), tmp_path / f"pca.{suffix}")
    back = embedscope.load(saved, coords=exported)
    again = embedscope.project(back, "precomputed", n_components=dims)
    np.testing.assert_array_equal(again.coords, made.coords)
    assert again.extra["columns"] == list("xyz"[:dims]) and again.extra["missing"] == 0
    # the neighbours are those of the original vectors: the same picture keeps the same share of them
    assert again.quality == pytest.approx(made.quality)
    assert (
        back.label_column == "name"
        and back.metadata.column("digit").to_pylist() == digits.metadata.column("digit").to_pylist()
    )


def test_a_t_sne_exported_by_the_cli_reads_back(digits, saved, tmp_path) -> None:
    made = embedscope.project(digits, "tsne", params={"n_iter": 250}, quality=False)
    exported = write_table(coords_table(digits, made.coords), tmp_path / "tsne.csv")
    again = embedscope.project(embedscope.load(saved, coords=exported), "precomputed", quality=False)
    np.testing.assert_array_equal(again.coords, made.coords)


def test_an_isolated_subset_reads_back_with_the_other_rows_not_drawn(digits, saved, tmp_path) -> None:
    rows = np.arange(0, len(digits), 3)
    made = embedscope.project(digits, "pca", subset=rows)
    exported = write_table(coords_table(digits, made.coords, indices=rows), tmp_path / "subset.parquet")
    again = embedscope.project(embedscope.load(saved, coords=exported), "precomputed")
    np.testing.assert_array_equal(again.coords[rows], made.coords)
    others = np.setdiff1d(np.arange(len(digits)), rows)
    assert np.isnan(again.coords[others]).all() and again.extra["missing"] == len(others)
    assert 0 < again.quality <= 1  # measured among the rows drawn
    # isolating the rows that have coordinates draws them alone
    isolated = embedscope.project(embedscope.load(saved, coords=exported), "precomputed", subset=rows)
    np.testing.assert_array_equal(isolated.coords, made.coords)


def test_columns_named_otherwise_are_chosen_by_name(digits) -> None:
    table = pa.table({"umap_1": np.arange(len(digits), dtype=np.float64), "umap_2": -np.arange(len(digits))})
    emb = digits.with_columns(table)
    made = embedscope.project(emb, "precomputed", params={"columns": "umap_2, umap_1"}, quality=False)
    assert made.coords[5].tolist() == [-5.0, 5.0]
    assert made.extra["x_label"] == "umap_2"


def test_a_table_with_just_two_numeric_columns_is_read(tmp_path, digits) -> None:
    path = tmp_path / "c.csv"
    path.write_text("a,b\n" + "".join(f"{i},{2 * i}\n" for i in range(len(digits))))
    table = read_coords(path, n=len(digits))
    assert table.column_names == ["x", "y"] and table.column("y").to_pylist()[3] == 6.0


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("index,label,x,y\n0,0-0,1,2\n1,nope,1,2\n", "row 2 is labelled 'nope', but vector 1 is '1-1'"),
        ("index,x,y\n0,1,2\n5000,1,2\n", "row 2 has index 5,000, expected 0 to 1,796"),
        ("index,x,y\n0,1,2\n0,1,2\n", "names a vector twice"),
        ("index,x,y\n0.5,1,2\n", "`index` column holds double"),
        ("x,y\n1,2\n", "1 rows of coordinates for 1,797 vectors"),
        ("index,x,y\n0,1,left\n", "column 'y' holds string, expected numbers"),
        ("a,b,c,d\n1,2,3,4\n", "expected columns x, y"),
        ("index,x,y\n0,1\n", "expected 3 comma-separated fields"),
    ],
)
def test_a_file_that_does_not_fit_says_where(digits, tmp_path, content, match) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(FormatError, match=match) as info:
        read_coords(path, n=len(digits), labels=digits.labels)
    assert info.value.path is not None and "bad.csv" in str(info.value.path)


def test_other_files_are_refused_clearly(digits, saved, tmp_path) -> None:
    with pytest.raises(ParameterError, match=r"cannot read coordinates from a \.json file"):
        read_coords(tmp_path / "c.json", n=3)
    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((len(digits), 4), dtype=np.float32))
    with pytest.raises(FormatError, match=r"1,797 x 2 or 1,797 x 3 numbers, found \(1797, 4\)"):
        embedscope.load(saved, coords=wrong)
    with pytest.raises(EmbedscopeError, match=r"no such file|not found"):
        embedscope.load(saved, coords=tmp_path / "missing.csv")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_blocking(saved, tmp_path) -> None:
    fifo = tmp_path / "c.csv"
    os.mkfifo(fifo)
    with pytest.raises(EmbedscopeError, match=r"FIFO|not a regular file"):
        embedscope.load(saved, coords=fifo)


def test_the_spec_names_what_is_missing(digits) -> None:
    with pytest.raises(ParameterError, match="no metadata columns x, y with precomputed coordinates") as info:
        embedscope.project(digits, "precomputed")
    assert "['digit']" in (info.value.fix or "")
    with pytest.raises(ParameterError, match="names 2 columns for a 3-D projection"):
        embedscope.project(digits, "precomputed", n_components=3, params={"columns": "digit,digit"})
    with pytest.raises(ParameterError, match="`name` holds text"):
        embedscope.project(digits, "precomputed", params={"columns": "name,digit"})
    with pytest.raises(ParameterError, match="names a column twice"):
        embedscope.project(digits, "precomputed", params={"columns": "digit,digit"})


def test_rows_with_empty_or_infinite_coordinates_are_not_drawn(digits) -> None:
    x = np.arange(len(digits), dtype=np.float64)
    x[[3, 7]] = [np.nan, np.inf]
    emb = digits.with_columns(pa.table({"x": x, "y": x}))
    made = embedscope.project(emb, "precomputed", quality=False)
    assert np.isnan(made.coords[[3, 7]]).all() and made.extra["missing"] == 2
    few = digits.with_columns(pa.table({"x": np.full(len(digits), np.nan), "y": x}))
    with pytest.raises(ParameterError, match="only 0 of 1,797 rows have coordinates"):
        embedscope.project(few, "precomputed")


@pytest.mark.parametrize("suffix", ["csv", "tsv"])
def test_labels_that_look_like_numbers_read_back_as_written(tmp_path, suffix) -> None:
    """A vocabulary holds "007", "1.50", "nan", "1e5": an export's label column is compared as text, not re-typed as
    numbers (which would give "7", "1.5", "" and a false mismatch)."""
    labels = ["007", "1.50", "nan", "1e5", "-0", "42"]
    emb = Embedding(np.eye(6, 4, dtype=np.float32), metadata={"label": labels})
    exported = write_table(coords_table(emb, np.arange(12, dtype=np.float32).reshape(6, 2)), tmp_path / f"c.{suffix}")
    table = read_coords(exported, n=6, labels=emb.labels)
    assert table.column("y").to_pylist() == [1.0, 3.0, 5.0, 7.0, 9.0, 11.0]


def test_a_column_named_twice_is_refused(tmp_path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("x,y,x\n1,2,3\n4,5,6\n7,8,9\n")
    with pytest.raises(FormatError, match="the column 'x' appears twice"):
        read_coords(path, n=3)
