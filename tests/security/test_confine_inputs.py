"""Regular files only: a FIFO or a device given as an input, or found where a reader looks beside it, ends with one
typed error line instead of blocking the reader (each runs in a child under bounded.py's limits and wall guard)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from bounded import assert_one_error_line, run_cli

from embedscope.formats.registry import FORMATS

FIXTURES = Path(__file__).parent.parent / "fixtures"
TF1 = FIXTURES / "tf" / "tf1"
CKPT = ("model.ckpt-100.index", "model.ckpt-100.data-00000-of-00001")
WORDS = [f"w{i}" for i in range(4)]
SPECIAL = r"found a (FIFO|character device)"


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _vectors_tsv(folder: Path, name: str = "vectors.tsv") -> Path:
    (folder / name).write_text("".join(f"{i}\t{i + 1}\n" for i in range(4)))
    return folder / name


# -- the input itself ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_fifo_given_as_input_of_each_format_is_refused(tmp_path: Path, fmt: str) -> None:
    fifo = _fifo(tmp_path / "input")
    assert_one_error_line(run_cli("info", "--format", fmt, fifo), match=SPECIAL)


@pytest.mark.parametrize("name", ["vectors.npy", "vectors.txt"])
def test_fifo_given_as_input_is_refused_when_sniffing(tmp_path: Path, name: str) -> None:
    assert_one_error_line(run_cli("info", _fifo(tmp_path / name)), match=SPECIAL)


@pytest.mark.parametrize("fmt", [None, "word2vec"])
def test_device_given_as_input_is_refused(fmt: str | None) -> None:
    args = ["info", "/dev/zero"] if fmt is None else ["info", "--format", fmt, "/dev/zero"]
    assert_one_error_line(run_cli(*args), match="found a character device")


# -- files found beside it or named by it -----------------------------------------------------------------------
def test_fifo_metadata_beside_vectors_tsv(tmp_path: Path) -> None:
    _fifo(tmp_path / "metadata.tsv")
    assert_one_error_line(run_cli("info", _vectors_tsv(tmp_path)), match=SPECIAL)


def test_fifo_metadata_beside_npy(tmp_path: Path) -> None:
    np.save(tmp_path / "vectors.npy", np.ones((4, 2), np.float32))
    _fifo(tmp_path / "vectors_metadata.tsv")
    assert_one_error_line(run_cli("info", tmp_path / "vectors.npy"), match=SPECIAL)


@pytest.mark.parametrize("option", ["--metadata", "--sprite"])
def test_fifo_given_as_metadata_or_sprite(tmp_path: Path, option: str) -> None:
    fifo = _fifo(tmp_path / ("side.tsv" if option == "--metadata" else "side.png"))
    size = ["--sprite-size", "2", "2"] if option == "--sprite" else []
    assert_one_error_line(run_cli("info", _vectors_tsv(tmp_path), option, fifo, *size), match=SPECIAL)


def test_fifo_vocab_beside_safetensors(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "ml" / "safetensors" / "model.safetensors", tmp_path / "model.safetensors")
    _fifo(tmp_path / "vocab.txt")
    assert_one_error_line(run_cli("info", tmp_path / "model.safetensors"), match=SPECIAL)


@pytest.mark.parametrize("what", ["index", "shard"])
def test_fifo_in_a_sharded_safetensors_folder(tmp_path: Path, what: str) -> None:
    folder = tmp_path / "sharded"
    shutil.copytree(FIXTURES / "ml" / "safetensors" / "sharded", folder)
    index = next(folder.glob("*.index.json"))
    if what == "index":
        index.unlink()
        _fifo(index)
    else:
        shard = next(folder.glob("*-00001-of-*.safetensors"))
        shard.unlink()
        _fifo(shard)
    assert_one_error_line(run_cli("info", folder), match=SPECIAL)


@pytest.mark.parametrize("what", ["data", "state"])
def test_fifo_beside_a_tf_checkpoint(tmp_path: Path, what: str) -> None:
    for name in CKPT:
        shutil.copy(TF1 / name, tmp_path / name)
    if what == "data":
        (tmp_path / CKPT[1]).unlink()
        _fifo(tmp_path / CKPT[1])
        target = tmp_path / CKPT[0]
    else:
        _fifo(tmp_path / "checkpoint")
        target = tmp_path
    assert_one_error_line(run_cli("info", "--tensor", "word_embeddings", target), match=SPECIAL)


@pytest.mark.parametrize("field", ["config", "tensor_path", "metadata_path", "image_path"])
def test_fifo_named_by_a_log_dir(tmp_path: Path, field: str) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    _vectors_tsv(logs, "v.tsv")
    (logs / "m.tsv").write_text("".join(f"{w}\n" for w in WORDS))
    from PIL import Image

    Image.new("RGB", (4, 4)).save(logs / "s.png")
    config = logs / "projector_config.pbtxt"
    config.write_text(
        'embeddings { tensor_path: "v.tsv" metadata_path: "m.tsv"\n'
        '  sprite { image_path: "s.png" single_image_dim: 2 single_image_dim: 2 } }\n'
    )
    named = {
        "config": config,
        "tensor_path": logs / "v.tsv",
        "metadata_path": logs / "m.tsv",
        "image_path": logs / "s.png",
    }
    named[field].unlink()
    _fifo(named[field])
    assert_one_error_line(run_cli("info", logs), match=SPECIAL)


def test_fifo_beside_a_gensim_file(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "gensim" / "words.kv", tmp_path / "words.kv")
    _fifo(tmp_path / "words.kv.vectors.npy")
    assert_one_error_line(run_cli("info", tmp_path / "words.kv"), match=SPECIAL)
