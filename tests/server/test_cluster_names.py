"""The names users give clusters (server/cluster_names.py): kept in cluster-names.json under each map's clusters'
key, checked when given, and a damaged or hostile file never served, never overwritten, never waited on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from embedscope.errors import NotFoundError, ParameterError
from embedscope.server.cluster_names import FILENAME, MAX_NAME, ClusterNames


def test_names_are_kept_per_map_and_taken_back(tmp_path: Path) -> None:
    names = ClusterNames(tmp_path)
    assert names.set("k1", 3, "sea") == {3: "sea"}
    names.set("k2", 3, "bread")
    assert ClusterNames(tmp_path).names("k1") == {3: "sea"}  # a new server reads them back
    assert names.set("k1", 3, None) == {} and names.names("k1") == {} and names.names("k2") == {3: "bread"}
    with pytest.raises(NotFoundError, match="no clusters found"):
        names.latest("job")


@pytest.mark.parametrize("bad", ["", "   ", "a\nb", "\x00", "x" * (MAX_NAME + 1)])
def test_a_name_that_is_not_one_is_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ParameterError):
        ClusterNames(tmp_path).set("k", 0, bad)
    assert not (tmp_path / FILENAME).exists()


def test_a_damaged_file_is_moved_aside_and_its_bad_entries_left_out(tmp_path: Path, caplog) -> None:
    (tmp_path / FILENAME).write_text("{not json")
    names = ClusterNames(tmp_path)
    assert names.names("k") == {}
    assert [p.name.startswith(f"{FILENAME}.unreadable-") for p in tmp_path.iterdir()] == [True]
    assert "unreadable" in caplog.text
    doc = {"version": 1, "maps": {"k": {"1": "ok", "x": "not an id", "2": "\x07bell", "3": 5}, "other": [1]}}
    (tmp_path / FILENAME).write_text(json.dumps(doc))
    assert names.names("k") == {1: "ok"} and names.names("other") == {}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_or_a_link_out_of_the_folder_is_not_read(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    os.mkfifo(state / FILENAME)
    assert ClusterNames(state).names("k") == {}  # not waited on: moved aside
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"version": 1, "maps": {"k": {"1": "secret"}}}))
    (state / FILENAME).symlink_to(secret)
    assert ClusterNames(state).names("k") == {}
    assert json.loads(secret.read_text())["maps"]["k"] == {"1": "secret"}  # never overwritten
