"""Keras weights read with h5py: values equal to Keras's own, layer names, nested models, and bad files."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from embedscope.errors import FormatError, NotFoundError
from embedscope.formats import keras as keras_format
from embedscope.formats import load, load_collection, sniff
from embedscope.formats.options import ReadOptions

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ml" / "keras"


def read(path: Path) -> dict[str, np.ndarray]:
    return {emb.name: emb.vectors for _, emb in keras_format.read(path, ReadOptions(), "keras")}


def expected(stem: str, name: str) -> np.ndarray:
    return np.load(FIXTURES / f"{stem}__{name}.npy")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rezip(path: Path, files: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def test_keras_file_offers_its_embedding_layer_by_name() -> None:
    got = read(FIXTURES / "model.keras")
    assert list(got) == ["word_embedding"]  # the Dense kernel is left out when an Embedding layer exists
    np.testing.assert_array_equal(got["word_embedding"], expected("model", "word_embedding"))
    assert isinstance(got["word_embedding"], np.memmap)  # straight from the stored zip member


def test_sniffed_and_loaded_through_the_registry() -> None:
    assert sniff(FIXTURES / "model.keras") == "keras"
    assert sniff(FIXTURES / "model.weights.h5") == "keras"
    emb = load(FIXTURES / "model.keras")
    assert emb.name == "word_embedding"
    assert emb.shape == (50, 8)


def test_weights_h5_offers_every_2d_float_variable() -> None:
    got = read(FIXTURES / "model.weights.h5")
    assert set(got) == {"word_embedding", "classifier"}
    np.testing.assert_array_equal(got["word_embedding"], expected("model", "word_embedding"))
    np.testing.assert_array_equal(got["classifier"], expected("model", "classifier"))


def test_functional_model_with_nested_model_and_bfloat16() -> None:
    got = read(FIXTURES / "functional.keras")
    assert set(got) == {"user_embedding", "item_embedding", "tag_embedding"}  # not the Dense `score`
    for name in got:
        assert got[name].dtype == np.float32
        np.testing.assert_array_equal(got[name], expected("functional", name))


def test_no_embedding_layer_offers_other_matrices() -> None:
    got = read(FIXTURES / "dense_only.keras")
    assert set(got) == {"hidden", "dense"}
    np.testing.assert_array_equal(got["hidden"], expected("dense_only", "hidden"))


def test_legacy_keras2_style_h5() -> None:
    got = read(FIXTURES / "legacy.h5")
    assert list(got) == ["word_embedding"]
    np.testing.assert_array_equal(got["word_embedding"], expected("model", "word_embedding"))


def _strip_name_attrs(weights: bytes) -> bytes:
    """Older Keras 3 releases did not record layer names in the `vars` groups."""
    buffer = io.BytesIO(weights)
    with h5py.File(buffer, "r+") as h5:
        groups: list[h5py.Group] = []
        h5.visititems(
            lambda _, obj: groups.append(obj) if isinstance(obj, h5py.Group) and "name" in obj.attrs else None
        )
        for group in groups:
            del group.attrs["name"]
    return buffer.getvalue()


def test_layer_names_from_config_when_the_file_lacks_them(tmp_path: Path) -> None:
    files = members(FIXTURES / "functional.keras")
    files["model.weights.h5"] = _strip_name_attrs(files["model.weights.h5"])
    got = read(rezip(tmp_path / "old.keras", files))
    assert set(got) == {"user_embedding", "item_embedding", "tag_embedding"}
    for name in got:
        np.testing.assert_array_equal(got[name], expected("functional", name))


def test_compressed_keras_archive(tmp_path: Path) -> None:
    packed = rezip(tmp_path / "deflated.keras", members(FIXTURES / "functional.keras"), zipfile.ZIP_DEFLATED)
    got = read(packed)
    np.testing.assert_array_equal(got["item_embedding"], expected("functional", "item_embedding"))


def test_plain_hdf5_offers_every_2d_float_dataset(tmp_path: Path) -> None:
    values = np.arange(12, dtype=np.float64).reshape(4, 3)
    with h5py.File(tmp_path / "plain.h5", "w") as h5:
        h5["group/table"] = values
        h5["ids"] = np.arange(4)
    got = read(tmp_path / "plain.h5")
    assert list(got) == ["group/table"]
    np.testing.assert_array_equal(got["group/table"], values.astype(np.float32))


# -- bad files -------------------------------------------------------------------------------------------
def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.keras").write_bytes(b"")
    with pytest.raises(FormatError, match=r"e.keras: empty file"):
        load_collection(tmp_path / "e.keras", format="keras")


def test_not_a_keras_file(tmp_path: Path) -> None:
    (tmp_path / "x.keras").write_bytes(b"not a model at all")
    with pytest.raises(FormatError, match=r"not a Keras file: expected a .keras zip archive or an HDF5 file"):
        load_collection(tmp_path / "x.keras", format="keras")


def test_truncated_keras_archive(tmp_path: Path) -> None:
    raw = (FIXTURES / "model.keras").read_bytes()
    (tmp_path / "t.keras").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(FormatError, match=r"t.keras: not a readable zip archive"):
        load_collection(tmp_path / "t.keras")


def test_truncated_weights_h5(tmp_path: Path) -> None:
    raw = (FIXTURES / "model.weights.h5").read_bytes()
    (tmp_path / "t.weights.h5").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(FormatError, match=r"t.weights.h5: this is not a readable HDF5 file"):
        load_collection(tmp_path / "t.weights.h5")


def test_keras_archive_without_weights(tmp_path: Path) -> None:
    files = members(FIXTURES / "model.keras")
    del files["model.weights.h5"]
    with pytest.raises(FormatError, match=r"has no model.weights.h5 \(it holds metadata.json, config.json\)"):
        load_collection(rezip(tmp_path / "w.keras", files))


def test_bad_config_json(tmp_path: Path) -> None:
    files = members(FIXTURES / "model.keras")
    files["config.json"] = b'{"class_name": '
    with pytest.raises(FormatError, match=r"c.keras: config.json is not valid JSON"):
        load_collection(rezip(tmp_path / "c.keras", files))


def test_no_2d_float_weights(tmp_path: Path) -> None:
    with h5py.File(tmp_path / "v.weights.h5", "w") as h5:
        h5["layers/dense/vars/0"] = np.ones(3, np.float32)
        h5["layers/lookup/vars/0"] = np.ones((3, 3), np.int64)
    with pytest.raises(FormatError, match=r"no 2-D float weights here to use as an embedding"):
        load_collection(tmp_path / "v.weights.h5")


def test_nan_names_the_row(tmp_path: Path) -> None:
    values = np.zeros((6, 2), np.float32)
    values[4, 0] = np.inf
    with h5py.File(tmp_path / "n.weights.h5", "w") as h5:
        h5["layers/embedding/vars/0"] = values
        h5["layers/embedding/vars"].attrs["name"] = "words"
    with pytest.raises(FormatError, match=r"tensor `words` row 5, column 1 holds inf, expected a finite number"):
        load_collection(tmp_path / "n.weights.h5")


def test_legacy_h5_missing_weight(tmp_path: Path) -> None:
    with h5py.File(tmp_path / "l.h5", "w") as h5:
        group = h5.create_group("model_weights")
        group.attrs["layer_names"] = [b"emb"]
        group.create_group("emb").attrs["weight_names"] = [b"emb/embeddings:0"]
    with pytest.raises(FormatError, match=r"layer emb lists weight emb/embeddings:0, which is missing"):
        load_collection(tmp_path / "l.h5")


def test_config_names_layers_without_name_attributes_in_order() -> None:
    config = json.loads(members(FIXTURES / "functional.keras")["config.json"])
    paths = keras_format._config_paths(config)
    assert paths["layers/embedding"] == ("user_embedding", "Embedding")
    assert paths["layers/embedding_1"] == ("tag_embedding", "Embedding")
    assert paths["layers/sequential/layers/embedding"] == ("item_embedding", "Embedding")
    assert paths["layers/input_layer_1"] == ("item", "InputLayer")


def test_chosen_tensor_may_be_any_layer_or_dataset() -> None:
    emb = load(FIXTURES / "model.keras", tensor="classifier")  # offered only on request next to an Embedding
    np.testing.assert_array_equal(emb.vectors, expected("model", "classifier"))
    with pytest.raises(FormatError, match=r"tensor `layers/dense/vars/1` \(float32\) has shape \[3\]; needs 2-D"):
        load(FIXTURES / "model.weights.h5", tensor="layers/dense/vars/1")
    message = (
        r"no tensor `nope`; it holds 5 tensors: classifier \(float32, shape \[8, 3\]\), word_embedding .*"
        r"layers/dense/vars/1 \(float32, shape \[3\]\)"
    )
    with pytest.raises(NotFoundError, match=message):
        load(FIXTURES / "model.weights.h5", tensor="nope")


def test_a_broken_dataset_does_not_block_another(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    words = np.arange(12, dtype=np.float32).reshape(6, 2)
    bad = np.zeros((4, 2), np.float32)
    bad[1, 1] = np.nan
    with h5py.File(tmp_path / "m.weights.h5", "w") as h5:
        h5["layers/embedding/vars/0"] = words
        h5["layers/embedding/vars"].attrs["name"] = "words"
        h5["layers/dense/vars/0"] = bad
        h5["layers/dense/vars"].attrs["name"] = "hidden"
    assert np.array_equal(load(tmp_path / "m.weights.h5", tensor="words").vectors, words)
    with caplog.at_level(logging.WARNING):
        assert [e.name for _, e in load_collection(tmp_path / "m.weights.h5")] == ["words"]
    assert "skipping tensor `hidden`: " in caplog.text and "row 2, column 2 holds nan" in caplog.text
