"""ServerState: the id scheme (r0/e0 or exact names), lookups, metadata replacement and the default state folder."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from embedscope.embedding import Collection, Embedding
from embedscope.errors import MetadataError, NotFoundError
from embedscope.server.state import ServerSettings, ServerState, default_state_dir


@pytest.fixture
def state(data, tmp_path: Path) -> ServerState:
    made = ServerState(data(), ServerSettings(state_dir=tmp_path / "state", cache_dir=tmp_path / "cache"))
    yield made
    made.close()


def test_runs_and_tensors_are_numbered_in_order(state: ServerState) -> None:
    assert state.runs() == [("r0", "."), ("r1", "other")]
    assert [(tid, emb.name) for tid, emb in state.tensors("r0")] == [("e0", "words"), ("e1", "plain")]
    assert [(tid, emb.name) for tid, emb in state.tensors("other")] == [("e0", "small")]


def test_embedding_by_id_or_exact_name(state: ServerState) -> None:
    words = state.embedding("r0", "e0")
    assert words.name == "words"
    assert state.embedding(".", "words") is words
    assert state.embedding("r0", "plain") is state.embedding("r0", "e1")
    assert state.ids_of(state.embedding("other", "small")) == ("r1", "e0")


@pytest.mark.parametrize(
    ("run", "tensor", "match"),
    [
        ("r2", "e0", "no run 'r2'"),
        ("r01", "e0", "no run 'r01'"),
        ("r0", "e2", "no embedding 'e2'"),
        ("r0", "small", "no embedding 'small'"),
        ("../r0", "e0", "no run"),
        ("r0", "e-1", "no embedding"),
    ],
)
def test_unknown_ids_are_not_found(state: ServerState, run: str, tensor: str, match: str) -> None:
    with pytest.raises(NotFoundError, match=match):
        state.embedding(run, tensor)


def test_replace_metadata_keeps_the_id_and_vectors(state: ServerState) -> None:
    before = state.embedding("r0", "e1")
    new = state.replace_metadata("r0", "e1", pa.table({"name": [f"p{i}" for i in range(8)]}))
    assert state.embedding("r0", "e1") is new
    assert new.vectors is before.vectors
    assert new.labels[3] == "p3"
    with pytest.raises(MetadataError, match="3 rows for 8 vectors"):
        state.replace_metadata("r0", "e1", pa.table({"name": ["a", "b", "c"]}))


def test_default_state_dir_is_next_to_the_data(tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    assert default_state_dir([folder]) == folder.resolve() / ".embedscope"
    file = tmp_path / "vectors.npy"
    file.touch()
    assert default_state_dir([file]) == tmp_path.resolve() / ".embedscope" / "vectors.npy"


def test_default_state_dir_for_several_paths_is_the_user_data_dir(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    one = default_state_dir([tmp_path / "a.npy", tmp_path / "b.npy"])
    again = default_state_dir([tmp_path / "b.npy", tmp_path / "a.npy"])
    other = default_state_dir([tmp_path / "a.npy", tmp_path / "c.npy"])
    assert one == again != other
    assert one.parent == tmp_path / "xdg" / "embedscope"


def test_default_state_dir_falls_back_when_the_data_folder_is_read_only(tmp_path: Path, monkeypatch) -> None:
    """Checked through os.access, which chmod cannot make fail for root."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    assert default_state_dir([tmp_path]).parent == tmp_path / "xdg" / "embedscope"


def test_state_dir_from_served_paths(tmp_path: Path) -> None:
    file = tmp_path / "v.npy"
    np.save(file, np.ones((3, 2), dtype=np.float32))
    collection = Collection(source=str(file))
    collection.add(".", Embedding(np.ones((3, 2), dtype=np.float32), name="v"))
    made = ServerState(collection, ServerSettings(paths=[file], cache_dir=tmp_path / "cache"))
    assert made.state_dir == tmp_path.resolve() / ".embedscope" / "v.npy"
    assert made.bookmarks.path.parent == made.state_dir
    made.close()
