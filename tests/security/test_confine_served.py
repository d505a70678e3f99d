"""Files outside what was served: a served file swapped after start-up, log dirs named by a relative path, and the
"moved checkpoint" fallback, each confined to the served folder when the file is opened."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest
from PIL import Image

from embedscope.errors import AccessDeniedError
from embedscope.formats import load, load_collection

TF1 = Path(__file__).parent.parent / "fixtures" / "tf" / "tf1"
CKPT = ("model.ckpt-100.index", "model.ckpt-100.data-00000-of-00001")
SECRET = "root:x:0:0:the password file, outside the log dir\n"
SPRITE_PNG = "/api/runs/r0/embeddings/e0/sprite.png"
CONFIG = """embeddings {
  tensor_name: "v"
  tensor_path: "vectors.tsv"
  bookmarks_path: "bookmarks.json"
  sprite { image_path: "sprite.png" single_image_dim: 2 single_image_dim: 2 }
}
"""


def _log_dir(tmp_path: Path) -> Path:
    """A log dir (tmp/logs/run) with 4 vectors, a 2 x 2 sprite of 2 x 2 px thumbnails and a bookmarks file."""
    run = tmp_path / "logs" / "run"
    run.mkdir(parents=True)
    (run / "vectors.tsv").write_text("1\t2\n3\t4\n5\t6\n7\t8\n")
    Image.new("RGB", (4, 4), "red").save(run / "sprite.png")
    (run / "bookmarks.json").write_text(json.dumps([{"name": "inside"}]))
    (run / "projector_config.pbtxt").write_text(CONFIG)
    return run


def _secret(tmp_path: Path, name: str = "passwd", text: str = SECRET) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / name).write_text(text)
    return outside / name


def _swap_for_link(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


def _get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=60)


def _refused(response: httpx.Response) -> None:
    assert response.status_code in (403, 404), (response.status_code, response.text[:200])
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) == {"error"}
    assert "root:x" not in response.text


# -- a served file swapped after start-up ------------------------------------------------------------------------
def test_sprite_swapped_for_a_link_leaving_the_log_dir_is_not_served(tmp_path: Path, start_live) -> None:
    run = _log_dir(tmp_path)
    url = start_live(load_collection(run))
    _swap_for_link(run / "sprite.png", _secret(tmp_path))
    _refused(_get(url + SPRITE_PNG))


def test_sprite_swapped_for_a_fifo_answers_an_error_without_hanging(tmp_path: Path, start_live) -> None:
    run = _log_dir(tmp_path)
    url = start_live(load_collection(run))
    (run / "sprite.png").unlink()
    os.mkfifo(run / "sprite.png")
    response = _get(url + SPRITE_PNG)  # a blocked open would time out (60 s) and fail the test
    assert 400 <= response.status_code < 500, response.text[:200]
    assert "found a FIFO (named pipe)" in response.json()["error"]["message"]


def test_sprite_given_beside_a_file_is_confined_to_its_folder(tmp_path: Path, start_live) -> None:
    run = _log_dir(tmp_path)
    url = start_live(load_collection(run / "vectors.tsv", sprite=run / "sprite.png", sprite_size=(2, 2)))
    _swap_for_link(run / "sprite.png", _secret(tmp_path))
    _refused(_get(url + SPRITE_PNG))


def test_config_bookmarks_swapped_for_a_link_leaving_the_log_dir_are_not_served(tmp_path: Path, start_live) -> None:
    run = _log_dir(tmp_path)
    url = start_live(load_collection(run))
    secret = _secret(tmp_path, "secret.json", json.dumps([{"name": SECRET}]))
    assert _get(url + "/api/runs/r0/embeddings/e0").json()["config_bookmarks"] == [{"name": "inside"}]
    _swap_for_link(run / "bookmarks.json", secret)
    response = _get(url + "/api/runs/r0/embeddings/e0")
    assert response.status_code == 200
    assert "root:x" not in response.text and response.json()["config_bookmarks"] is None


def test_config_bookmarks_swapped_for_a_fifo_do_not_hang(tmp_path: Path, start_live) -> None:
    run = _log_dir(tmp_path)
    url = start_live(load_collection(run))
    (run / "bookmarks.json").unlink()
    os.mkfifo(run / "bookmarks.json")
    response = _get(url + "/api/runs/r0/embeddings/e0")
    assert response.status_code == 200 and response.json()["config_bookmarks"] is None


def test_served_roots_are_kept_per_run(tmp_path: Path, make_client) -> None:
    run = _log_dir(tmp_path)
    client = make_client(load_collection(run))
    assert client.state.roots == {".": run.resolve()}


def test_served_roots_of_several_paths_and_a_sprite_given_from_elsewhere(tmp_path: Path, make_client) -> None:
    from embedscope.server.launch import collect

    run = _log_dir(tmp_path)
    pics = tmp_path / "pics"
    pics.mkdir()
    shutil.copy(run / "sprite.png", pics / "sprite.png")
    (tmp_path / "flat").mkdir()
    flat = _vectors_copy(run, tmp_path / "flat")
    served = collect([run, flat], sprite=pics / "sprite.png", sprite_size=(2, 2))
    client = make_client(served)
    assert client.state.roots == {"run": run.resolve(), "vectors": flat.parent.resolve()}
    assert client.get("/api/runs/r0/embeddings/e0/sprite.png").status_code == 200  # its own folder, as at start-up
    _swap_for_link(pics / "sprite.png", _secret(tmp_path))
    assert client.get("/api/runs/r1/embeddings/e0/sprite.png").status_code in (403, 404)


def _vectors_copy(run: Path, folder: Path) -> Path:
    shutil.copy(run / "vectors.tsv", folder / "vectors.tsv")
    return folder / "vectors.tsv"


# -- log dirs named by a relative path -----------------------------------------------------------------------------
def _ckpt_log_dir(tmp_path: Path) -> Path:
    run = tmp_path / "logs" / "run"
    run.mkdir(parents=True)
    for name in CKPT:
        shutil.copy(TF1 / name, run / name)
    (run / "projector_config.pbtxt").write_text('embeddings { tensor_name: "word_embeddings" }\n')
    return run


@pytest.mark.parametrize("spelled", ["relative", "absolute"])
def test_config_linked_from_outside_is_refused_however_the_log_dir_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelled: str
) -> None:
    run = _log_dir(tmp_path)
    elsewhere = _secret(tmp_path, "elsewhere.pbtxt", 'embeddings { tensor_path: "vectors.tsv" }\n')
    _swap_for_link(run / "projector_config.pbtxt", elsewhere)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AccessDeniedError, match="outside"):
        load_collection(Path("logs/run") if spelled == "relative" else run)


@pytest.mark.parametrize("spelled", ["relative", "absolute"])
def test_data_shard_linked_from_outside_is_refused_however_the_log_dir_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelled: str
) -> None:
    run = _ckpt_log_dir(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.move(run / CKPT[1], outside / CKPT[1])
    (run / CKPT[1]).symlink_to(outside / CKPT[1])
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AccessDeniedError, match="outside"):
        load(Path("logs/run") if spelled == "relative" else run, tensor="word_embeddings")


@pytest.mark.parametrize("linked", CKPT)
def test_moved_checkpoint_fallback_is_confined(tmp_path: Path, linked: str) -> None:
    run = _ckpt_log_dir(tmp_path)
    (run / "projector_config.pbtxt").write_text(
        'model_checkpoint_path: "/somewhere/else/model.ckpt-100"\nembeddings { tensor_name: "word_embeddings" }\n'
    )
    assert load(run, tensor="word_embeddings").shape == (50, 8)  # the same name beside the config is used
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.move(run / linked, outside / linked)
    (run / linked).symlink_to(outside / linked)
    with pytest.raises(AccessDeniedError, match="outside"):
        load(run, tensor="word_embeddings")


# -- the built web app ----------------------------------------------------------------------------------------------
def test_web_page_swapped_for_a_link_leaving_its_folder_is_not_served(
    tmp_path: Path, make_client, monkeypatch: pytest.MonkeyPatch, expect_error
) -> None:
    from embedscope.server.routes import static

    web = tmp_path / "web"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>app</title>")
    monkeypatch.setattr(static, "WEB_DIR", web)
    client = make_client()
    assert client.get("/").text == "<!doctype html><title>app</title>"
    _swap_for_link(web / "index.html", _secret(tmp_path))
    expect_error(client.get("/"), 403, "access_denied")
    (web / "assets" / "secret.js").symlink_to(_secret(tmp_path))
    assert "root:x" not in client.get("/assets/secret.js").text


def test_a_sprite_deleted_after_start_up_is_served_from_memory(tmp_path: Path, start_live) -> None:
    run = _log_dir(tmp_path)
    url = start_live(load_collection(run))
    (run / "sprite.png").unlink()  # gone, not swapped: the image read at start-up is what the page shows
    response = _get(url + SPRITE_PNG)
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
