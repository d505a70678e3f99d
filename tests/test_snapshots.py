"""log_embedding: one step per call, a log dir TensorBoard's projector and our reader open, typed errors."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import embedscope
from embedscope.errors import EmbedscopeError, FormatError, MetadataError, ParameterError
from embedscope.formats.tensorboard.logdir import CONFIG_NAME, CONFIG_SCHEMA
from embedscope.formats.tensorboard.snapshots import log_embedding, to_numpy
from embedscope.formats.tensorflow import pbtxt

WORDS = ["the", "cat", "sat", "on", "mat"]


def _table(seed: int, n: int = 5, d: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


def _config(logdir: Path) -> list[pbtxt.Message]:
    return pbtxt.read(logdir / CONFIG_NAME, schema=CONFIG_SCHEMA).messages("embeddings")


def test_steps_are_appended_and_read_back_as_one_embedding(tmp_path):
    tables = [_table(s) for s in range(3)]
    written = [log_embedding(tmp_path, t, name="words", metadata=WORDS) for t in tables]
    assert written == [0, 1, 2]
    entries = _config(tmp_path)
    names = [e.string("tensor_name") for e in entries]
    assert names == ["words", "words@0", "words@1", "words@2"]
    assert entries[0].string("tensor_path") == "words/2.bytes"  # the plain name is the latest step
    assert {e.string("metadata_path") for e in entries} == {"words/metadata.tsv"}  # metadata written once
    assert (tmp_path / "words" / "metadata.tsv").read_text() == "the\ncat\nsat\non\nmat\n"
    raw = np.fromfile(tmp_path / "words" / "1.bytes", dtype="<f4").reshape(5, 3)
    np.testing.assert_array_equal(raw, tables[1])  # TensorBoard's raw float32 tensor_path format

    emb = embedscope.load(tmp_path)
    assert emb.name == "words" and emb.labels == WORDS
    np.testing.assert_array_equal(emb.vectors, tables[2])
    assert emb.steps is not None and emb.steps.numbers == [0, 1, 2] and emb.steps.latest == 2
    for step, table in enumerate(tables):
        np.testing.assert_array_equal(emb.at(step).vectors, table)
        assert emb.at(step).labels == WORDS
    assert emb.steps[2] is emb  # the latest step is not read twice
    assert emb.steps.previous(2) == 1 and emb.steps.previous(0) is None


def test_each_step_is_its_own_tensor_for_tensorboard(tmp_path):
    """TensorBoard lists every entry: the step entries can be chosen by their own names."""
    log_embedding(tmp_path, _table(0), name="words", step=100)
    log_embedding(tmp_path, _table(1), name="words", step=200)
    one = embedscope.load(tmp_path, tensor="words@100")
    np.testing.assert_array_equal(one.vectors, _table(0))
    assert one.steps is None
    whole = embedscope.load(tmp_path, tensor="words")
    assert whole.steps is not None and whole.steps.numbers == [100, 200]


def test_explicit_steps_metadata_change_and_other_names_kept(tmp_path):
    embedscope.Embedding(_table(9, 4, 2), name="other").save(tmp_path / "x")  # unrelated, written elsewhere
    log_embedding(tmp_path, _table(0), name="words", metadata={"word": WORDS, "freq": [5, 4, 3, 2, 1]}, step=10)
    log_embedding(tmp_path, _table(1, 4, 2), name="tags", step=0)
    log_embedding(tmp_path, _table(2), name="words", step=20)  # metadata left out: the earlier one stays
    log_embedding(tmp_path, _table(3), name="words", metadata={"word": WORDS, "freq": [1, 1, 1, 1, 1]}, step=30)
    names = [e.string("tensor_name") for e in _config(tmp_path)]
    assert names == ["tags", "tags@0", "words", "words@10", "words@20", "words@30"]
    meta = {e.string("tensor_name"): e.string("metadata_path") for e in _config(tmp_path)}
    assert meta["words@20"] == "words/metadata.tsv" and meta["words@30"] == "words/metadata@30.tsv"
    data = embedscope.load_collection(tmp_path)
    words = data.get(tensor="words")
    assert words.steps is not None and words.steps.numbers == [10, 20, 30]
    assert words.metadata is not None and words.metadata.column("freq").to_pylist() == [1] * 5
    assert words.steps[10].metadata is not None
    assert words.steps[10].metadata.column("freq").to_pylist() == [5, 4, 3, 2, 1]
    assert data.get(tensor="tags").shape == (4, 2)


def test_sprite_written_once(tmp_path):
    images = np.zeros((5, 4, 4), dtype=np.uint8)
    images[:, 0, 0] = 255
    log_embedding(tmp_path, _table(0), name="digits", sprite=images)
    log_embedding(tmp_path, _table(1), name="digits", sprite=images)
    log_embedding(tmp_path, _table(2), name="digits")
    sprites = {e.string("tensor_name"): e.get("sprite") for e in _config(tmp_path)}
    paths = {k: v.string("image_path") for k, v in sprites.items() if isinstance(v, pbtxt.Message)}
    assert set(paths.values()) == {"digits/sprite.png"} and len(paths) == 4
    emb = embedscope.load(tmp_path)
    assert emb.sprite is not None and emb.sprite.single_image_dim == (4, 4)


class FakeTorchTensor:
    """Duck-types what log_embedding uses of a torch.Tensor (its class lives in a module named torch...)."""

    def __init__(self, array: np.ndarray, *, on_gpu: bool = True) -> None:
        self.array, self.on_gpu, self.detached = array, on_gpu, False
        self.dtype = "torch.float32"

    def detach(self) -> FakeTorchTensor:
        out = FakeTorchTensor(self.array, on_gpu=self.on_gpu)
        out.detached = True
        return out

    def cpu(self) -> FakeTorchTensor:
        return FakeTorchTensor(self.array, on_gpu=False)

    def numpy(self) -> np.ndarray:
        if self.on_gpu:
            raise TypeError("can't convert cuda:0 device type tensor to numpy")
        return self.array


FakeTorchTensor.__module__ = "torch"


class FakeTfVariable:
    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def numpy(self) -> np.ndarray:
        return self.array


FakeTfVariable.__module__ = "tensorflow.python.ops.resource_variable_ops"


def test_framework_tensors_by_duck_typing(tmp_path):
    table = _table(0)
    np.testing.assert_array_equal(to_numpy(FakeTorchTensor(table)), table)
    np.testing.assert_array_equal(to_numpy(FakeTfVariable(table)), table)
    np.testing.assert_array_equal(to_numpy(table.tolist()), table)  # an array-like
    log_embedding(tmp_path, FakeTorchTensor(table), name="w")
    log_embedding(tmp_path, FakeTfVariable(table * 2), name="w")
    log_embedding(tmp_path, (table * 3).astype(np.float64), name="w")
    emb = embedscope.load(tmp_path)
    assert emb.steps is not None
    np.testing.assert_allclose(emb.at(1).vectors, table * 2)
    assert emb.vectors.dtype == np.float32


def test_real_frameworks_when_installed(tmp_path):
    torch = pytest.importorskip("torch")
    weight = torch.nn.Embedding(5, 3).weight  # requires grad
    log_embedding(tmp_path, weight, name="torch")
    np.testing.assert_allclose(embedscope.load(tmp_path).vectors, weight.detach().numpy())


def test_jax_array_when_installed(tmp_path):
    jnp = pytest.importorskip("jax.numpy")
    table = jnp.arange(15, dtype=jnp.bfloat16).reshape(5, 3)
    log_embedding(tmp_path, table, name="jax")
    np.testing.assert_array_equal(embedscope.load(tmp_path).vectors, np.arange(15, dtype=np.float32).reshape(5, 3))


def test_no_framework_is_imported(tmp_path):
    code = (
        "import sys, numpy as np, embedscope\n"
        f"embedscope.log_embedding({str(tmp_path)!r}, np.ones((3, 2)), name='w')\n"
        "print(sorted(m for m in ('torch', 'tensorflow', 'jax', 'keras') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- bad input ------------------------------------------------------------------------------------------------
def test_shape_change_between_steps(tmp_path):
    log_embedding(tmp_path, _table(0), name="w")
    with pytest.raises(ParameterError, match=r"step 1 is 6 x 3; step 0 was 5 x 3") as info:
        log_embedding(tmp_path, _table(1, n=6), name="w")
    assert info.value.field == "tensor" and "same shape" in (info.value.fix or "")
    assert [e.string("tensor_name") for e in _config(tmp_path)] == ["w", "w@0"]  # nothing half written


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), ()])
def test_not_two_dimensional(tmp_path, shape):
    with pytest.raises(ParameterError, match=rf"expected a 2-D .* found {len(shape)}-D") as info:
        log_embedding(tmp_path, np.zeros(shape), name="w")
    assert "reshape" in (info.value.fix or "")
    assert not (tmp_path / CONFIG_NAME).exists()


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite(tmp_path, bad):
    table = _table(0)
    table[3, 1] = bad
    with pytest.raises(FormatError, match=r"`w` at step 0 row 4, column 2 holds (nan|inf), expected a finite"):
        log_embedding(tmp_path, table, name="w")


def test_metadata_with_the_wrong_row_count(tmp_path):
    with pytest.raises(MetadataError, match=r"metadata for `w` at step 0 has 4 rows for 5 vectors") as info:
        log_embedding(tmp_path, _table(0), name="w", metadata=WORDS[:4])
    assert "one metadata row" in (info.value.fix or "")
    with pytest.raises(MetadataError, match="different lengths"):
        log_embedding(tmp_path, _table(0), name="w", metadata={"a": WORDS, "b": WORDS[:2]})
    with pytest.raises(ParameterError, match="`metadata` must be"):
        log_embedding(tmp_path, _table(0), name="w", metadata="the cat sat")


def test_step_that_goes_backwards(tmp_path):
    log_embedding(tmp_path, _table(0), name="w", step=5)
    for step in (5, 3):
        with pytest.raises(ParameterError, match=rf"step {step} of `w` is not after step 5") as info:
            log_embedding(tmp_path, _table(1), name="w", step=step)
        assert "next: 6" in (info.value.fix or "")
    with pytest.raises(ParameterError, match="`step` must be a whole number"):
        log_embedding(tmp_path, _table(1), name="w", step=-1)
    assert log_embedding(tmp_path, _table(1), name="w") == 6


@pytest.mark.parametrize("name", ["", "a@3", "../up", "x/../../y", 3, "a/", "a//b", "./a"])
def test_bad_names(tmp_path, name):
    with pytest.raises(ParameterError, match="`name` must be"):
        log_embedding(tmp_path, _table(0), name=name)


def test_not_numbers(tmp_path):
    with pytest.raises(EmbedscopeError, match=r"`w` at step 0: expected numbers, found dtype <U3"):
        log_embedding(tmp_path, [["the", "cat"], ["sat", "mat"]], name="w")


def test_reader_never_sees_a_half_written_step(tmp_path):
    """A reader polling while steps are written finds whole steps only (files first, config replaced last)."""
    log_embedding(tmp_path, _table(0, n=2000, d=64), name="w")
    errors: list[BaseException] = []
    seen: list[int] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                emb = embedscope.load(tmp_path)
                assert emb.steps is not None
                last = emb.steps.latest
                np.testing.assert_array_equal(emb.vectors, _table(last, n=2000, d=64))
                seen.append(last)
            except BaseException as exc:
                errors.append(exc)
                return

    reader = threading.Thread(target=read)
    reader.start()
    for step in range(1, 12):
        log_embedding(tmp_path, _table(step, n=2000, d=64), name="w")
    done.set()
    reader.join()
    assert not errors, errors[0]
    assert seen and seen == sorted(seen)


def test_a_new_name_never_writes_into_a_folder_already_there(tmp_path):
    """`words` after a leftover `words/` folder (or after `Words` on a case-insensitive disk) gets `words-2/`."""
    (tmp_path / "words").mkdir()
    (tmp_path / "words" / "0.bytes").write_bytes(b"kept")
    log_embedding(tmp_path, _table(0), name="words", metadata=WORDS)
    log_embedding(tmp_path, _table(1), name="words")
    assert (tmp_path / "words" / "0.bytes").read_bytes() == b"kept"
    assert sorted(p.name for p in (tmp_path / "words-2").iterdir()) == ["0.bytes", "1.bytes", "metadata.tsv"]
    emb = embedscope.load(tmp_path)
    assert emb.name == "words" and emb.labels == WORDS and emb.steps is not None and emb.steps.numbers == [0, 1]
    np.testing.assert_array_equal(emb.at(0).vectors, _table(0))
