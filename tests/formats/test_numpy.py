"""NumPy .npy (memory-mapped) and .npz: files made by numpy, pickles refused, every error by its message."""

from __future__ import annotations

import logging
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import embedscope
from embedscope.errors import FormatError, IntegrityError, NotFoundError
from embedscope.formats import numpy as npformat
from embedscope.formats.registry import sniff

FIXTURES = Path(__file__).parent.parent / "fixtures" / "numpy"


def is_memmap(arr: np.ndarray) -> bool:
    return isinstance(arr, np.memmap) or isinstance(getattr(arr, "base", None), np.memmap)


# -- .npy --------------------------------------------------------------------------------------------
def test_float32_npy_stays_memory_mapped() -> None:
    path = FIXTURES / "vectors.npy"
    assert sniff(path) == "npy"
    emb = embedscope.load(path)
    assert is_memmap(emb.vectors)
    assert not emb.vectors.flags.writeable
    assert np.array_equal(emb.vectors, np.load(path))
    assert emb.name == "vectors"
    assert emb.labels[:2] == ["0", "1"]


def test_other_dtypes_are_converted_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    path = FIXTURES / "vectors_float64.npy"
    with caplog.at_level(logging.WARNING):
        emb = embedscope.load(path)
    assert "converting float64 to float32" in caplog.text
    assert emb.vectors.dtype == np.float32
    assert np.array_equal(emb.vectors, np.load(path).astype(np.float32))


@pytest.mark.parametrize("dtype", ["float16", "int32", "uint8", ">f4"])
def test_numeric_dtypes(tmp_path: Path, dtype: str) -> None:
    arr = (np.arange(12).reshape(4, 3) % 7).astype(dtype)
    np.save(tmp_path / "v.npy", arr)
    emb = embedscope.load(tmp_path / "v.npy")
    assert emb.vectors.dtype == np.float32
    assert np.array_equal(emb.vectors, arr.astype(np.float32))


def test_fortran_order_stays_mapped(tmp_path: Path) -> None:
    arr = np.asfortranarray(np.random.default_rng(0).standard_normal((50, 7)).astype(np.float32))
    np.save(tmp_path / "f.npy", arr)
    emb = embedscope.load(tmp_path / "f.npy")
    assert is_memmap(emb.vectors)
    assert np.array_equal(emb.vectors, arr)


def test_3d_npy() -> None:
    with pytest.raises(FormatError, match=r"expected a 2-D N x D matrix, found 3-D with shape \(60, 3, 4\); .*reshape"):
        embedscope.load(FIXTURES / "tensor3d.npy")


def test_object_array_is_refused() -> None:
    with pytest.raises(FormatError, match=r"objects.npy: the array holds Python objects .*does not unpickle"):
        embedscope.load(FIXTURES / "objects.npy")


def test_pickle_and_junk_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.npy"
    path.write_bytes(pickle.dumps(np.zeros((3, 2))))
    with pytest.raises(FormatError, match=r"this is a Python pickle, not a NumPy \.npy file; .*does not unpickle"):
        embedscope.load(path)
    path.write_bytes(b"hello world, not numbers")
    with pytest.raises(FormatError, match=r"not a NumPy \.npy file: it starts with b'hello wo'"):
        embedscope.load(path, format="npy")


def test_empty_truncated_and_damaged_npy(tmp_path: Path) -> None:
    path = tmp_path / "v.npy"
    path.write_bytes(b"")
    with pytest.raises(FormatError, match="the file is empty"):
        embedscope.load(path, format="npy")
    data = (FIXTURES / "vectors.npy").read_bytes()
    path.write_bytes(data[:-100])
    with pytest.raises(
        FormatError, match=r"truncated: the header says \(60, 12\) float32 = 2,880 bytes of data, the file holds 2,780"
    ):
        embedscope.load(path)
    path.write_bytes(data[:40])
    with pytest.raises(FormatError, match=r"the \.npy header cannot be read"):
        embedscope.load(path)


@pytest.mark.parametrize("order", ["C", "F"])
def test_nan_names_the_row(tmp_path: Path, order: str) -> None:
    arr = np.ones((30, 5), dtype=np.float32, order=order)  # type: ignore[call-overload]
    arr[17, 3] = np.nan
    np.save(tmp_path / "v.npy", arr)
    with pytest.raises(FormatError, match=r"v\.npy: row 18, column 4 holds nan, expected a finite number"):
        embedscope.load(tmp_path / "v.npy")


def test_empty_matrix(tmp_path: Path) -> None:
    np.save(tmp_path / "v.npy", np.zeros((0, 4), np.float32))
    assert embedscope.load(tmp_path / "v.npy").shape == (0, 4)


# -- .npz --------------------------------------------------------------------------------------------
def test_npz_with_several_arrays(caplog: pytest.LogCaptureFixture) -> None:
    path = FIXTURES / "several.npz"
    assert sniff(path) == "npz"
    with caplog.at_level(logging.WARNING):
        collection = embedscope.load_collection(path)
    assert "skipping `counts`: 1-D" in caplog.text
    assert "skipping `cube`: 3-D" in caplog.text
    names = sorted(emb.name for _, emb in collection)
    assert names == ["embedding", "hidden"]
    with np.load(path) as archive:
        words = [str(w) for w in archive["words"]]
        embedding, hidden = archive["embedding"], archive["hidden"]
    emb = collection.get(tensor="embedding")
    assert np.array_equal(emb.vectors, embedding)
    assert emb.labels == words
    assert emb.metadata is not None and emb.metadata.schema.field("label").type == pa.string()
    assert emb["日本語"].shape == (12,)
    other = collection.get(tensor="hidden")
    assert other.vectors.dtype == np.float32 and np.array_equal(other.vectors, hidden.astype(np.float32))
    assert other.labels == words
    assert embedscope.load(path).name == "embedding"  # the one named like an embedding


def test_npz_labels_as_bytes_and_unmatched_length(tmp_path: Path) -> None:
    path = tmp_path / "v.npz"
    np.savez(path, vectors=np.ones((3, 2)), vocab=np.array([b"a", b"b", b"c"]), names=np.array(["x", "y"]))
    emb = embedscope.load(path)
    assert emb.labels == ["a", "b", "c"]
    np.savez(path, vectors=np.ones((3, 2)), names=np.array(["x", "y"]))
    assert embedscope.load(path).labels == ["0", "1", "2"]


def test_npz_with_nothing_usable() -> None:
    with pytest.raises(FormatError, match=r"no 2-D numeric array to use as vectors \(`counts`: 1-D .*; `cube`: 3-D"):
        embedscope.load(FIXTURES / "only_1d.npz")


def test_npz_object_arrays_are_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "o.npz"
    np.savez(path, labels=np.array(["a", 1], dtype=object))
    with pytest.raises(FormatError, match=r"`labels`: Python objects \(a pickle\), which embedscope does not load"):
        embedscope.load(path)
    np.savez(path, vectors=np.ones((2, 3), np.float32), labels=np.array(["a", 1], dtype=object))
    with caplog.at_level(logging.WARNING):
        emb = embedscope.load(path)
    assert "skipping array `labels`" in caplog.text and "Python objects" in caplog.text
    assert emb.shape == (2, 3)


def test_npz_nan_names_key_and_row(tmp_path: Path) -> None:
    arr = np.zeros((4, 2))
    arr[2, 1] = np.inf
    np.savez(tmp_path / "v.npz", vectors=arr)
    pattern = r"v\.npz field `vectors`: array `vectors` row 3, column 2 holds inf, expected a finite number"
    with pytest.raises(FormatError, match=pattern):
        embedscope.load(tmp_path / "v.npz")


def test_npz_damaged(tmp_path: Path) -> None:
    path = tmp_path / "v.npz"
    np.savez(path, vectors=np.arange(4000, dtype=np.float32).reshape(1000, 4))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("vectors.npy")
    data[info.header_offset + 30 + len(info.filename) + 200] ^= 0xFF  # a byte of the stored array
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="CRC-32"):
        embedscope.load(path)
    path.write_bytes(b"PK\x03\x04 but not a zip")
    with pytest.raises(FormatError, match=r"not a readable \.npz archive"):
        embedscope.load(path)


# -- writing -----------------------------------------------------------------------------------------
def test_write_npy_with_metadata_beside(tmp_path: Path) -> None:
    vectors = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    emb = embedscope.Embedding(vectors, metadata=pa.table({"word": ["a", "b", "c", "1", "é"], "n": [1, 2, 3, 4, 5]}))
    out = npformat.write(emb, tmp_path / "out.npy")
    assert out == tmp_path / "out.npy"
    assert np.array_equal(np.load(out), vectors)
    assert (tmp_path / "out_metadata.tsv").is_file()
    back = embedscope.load(out)
    assert is_memmap(back.vectors)
    assert back.labels == ["a", "b", "c", "1", "é"]
    assert back.metadata is not None and back.metadata.column_names == ["word", "n"]


def test_write_over_its_own_memory_mapped_source(tmp_path: Path) -> None:
    np.save(tmp_path / "v.npy", np.arange(12, dtype=np.float32).reshape(4, 3))
    emb = embedscope.load(tmp_path / "v.npy")
    assert is_memmap(emb.vectors)
    doubled = embedscope.Embedding(embedscope.load(tmp_path / "v.npy").vectors * 2)
    emb.save(tmp_path / "v.npy")
    doubled.save(tmp_path / "w.npy")
    assert np.array_equal(np.load(tmp_path / "v.npy"), np.arange(12, dtype=np.float32).reshape(4, 3))
    assert not (tmp_path / "v_metadata.tsv").exists()
    assert np.array_equal(embedscope.load(tmp_path / "w.npy").vectors, np.load(tmp_path / "v.npy") * 2)


def test_stale_metadata_beside_is_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    np.save(tmp_path / "v.npy", np.ones((3, 2), np.float32))
    (tmp_path / "v_metadata.tsv").write_text("a\nb\n")
    with caplog.at_level(logging.WARNING):
        emb = embedscope.load(tmp_path / "v.npy")
    assert "does not fit it" in caplog.text
    assert emb.metadata is None


def test_npz_format_on_a_file_that_is_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "v.npz"
    np.save(path.with_suffix(".npy"), np.ones((2, 2), np.float32))
    path.write_bytes(path.with_suffix(".npy").read_bytes())
    with pytest.raises(
        FormatError, match=r"v\.npz: not a zip archive \(\.npz\): it looks like a NumPy \.npy file"
    ) as info:
        embedscope.load(path, format="npz")
    assert "pickle" not in str(info.value) and "read it with --format npy" in str(info.value)
    path.write_text("0.1\t0.2\n")
    with pytest.raises(FormatError, match=r"not a zip archive \(\.npz\): it looks like tab-separated text"):
        embedscope.load(path, format="npz")


def test_npy_format_on_a_tsv_says_what_it_looks_like(tmp_path: Path) -> None:
    path = tmp_path / "good.tsv"
    path.write_text("0.1\t0.2\n0.3\t0.4\n")
    message = r"good\.tsv: not a NumPy \.npy file: .*it looks like tab-separated text \(first line '0\.1\\t0\.2'\)"
    with pytest.raises(FormatError, match=message) as info:
        embedscope.load(path, format="npy")
    assert "name its format" not in str(info.value)
    assert "a projector vectors TSV is read with --format tsv" in str(info.value)


def test_npz_chosen_array_is_the_only_one_read(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bad = np.ones((3, 2))
    bad[1, 0] = np.nan
    path = tmp_path / "v.npz"
    np.savez(path, vectors=np.eye(3), decoder=bad, token_ids=np.arange(50), words=np.array(["a", "b", "c"]))
    emb = embedscope.load(path, tensor="vectors")
    assert emb.labels == ["a", "b", "c"]
    with caplog.at_level(logging.WARNING):
        assert [e.name for _, e in embedscope.load_collection(path)] == ["vectors"]
    assert "skipping array `decoder`: " in caplog.text and "row 2, column 1 holds nan" in caplog.text
    with pytest.raises(FormatError, match=r"field `tensor`: tensor `token_ids` \(int64\) has shape \[50\]; needs 2-D"):
        embedscope.load(path, tensor="token_ids")
    message = r"no tensor `nope`; it holds 4 tensors: vectors \(float64, shape \[3, 3\]\), .*token_ids \(int64, shape"
    with pytest.raises(NotFoundError, match=message):
        embedscope.load(path, tensor="nope")


def test_npz_damaged_member_does_not_block_the_others(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "v.npz"
    np.savez(path, vectors=np.arange(4000, dtype=np.float32).reshape(1000, 4), other=np.ones((3, 2), np.float32))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("vectors.npy")
    data[info.header_offset + 30 + len(info.filename) + 200] ^= 0xFF
    path.write_bytes(bytes(data))
    assert embedscope.load(path, tensor="other").shape == (3, 2)
    with caplog.at_level(logging.WARNING):
        assert [e.name for _, e in embedscope.load_collection(path)] == ["other"]
    assert "skipping array `vectors`: " in caplog.text and "CRC-32" in caplog.text
    with pytest.raises(IntegrityError, match=r"`vectors` fails its CRC-32 check"):
        embedscope.load(path, tensor="vectors")


def test_written_npy_gets_the_usual_file_mode(tmp_path):
    import os
    import stat

    import embedscope

    out = embedscope.Embedding(np.eye(2, dtype=np.float32)).save(tmp_path / "m.npy")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
