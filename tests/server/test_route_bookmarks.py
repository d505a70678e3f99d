"""The bookmarks API: list, get, save, rename, delete; kept in the state folder across servers."""

from __future__ import annotations

import os
from pathlib import Path


def test_bookmarks_round_trip(client, expect_error) -> None:
    state = {"projection": {"method": "tsne", "params": {"perplexity": 30}}, "camera": [1, 2, 3], "selection": [4]}
    saved = client.put("/api/bookmarks/my view", json={"state": state})
    assert saved.status_code == 200 and saved.json()["state"] == state
    assert client.get("/api/bookmarks/my view").json()["state"] == state
    client.put("/api/bookmarks/two", json={"state": None})
    listing = client.get("/api/bookmarks").json()["bookmarks"]
    assert [b["name"] for b in listing] == ["my view", "two"]
    renamed = client.post("/api/bookmarks/my view/rename", json={"new_name": "renamed"})
    assert renamed.json()["name"] == "renamed"
    expect_error(client.post("/api/bookmarks/two/rename", json={"new_name": "renamed"}), 409, "conflict")
    assert client.delete("/api/bookmarks/two").json() == {"deleted": "two"}
    expect_error(client.get("/api/bookmarks/two"), 404, "not_found", match="no bookmark 'two'")
    expect_error(client.delete("/api/bookmarks/two"), 404, "not_found")
    assert [b["name"] for b in client.get("/api/bookmarks").json()["bookmarks"]] == ["renamed"]


def test_bookmarks_persist_in_the_state_folder(make_client, tmp_path: Path) -> None:
    make_client().put("/api/bookmarks/kept", json={"state": {"a": 1}})
    assert (tmp_path / "state" / "bookmarks.json").is_file()
    assert make_client().get("/api/bookmarks/kept").json()["state"] == {"a": 1}


def test_bad_names_and_bodies(client, expect_error) -> None:
    expect_error(client.put("/api/bookmarks/%20%20", json={"state": 1}), 422, "parameter", match="1 to 200")
    expect_error(client.put("/api/bookmarks/" + "x" * 201, json={"state": 1}), 422, "parameter")
    expect_error(client.put("/api/bookmarks/a", json={"nostate": 1}), 422, "parameter", match="state")
    expect_error(client.post("/api/bookmarks/a/rename", json={"new_name": ""}), 422, "parameter")


def test_a_failed_write_is_507_and_keeps_earlier_bookmarks(client, expect_error, monkeypatch) -> None:
    client.put("/api/bookmarks/kept", json={"state": 1})

    def broken_replace(src, dst) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", broken_replace)
    expect_error(client.put("/api/bookmarks/lost", json={"state": 2}), 507, "storage", match="Permission denied")
    monkeypatch.undo()
    assert [b["name"] for b in client.get("/api/bookmarks").json()["bookmarks"]] == ["kept"]
