import shutil

import pytest
from click.testing import CliRunner

from embedscope import demo
from embedscope.cli import cli
from embedscope.compute.neighbors import neighbors
from embedscope.errors import NotFoundError


def test_digits_with_sprite():
    emb = demo.digits()
    assert emb.shape == (1797, 64)
    assert emb.sprite is not None and emb.sprite.single_image_dim == (8, 8)
    assert emb.labels[:3] == ["0", "1", "2"]


def test_minilm_blue_neighbours_are_colours():
    emb = demo.minilm_tokens()
    assert emb.shape == (30522, 384)
    labels = [n.label for n in neighbors(emb, "blue", k=3)]
    assert labels == ["red", "blues", "purple"]


needs_bible = pytest.mark.skipif(
    shutil.which("bible") is None, reason="no `bible` command: apt-get install bible-kjv (or `make setup` as root)"
)


@pytest.mark.slow
@needs_bible
def test_kjv_word2vec_is_trained_once_with_a_step_per_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path))
    assert demo.kjv() is None  # not trained yet, and not trained unless asked
    path = demo.prepare_kjv()
    assert path == tmp_path / "demo" / "kjv-word2vec"
    stamp = (path / "train.json").stat().st_mtime_ns
    assert demo.prepare_kjv() == path and (path / "train.json").stat().st_mtime_ns == stamp  # cached

    emb = demo.kjv()
    assert emb is not None and emb.name == "kjv-word2vec"
    assert emb.metadata is not None and emb.metadata.column_names == ["Word", "Frequency"]
    assert emb.steps is not None and emb.steps.numbers == list(range(demo.KJV_PARAMS["epochs"] + 1))
    assert emb.shape[1] == demo.KJV_PARAMS["vector_size"] and 5_000 < len(emb) < 10_000
    assert emb.labels[:3] == ["the", "and", "of"]  # ids by frequency
    # the table learned something: bread's neighbours are about bread (the random start's are not)
    near = {n.label for n in neighbors(emb, "bread", k=10)}
    assert near & {"unleavened", "leavened", "eat", "loaves", "bake", "leaven"}
    start = {n.label for n in neighbors(emb.at(0), "bread", k=10)}
    assert not start & {"unleavened", "leavened", "loaves", "bake", "leaven"}

    result = CliRunner().invoke(cli, ["demo", "--no-serve", "-k", "3", "--data", "kjv-word2vec"])
    assert result.exit_code == 0, result.output
    assert "kjv-word2vec: " in result.output and "steps: 6 (0, 1, 2, 3, 4, 5)" in result.output
    assert "bread: (" in result.output and "training" not in result.output  # cached: not trained again


def test_demo_without_bible_leaves_the_word2vec_run_out(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("EMBEDSCOPE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(demo.shutil, "which", lambda name: None)
    with pytest.raises(NotFoundError, match="apt-get install bible-kjv"):
        demo.prepare_kjv()
    assert demo.kjv(train=True) is None
    assert "bible-kjv" in caplog.text
    assert [e.name for e, _ in demo.examples(names={"digits", "kjv-word2vec"}, train=True)] == ["digits"]
