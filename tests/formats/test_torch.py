"""PyTorch state dicts read without torch: values equal to torch's, views, dtypes, and refusals."""

from __future__ import annotations

import logging
import os
import pickle
import pickletools
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from embedscope.errors import FormatError, NotFoundError
from embedscope.formats import load, load_collection, sniff
from embedscope.formats import torch as torch_format
from embedscope.formats.options import ReadOptions

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ml" / "torch"


def read(path: Path) -> dict[str, np.ndarray]:
    return {emb.name: emb.vectors for _, emb in torch_format.read(path, ReadOptions(), "torch")}


def expected(stem: str, name: str) -> np.ndarray:
    return np.load(FIXTURES / f"{stem}__{name}.npy")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rezip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def is_mapped(array: np.ndarray) -> bool:
    base: object = array
    while base is not None:  # as_strided puts a plain object with a .base between views
        if isinstance(base, np.memmap):
            return True
        base = getattr(base, "base", None)
    return False


def test_state_dict_equals_torch() -> None:
    got = read(FIXTURES / "state_dict.pt")
    assert set(got) == {"embedding.weight", "linear.weight"}  # the 1-D bias is not an embedding
    for name, value in got.items():
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, expected("state_dict", name))
    assert is_mapped(got["embedding.weight"])


def test_sniffed_and_loaded_through_the_registry(tmp_path: Path) -> None:
    assert sniff(FIXTURES / "state_dict.pt") == "torch"
    bin_file = tmp_path / "pytorch_model.bin"  # Hugging Face's name for the same zip format
    bin_file.write_bytes((FIXTURES / "state_dict.pt").read_bytes())
    emb = load(bin_file, tensor="embedding.weight")
    assert emb.shape == (50, 8)
    np.testing.assert_array_equal(emb.lookup([3, 7]), expected("state_dict", "embedding.weight")[[3, 7]])


def test_views_sharing_one_storage() -> None:
    got = read(FIXTURES / "views.pt")
    for name in ("base", "transposed", "sliced", "rows"):
        np.testing.assert_array_equal(got[name], expected("views", name))
    assert not got["transposed"].flags.c_contiguous  # a strided view, not a copy
    assert np.shares_memory(got["base"], got["sliced"])


def test_half_and_bfloat16_become_float32() -> None:
    got = read(FIXTURES / "half.pt")
    assert set(got) == {"half", "bfloat"}  # int64 ids are left out
    for name in ("half", "bfloat"):
        assert got[name].dtype == np.float32
        np.testing.assert_array_equal(got[name], expected("half", name))


def test_checkpoint_is_flattened_and_optimizer_state_left_out() -> None:
    got = read(FIXTURES / "checkpoint.pth")
    assert set(got) == {"model.embedding.weight", "model.linear.weight"}
    np.testing.assert_array_equal(got["model.embedding.weight"], expected("checkpoint", "model.embedding.weight"))


def test_whole_pickled_module_is_refused() -> None:
    with pytest.raises(
        FormatError, match=r"refusing to unpickle __main__.TinyModel: this file holds a whole pickled model"
    ) as info:
        load_collection(FIXTURES / "whole_module.pt")
    assert "torch.save(model.state_dict(), path)" in str(info.value)


def test_torchscript_is_refused() -> None:
    with pytest.raises(FormatError, match=r"scripted.pt: this is a TorchScript archive \(torch.jit.save\)"):
        load_collection(FIXTURES / "scripted.pt")


def test_legacy_format_is_read_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    got = read(FIXTURES / "legacy.pt")
    np.testing.assert_array_equal(got["embedding.weight"], expected("state_dict", "embedding.weight"))
    assert is_mapped(got["embedding.weight"])


def test_legacy_format_with_torch_installed() -> None:
    pytest.importorskip("torch")
    got = read(FIXTURES / "legacy.pt")
    np.testing.assert_array_equal(got["embedding.weight"], expected("state_dict", "embedding.weight"))


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_forbidden_global_is_refused_without_running(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"embedding.weight": _Evil(marker)}, protocol=2)
    bad = rezip(tmp_path / "evil.pt", {"archive/data.pkl": payload, "archive/byteorder": b"little"})
    with pytest.raises(
        FormatError, match=r"evil.pt: refusing to unpickle (posix|os|nt)\.system: only tensors and dicts"
    ):
        load_collection(bad)
    assert not marker.exists()


def test_builtins_eval_is_refused(tmp_path: Path) -> None:
    class Eval:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (eval, ("1 + 1",))

    bad = rezip(tmp_path / "eval.pt", {"archive/data.pkl": pickle.dumps(Eval(), protocol=2)})
    with pytest.raises(FormatError, match=r"refusing to unpickle (__builtin__|builtins)\.eval"):
        load_collection(bad)


def _patch_first_size(pkl: bytes, new_rows: int) -> bytes:
    """Change the first tensor's row count (the BININT1 after its storage's BINPERSID)."""
    after_persid = False
    for op, _arg, pos in pickletools.genops(pkl):
        if op.name == "BINPERSID":
            after_persid = True
        elif after_persid and op.name == "BININT1":  # storage offset
            after_persid = False
            size_pos = pos + 2  # the next opcode: BININT1 rows
            assert pkl[size_pos] == ord("K")
            return pkl[: size_pos + 1] + bytes([new_rows]) + pkl[size_pos + 2 :]
    raise AssertionError("no tensor found")


def test_tensor_reaching_past_its_storage(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = members(FIXTURES / "views.pt")
    files["views/data.pkl"] = _patch_first_size(files["views/data.pkl"], 11)  # base is 10 x 6 of 60 elements
    bad = rezip(tmp_path / "big.pt", files)
    with pytest.raises(
        FormatError, match=r"size \(11, 6\) and stride \(6, 1\) at offset 0 reaches element 65 of a storage of 60"
    ):
        load(bad, tensor="base")
    with caplog.at_level(logging.WARNING):
        names = [emb.name for _, emb in load_collection(bad)]
    assert names == ["transposed", "sliced", "rows"]  # the views of the same storage are still read
    assert "skipping tensor `base`: " in caplog.text


def test_missing_storage_member(tmp_path: Path) -> None:
    files = members(FIXTURES / "views.pt")
    del files["views/data/0"]
    with pytest.raises(FormatError, match=r"storage views/data/0 is missing from the archive"):
        load_collection(rezip(tmp_path / "m.pt", files))


def test_short_storage_member(tmp_path: Path) -> None:
    files = members(FIXTURES / "views.pt")
    files["views/data/0"] = files["views/data/0"][:100]
    with pytest.raises(FormatError, match=r"storage views/data/0 holds 100 bytes, 60 x FloatStorage needs 240"):
        load_collection(rezip(tmp_path / "s.pt", files))


def test_compressed_members_are_read_too(tmp_path: Path) -> None:
    files = members(FIXTURES / "views.pt")
    packed = tmp_path / "deflated.pt"
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    np.testing.assert_array_equal(read(packed)["sliced"], expected("views", "sliced"))


def test_nan_names_the_row(tmp_path: Path) -> None:
    files = members(FIXTURES / "views.pt")
    storage = bytearray(files["views/data/0"])
    storage[13 * 4 : 14 * 4] = np.float32(np.nan).tobytes()  # base[2, 1]
    files["views/data/0"] = bytes(storage)
    with pytest.raises(FormatError, match=r"tensor `base` row 3, column 2 holds nan, expected a finite number"):
        load(rezip(tmp_path / "nan.pt", files), tensor="base")


def test_truncated_zip(tmp_path: Path) -> None:
    raw = (FIXTURES / "state_dict.pt").read_bytes()
    bad = tmp_path / "t.pt"
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(FormatError, match=r"t.pt: not a readable zip archive"):
        load_collection(bad)


def test_zip_without_data_pkl(tmp_path: Path) -> None:
    bad = rezip(tmp_path / "z.pt", {"readme.txt": b"hello"})
    with pytest.raises(FormatError, match=r"this zip archive has no data.pkl"):
        load_collection(bad)


def test_not_a_torch_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.pt"
    bad.write_bytes(b"hello world")
    with pytest.raises(
        FormatError, match=r"not a PyTorch file: expected a zip archive or a pickle, found bytes b'hell'"
    ):
        load_collection(bad)


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.pt").write_bytes(b"")
    with pytest.raises(FormatError, match=r"e.pt: empty file"):
        load_collection(tmp_path / "e.pt")


def test_no_2d_float_tensor(tmp_path: Path) -> None:
    bad = rezip(tmp_path / "n.pt", {"archive/data.pkl": pickle.dumps({"epoch": 3, "lr": [0.1]}, protocol=2)})
    with pytest.raises(FormatError, match=r"no 2-D float tensor in this state dict"):
        load_collection(bad)


def test_garbage_pickle(tmp_path: Path) -> None:
    bad = rezip(tmp_path / "g.pt", {"archive/data.pkl": b"\x80\x02}q\x00(X\x01"})
    with pytest.raises(FormatError, match=r"archive/data.pkl could not be unpickled"):
        load_collection(bad)


def test_big_endian_archive(tmp_path: Path) -> None:
    files = members(FIXTURES / "views.pt")
    files["views/byteorder"] = b"big"
    files["views/data/0"] = np.frombuffer(files["views/data/0"], "<f4").astype(">f4").tobytes()
    got = read(rezip(tmp_path / "be.pt", files))
    np.testing.assert_array_equal(got["transposed"], expected("views", "transposed"))


def test_reading_does_not_import_torch() -> None:
    before = "torch" in sys.modules
    read(FIXTURES / "state_dict.pt")
    assert ("torch" in sys.modules) == before


def test_a_broken_tensor_does_not_block_the_chosen_one(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = members(FIXTURES / "state_dict.pt")
    linear = expected("state_dict", "linear.weight")
    key = next(k for k in files if "/data/" in k and len(files[k]) == linear.nbytes)
    files[key] = np.float32(np.nan).tobytes() + files[key][4:]
    bad = rezip(tmp_path / "nan.pt", files)
    emb = load(bad, tensor="embedding.weight")
    np.testing.assert_array_equal(emb.vectors, expected("state_dict", "embedding.weight"))
    with caplog.at_level(logging.WARNING):
        assert [e.name for _, e in load_collection(bad)] == ["embedding.weight"]
    assert "skipping tensor `linear.weight`: " in caplog.text and "holds nan" in caplog.text
    with pytest.raises(FormatError, match=r"tensor `linear.weight` row 1, column 1 holds nan"):
        load(bad, tensor="linear.weight")


def test_chosen_tensor_that_is_not_a_matrix_or_missing() -> None:
    path = FIXTURES / "state_dict.pt"
    pattern = r"state_dict\.pt field `tensor`: tensor `linear.bias` \(float32\) has shape \[4\]; needs 2-D"
    with pytest.raises(FormatError, match=pattern):
        load(path, tensor="linear.bias")
    with pytest.raises(FormatError, match=r"tensor `ids` has dtype int64; an embedding needs float32"):
        load(FIXTURES / "half.pt", tensor="ids")
    message = r"no tensor `nope`; it holds 3 tensors: embedding.weight \(float32, shape \[50, 8\]\), .*linear.bias"
    with pytest.raises(NotFoundError, match=message):
        load(path, tensor="nope")
