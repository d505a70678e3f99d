"""The TensorBoard reader groups `NAME@STEP` entries into one embedding with steps; Steps notice appended ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import embedscope
from embedscope.errors import FormatError, NotFoundError
from embedscope.formats.tensorboard.writer import split_step


def _bytes(folder: Path, name: str, array: np.ndarray) -> None:
    array.astype("<f4").tofile(folder / name)


def _entry(name: str, path: str, shape: tuple[int, int], metadata: str = "") -> str:
    meta = f'  metadata_path: "{metadata}"\n' if metadata else ""
    return (
        f'embeddings {{\n  tensor_name: "{name}"\n  tensor_path: "{path}"\n'
        f"  tensor_shape: {shape[0]}\n  tensor_shape: {shape[1]}\n{meta}}}\n"
    )


@pytest.mark.parametrize(
    ("name", "split"),
    [("w@3", ("w", 3)), ("w@0", ("w", 0)), ("a@b@12", ("a@b", 12)), ("w@03", ("w@03", None)), ("w@", ("w@", None))],
)
def test_split_step(name, split):
    assert split_step(name) == split


def test_step_entries_without_a_plain_entry_are_grouped(tmp_path):
    """A config written by hand (or another tool): only `emb@STEP` entries, beside an unrelated tensor."""
    tables = {5: np.full((3, 2), 5.0), 1: np.full((3, 2), 1.0)}
    for step, table in tables.items():
        _bytes(tmp_path, f"emb-{step}.bytes", table)
    _bytes(tmp_path, "other.bytes", np.eye(4, 2))
    (tmp_path / "words.tsv").write_text("a\nb\nc\n")
    config = (
        _entry("other", "other.bytes", (4, 2))
        + _entry("emb@5", "emb-5.bytes", (3, 2), "words.tsv")
        + _entry("emb@1", "emb-1.bytes", (3, 2), "words.tsv")
    )
    (tmp_path / "projector_config.pbtxt").write_text(config)
    data = embedscope.load_collection(tmp_path)
    assert list(data.runs["."]) == ["other", "emb"]
    emb = data.get(tensor="emb")
    assert emb.steps is not None and emb.steps.numbers == [1, 5]
    np.testing.assert_array_equal(emb.vectors, tables[5])  # the latest step
    np.testing.assert_array_equal(emb.at(1).vectors, tables[1])
    assert emb.at(1).labels == ["a", "b", "c"]
    assert emb.steps[1].metadata is emb.metadata  # the metadata file is read once for every step
    assert data.get(tensor="other").steps is None


def test_unknown_step_and_a_step_of_another_shape(tmp_path):
    _bytes(tmp_path, "a.bytes", np.zeros((3, 2)))
    _bytes(tmp_path, "b.bytes", np.zeros((4, 2)))
    config = _entry("w@0", "a.bytes", (3, 2)) + _entry("w@1", "b.bytes", (4, 2)) + _entry("w", "b.bytes", (4, 2))
    (tmp_path / "projector_config.pbtxt").write_text(config)
    emb = embedscope.load(tmp_path)
    with pytest.raises(NotFoundError, match=r"no step 7") as info:
        emb.at(7)
    assert "0, 1" in (info.value.fix or "")
    with pytest.raises(FormatError, match=r"step 0 of 'w' is 3 x 2, the embedding 4 x 2"):
        emb.at(0)
    plain = embedscope.Embedding(np.zeros((2, 2)), name="plain")
    assert plain.at(None) is plain and plain.at(0) is plain
    with pytest.raises(NotFoundError, match="has no steps"):
        plain.at(3)


def test_steps_notice_a_changed_config_and_reload(tmp_path):
    embedscope.log_embedding(tmp_path, np.ones((3, 2)), name="w")
    emb = embedscope.load(tmp_path)
    assert emb.steps is not None and not emb.steps.stale()
    embedscope.log_embedding(tmp_path, np.full((3, 2), 2.0), name="w")
    assert emb.steps.stale()
    again = emb.steps.reload()
    assert not emb.steps.stale()  # seen: asking again does not read again
    assert again is not None and again.steps is not None and again.steps.numbers == [0, 1]
    np.testing.assert_array_equal(again.vectors, np.full((3, 2), 2.0))
    assert not again.steps.stale()


def test_a_written_log_dir_round_trips_with_save(tmp_path):
    """`write` (embedscope convert) and log_embedding share a log dir: each keeps the other's entries."""
    embedscope.Embedding(np.eye(3, 2), name="fixed").save(tmp_path, format="tensorboard")
    embedscope.log_embedding(tmp_path, np.ones((3, 2)), name="live")
    embedscope.Embedding(np.eye(3, 2) * 2, name="fixed").save(tmp_path, format="tensorboard")
    data = embedscope.load_collection(tmp_path)
    assert sorted(data.runs["."]) == ["fixed", "live"]
    assert data.get(tensor="live").steps is not None and data.get(tensor="fixed").steps is None
