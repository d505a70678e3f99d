"""The tensor-bundle reader against checkpoints and values written by TensorFlow 2.21 (make_tf_fixtures.py)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from embedscope.errors import EmbedscopeError, FormatError, IntegrityError, NotFoundError
from embedscope.formats import load, load_collection, sniff
from embedscope.formats.tensorflow.checkpoint import Bundle, is_optimizer_state, list_tensors, resolve_prefix
from embedscope.formats.tensorflow.slices import _signed, decode_slice_key

TF = Path(__file__).parent.parent / "fixtures" / "tf"
CHECKPOINTS = [
    "tf1",
    "tf1_partitioned",
    "sharded",
    "tf2",
    "dtypes",
    "keras",
    "keras_legacy",
    "no2d",
    "nan",
    "logdir_guide",
]
TF2_KEY = "embedding/.ATTRIBUTES/VARIABLE_VALUE"
KERAS_KEY = "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"


def expected(folder: str, key: str, listing: str = "expected") -> np.ndarray:
    return np.load(TF / folder / listing / (key.replace("/", "__") + ".npy"))


def names(path: Path) -> list[str]:
    return [emb.name for _, emb in load_collection(path, format="tf-checkpoint")]


def copy(folder: str, tmp_path: Path) -> Path:
    target = tmp_path / folder
    shutil.copytree(TF / folder, target, ignore=shutil.ignore_patterns("expected*"))
    return target


@pytest.mark.parametrize("folder", CHECKPOINTS)
def test_list_tensors_matches_tensorflow(folder, caplog):
    want = json.loads((TF / folder / "expected" / "tensors.json").read_text())
    assert [[k, dtype, list(shape)] for k, dtype, shape in list_tensors(TF / folder)] == want


def test_tf1_name_based_checkpoint_matches_tensorflow(caplog):
    collection = load_collection(TF / "tf1", format="tf-checkpoint")
    got = {emb.name: emb for _, emb in collection}
    assert sorted(got) == ["dense/kernel", "word_embeddings"]  # no /Adam slots, no 1-D bias, no int32 token_ids
    for key, emb in got.items():
        assert emb.vectors.dtype == np.float32
        assert isinstance(emb.vectors, np.memmap)
        np.testing.assert_array_equal(emb.vectors, expected("tf1", key))
    # the state file keeps the absolute paths of the folder TensorFlow wrote in: the same name here is used
    assert "which is not there; using" in caplog.text


def test_path_forms_all_reach_the_same_checkpoint():
    want = expected("tf1", "word_embeddings")
    for path in ("model.ckpt-100", "model.ckpt-100.index", "model.ckpt-100.data-00000-of-00001", "."):
        emb = load(TF / "tf1" / path, tensor="word_embeddings")
        np.testing.assert_array_equal(emb.vectors, want)
    np.testing.assert_array_equal(
        load(TF / "tf1" / "model.ckpt-50", tensor="word_embeddings").vectors,
        expected("tf1", "word_embeddings", "expected-50"),
    )


def test_sniffed_from_every_path_form():
    assert sniff(TF / "tf2") == "tf-checkpoint"
    assert sniff(TF / "tf2" / "embedding.ckpt-1") == "tf-checkpoint"
    assert sniff(TF / "tf2" / "embedding.ckpt-1.index") == "tf-checkpoint"
    assert sniff(TF / "tf2" / "embedding.ckpt-1.data-00000-of-00001") == "tf-checkpoint"


def test_folder_without_state_file_uses_the_newest_step(tmp_path):
    folder = copy("tf1", tmp_path)
    (folder / "checkpoint").unlink()
    assert resolve_prefix(folder) == folder / "model.ckpt-100"
    np.testing.assert_array_equal(load(folder, tensor="word_embeddings").vectors, expected("tf1", "word_embeddings"))


def test_state_file_chooses_the_checkpoint(tmp_path):
    folder = copy("tf1", tmp_path)
    (folder / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-50"\n')
    assert resolve_prefix(folder) == folder / "model.ckpt-50"


def test_tf2_object_based_key():
    emb = load(TF / "tf2")
    assert emb.name == TF2_KEY
    assert emb.shape == (50, 8)
    np.testing.assert_array_equal(emb.vectors, expected("tf2", TF2_KEY))


@pytest.mark.parametrize("folder", ["keras", "keras_legacy"])
def test_keras_checkpoint_leaves_out_optimizer_state(folder):
    assert names(TF / folder) == [KERAS_KEY, "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE"]
    np.testing.assert_array_equal(load(TF / folder, tensor=KERAS_KEY).vectors, expected(folder, KERAS_KEY))


def test_float16_bfloat16_float64_become_float32():
    got = {emb.name: emb for _, emb in load_collection(TF / "dtypes")}
    assert sorted(got) == [f"{v}/.ATTRIBUTES/VARIABLE_VALUE" for v in ("brain", "half", "wide")]
    for key, emb in got.items():
        assert emb.vectors.dtype == np.float32
        np.testing.assert_array_equal(emb.vectors, expected("dtypes", key))


@pytest.mark.parametrize(
    ("key", "slot"),
    [
        ("word_embeddings/Adam", True),
        ("word_embeddings/Adam_1", True),
        ("emb/RMSProp_1", True),
        ("emb/Momentum", True),
        ("emb/Adagrad", True),
        ("layer_with_weights-0/embeddings/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE", True),
        ("optimizer/_variables/1/.ATTRIBUTES/VARIABLE_VALUE", True),
        ("_CHECKPOINTABLE_OBJECT_GRAPH", True),
        ("word_embeddings", False),
        ("Adam/embedding", False),
        (TF2_KEY, False),
    ],
)
def test_optimizer_state(key, slot):
    assert is_optimizer_state(key) is slot


# -- errors ----------------------------------------------------------------------------------------------------
def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x40
    path.write_bytes(bytes(data))


def test_crc_mismatch_names_tensor_and_file(tmp_path):
    folder = copy("tf2", tmp_path)
    bundle = Bundle(folder / "embedding.ckpt-1")
    _flip(bundle.data_path(0), bundle.entries[TF2_KEY].offset + 17)
    with pytest.raises(IntegrityError, match=rf"data-00000-of-00001: tensor `{TF2_KEY}`: CRC32C mismatch"):
        load(folder)


def test_index_block_crc_mismatch(tmp_path):
    folder = copy("tf2", tmp_path)
    _flip(folder / "embedding.ckpt-1.index", 3)
    with pytest.raises(IntegrityError, match=r"embedding.ckpt-1.index: CRC32C mismatch in the data block at byte 0"):
        load(folder)


def test_truncated_index(tmp_path):
    folder = copy("tf2", tmp_path)
    index = folder / "embedding.ckpt-1.index"
    data = index.read_bytes()
    index.write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match=r"bad magic number .* a truncated copy also loses its magic number"):
        load(folder)
    index.write_bytes(data[:20])
    with pytest.raises(FormatError, match="truncated or corrupt: 20 bytes, shorter than the 48-byte footer"):
        load(folder)
    index.write_bytes(b"")
    with pytest.raises(FormatError, match="the checkpoint index is empty"):
        load(folder)


def test_bad_magic(tmp_path):
    folder = copy("tf2", tmp_path)
    index = folder / "embedding.ckpt-1.index"
    index.write_bytes(index.read_bytes()[:-8] + b"NOTMAGIC")
    with pytest.raises(FormatError, match="not a TensorFlow checkpoint index: bad magic number"):
        load(folder)


def test_truncated_data_file(tmp_path):
    folder = copy("tf2", tmp_path)
    data = folder / "embedding.ckpt-1.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:1000])
    with pytest.raises(FormatError, match=rf"tensor `{TF2_KEY}` needs bytes .* has only 1,000 bytes \(truncated\)"):
        load(folder)


def test_missing_data_shard(tmp_path):
    folder = copy("tf2", tmp_path)
    (folder / "embedding.ckpt-1.data-00000-of-00001").unlink()
    with pytest.raises(NotFoundError, match=r"data shard embedding.ckpt-1.data-00000-of-00001 of tensor .* is missing"):
        load(folder)
    folder = copy("sharded", tmp_path)
    (folder / "sharded.ckpt-1.data-00002-of-00004").unlink()
    message = r"data-00002-of-00004: data shard sharded.ckpt-1.data-00002-of-00004 of tensor `embedding/.* slice"
    with pytest.raises(NotFoundError, match=message) as info:
        load(folder, tensor="embedding")
    assert "copy every sharded.ckpt-1.data-*-of-00004 file together with the .index" in str(info.value)


def test_unsupported_dtype_and_shape():
    bundle = Bundle(TF / "tf1" / "model.ckpt-100")
    with pytest.raises(FormatError, match="tensor `token_ids` has dtype int32; an embedding needs float32"):
        bundle.read_matrix("token_ids")
    with pytest.raises(FormatError, match=r"tensor `dense/bias` \(float32\) has shape \[4\]; needs 2-D"):
        bundle.read_matrix("dense/bias")
    # the same messages through load(tensor=...): an existing tensor is never reported as missing
    with pytest.raises(FormatError, match=r"model.ckpt-100.index field `tensor`: tensor `token_ids` has dtype int32"):
        load(TF / "tf1", tensor="token_ids")
    with pytest.raises(FormatError, match=r"tensor `global_step` \(int64\) has shape \[\]; needs 2-D"):
        load(TF / "tf1", tensor="global_step")


def test_unknown_tensor_lists_every_tensor_with_its_shape():
    message = (
        r"model.ckpt-100.index field `tensor`: no tensor `nope`; it holds 13 tensors: beta1_power \(float32, "
        r"shape \[\]\), .*dense/bias \(float32, shape \[4\]\), .*token_ids \(int32, shape \[5, 3\]\), "
        r"word_embeddings \(float32, shape \[50, 8\]\)"
    )
    with pytest.raises(NotFoundError, match=message):
        load(TF / "tf1", tensor="nope")


def test_a_corrupt_tensor_does_not_block_another(tmp_path, caplog):
    folder = copy("tf1", tmp_path)
    bundle = Bundle(folder / "model.ckpt-100")
    _flip(bundle.data_path(0), bundle.entries["dense/kernel"].offset + 5)
    emb = load(folder / "model.ckpt-100", tensor="word_embeddings")
    np.testing.assert_array_equal(emb.vectors, expected("tf1", "word_embeddings"))
    with caplog.at_level(logging.WARNING):
        assert names(folder / "model.ckpt-100") == ["word_embeddings"]
    assert "skipping tensor `dense/kernel`: " in caplog.text and "CRC32C mismatch" in caplog.text
    with pytest.raises(IntegrityError, match=r"tensor `dense/kernel`: CRC32C mismatch"):
        load(folder / "model.ckpt-100", tensor="dense/kernel")


def test_every_tensor_broken_lists_the_reasons(tmp_path):
    folder = copy("tf1", tmp_path)
    bundle = Bundle(folder / "model.ckpt-100")
    for key in ("dense/kernel", "word_embeddings"):
        _flip(bundle.data_path(0), bundle.entries[key].offset + 5)
    message = r"none of its 2 tensors can be used: `dense/kernel`: .*CRC32C mismatch.*; `word_embeddings`: .*CRC32C"
    with pytest.raises(IntegrityError, match=message):
        load_collection(folder / "model.ckpt-100")


def test_tf2_keys_are_chosen_by_their_short_name():
    emb = load(TF / "tf2", tensor="embedding")
    assert emb.name == TF2_KEY
    np.testing.assert_array_equal(emb.vectors, expected("tf2", TF2_KEY))
    assert load(TF / "keras", tensor="layer_with_weights-0/embeddings").name == KERAS_KEY
    assert load(TF / "keras", tensor=KERAS_KEY).name == KERAS_KEY  # the exact key still works
    with pytest.raises(NotFoundError, match=r"no tensor `embeddings`"):
        load(TF / "keras", tensor="embeddings")


def test_not_a_checkpoint_names_the_file(tmp_path):
    (tmp_path / "good.tsv").write_text("0.1\t0.2\n0.3\t0.4\n")
    message = (
        r"good\.tsv: not a TensorFlow checkpoint: it looks like tab-separated text \(first line '0\.1\\t0\.2'\), "
        r"and there is no good\.tsv\.index beside it"
    )
    with pytest.raises(FormatError, match=message):
        load(tmp_path / "good.tsv", format="tf-checkpoint")


def test_partitioned_variables_are_put_together():
    emb = load(TF / "tf1_partitioned")
    assert emb.name == "sharded_embeddings"
    np.testing.assert_array_equal(emb.vectors, expected("tf1_partitioned", "sharded_embeddings"))
    bundle = Bundle(TF / "sharded" / "sharded.ckpt-1")
    assert bundle.num_shards == 4
    assert bundle.entries[TF2_KEY].slices == 9
    got = {e.name: e for _, e in load_collection(TF / "sharded")}
    assert sorted(got) == [TF2_KEY, "other/.ATTRIBUTES/VARIABLE_VALUE"]
    for key, emb in got.items():
        np.testing.assert_array_equal(emb.vectors, expected("sharded", key))


def _encode_signed(val: int) -> bytes:
    """TensorFlow's OrderedCode::WriteSignedNumIncreasing, written from its C++ for the test."""
    x = ~val if val < 0 else val
    if x < 64:
        return bytes([(0x80 ^ val) & 0xFF])
    n = next(n for n in range(1, 11) if x.bit_length() <= 7 * n - 1)
    raw = bytearray((val & ((1 << 80) - 1)).to_bytes(10, "big")[10 - n :])
    headers = {
        2: (0xC0, 0),
        3: (0xE0, 0),
        4: (0xF0, 0),
        5: (0xF8, 0),
        6: (0xFC, 0),
        7: (0xFE, 0),
        8: (0xFF, 0),
        9: (0xFF, 0x80),
        10: (0xFF, 0xC0),
    }
    raw[0] ^= headers[n][0]
    raw[1] ^= headers[n][1]
    return bytes(raw)


@pytest.mark.parametrize(
    "value", [0, 5, 63, 64, 75, 272, -1, -64, -65, -8193, 8191, 8192, 2**31, 2**40 + 3, -(2**50), 2**62, 2**63 - 1]
)
def test_signed_numbers_in_slice_keys(value):
    encoded = _encode_signed(value)
    assert _signed(encoded + b"\x80", 0) == (value, len(encoded))
    name = b"a\x00b\xffc"
    key = b"\x00" + name.replace(b"\x00", b"\x00\xff").replace(b"\xffc", b"\xff\x00c") + b"\x00\x01\x01\x02"
    key += _encode_signed(abs(value)) + _encode_signed(7) + _encode_signed(0) + _encode_signed(-1)
    assert decode_slice_key(key) == ("a\x00b\ufffdc", ((abs(value), 7), (0, -1)))


def test_slice_keys_tensorflow_wrote():
    assert decode_slice_key(b"\x00embedding\x00\x01\x01\x02\xc1\x10\x87\x80\x88") == ("embedding", ((272, 7), (0, 8)))


def test_nothing_two_dimensional_lists_what_is_there():
    message = (
        r"no 2-D float variable .* among 5 tensors: .*cube/.ATTRIBUTES/VARIABLE_VALUE \(float32, shape \[2, 3, 4\]\)"
    )
    with pytest.raises(FormatError, match=message):
        load(TF / "no2d")


def test_nan_row_is_named():
    with pytest.raises(FormatError, match=rf"tensor `{TF2_KEY}` row 4, column 6 holds nan, expected a finite number"):
        load(TF / "nan")


def test_missing_checkpoint(tmp_path):
    with pytest.raises(NotFoundError, match=r"model\.ckpt-7: no checkpoint index model.ckpt-7.index"):
        resolve_prefix(tmp_path / "model.ckpt-7")
    with pytest.raises(NotFoundError, match="no TensorFlow checkpoint here"):
        resolve_prefix(tmp_path)
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "gone.ckpt-3"\n')
    with pytest.raises(NotFoundError, match=r"the `checkpoint` file names 'gone.ckpt-3'"):
        resolve_prefix(tmp_path)
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "gone.ckpt-3\n')
    with pytest.raises(FormatError, match="checkpoint line 1, column 24: unterminated string"):
        resolve_prefix(tmp_path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    which=st.sampled_from(["index", "data"]),
    spots=st.lists(st.integers(0, 10_000), min_size=1, max_size=4),
    cut=st.booleans(),
)
def test_mangled_checkpoints_raise_only_embedscope_errors(tmp_path_factory, which, spots, cut):
    folder = tmp_path_factory.mktemp("mangled")
    for name in ("embedding.ckpt-1.index", "embedding.ckpt-1.data-00000-of-00001"):
        shutil.copy(TF / "tf2" / name, folder / name)
    path = folder / ("embedding.ckpt-1.index" if which == "index" else "embedding.ckpt-1.data-00000-of-00001")
    data = bytearray(path.read_bytes())
    for spot in spots:
        data[spot % len(data)] ^= 1 + spot % 255
    if cut:
        data = data[: spots[0] % len(data)]
    path.write_bytes(bytes(data))
    logging.disable(logging.WARNING)
    try:
        load(folder / "embedding.ckpt-1")
    except EmbedscopeError:
        pass
    finally:
        logging.disable(logging.NOTSET)
