from pathlib import Path

import numpy as np
import pytest

import embedscope
from embedscope.errors import FormatError, NotFoundError, ParameterError
from embedscope.formats.registry import FORMATS, sniff

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.npy", None, "npy"),
        ("a.tsv", b"1\t2\n", "tsv"),
        ("a.parquet", b"PAR1....", "parquet"),
        ("a.csv", b"x,y\n1,2\n", "csv"),
        ("model.safetensors", b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ", "safetensors"),
        ("glove.txt", b"the 0.1 0.2\nof 0.3 0.4\n", "glove"),
        ("w2v.txt", b"2 2\nthe 0.1 0.2\nof 0.3 0.4\n", "word2vec"),
        ("model.ckpt-5.data-00000-of-00001", b"", "tf-checkpoint"),
    ],
)
def test_sniff_by_suffix_magic_and_content(tmp_path, name, content, expected):
    path = tmp_path / name
    if content is None:
        np.save(path, np.zeros((2, 2), np.float32))
    else:
        path.write_bytes(content)
    assert sniff(path) == expected


def test_sniff_directories_and_prefixes():
    assert sniff(FIXTURES / "tf" / "logdir_guide") == "tensorboard"
    assert sniff(FIXTURES / "tf" / "tf1") == "tf-checkpoint"
    assert sniff(FIXTURES / "tf" / "tf1" / "model.ckpt-100") == "tf-checkpoint"


def test_unknown_things_are_clear_errors(tmp_path):
    with pytest.raises(NotFoundError, match="no such file or directory"):
        sniff(tmp_path / "missing.tsv")
    odd = tmp_path / "data.xyz"
    odd.write_text("hello")
    with pytest.raises(FormatError, match=r"cannot tell the format.*--format"):
        sniff(odd)
    with pytest.raises(FormatError, match=r"no projector_config\.pbtxt"):
        sniff(tmp_path)
    with pytest.raises(ParameterError, match="unknown format 'nope'"):
        embedscope.load_collection(odd, format="nope")
    with pytest.raises(ParameterError, match=r"unknown option\(s\) \['colour'\]"):
        embedscope.load_collection(odd, format="tsv", colour="red")


def test_every_format_module_exposes_read_and_writers_write():
    import importlib

    for fmt in FORMATS.values():
        module = importlib.import_module(f"embedscope.formats.{fmt.module}")
        assert callable(module.read), fmt.name
        if fmt.writes:
            assert callable(module.write), fmt.name


def test_save_picks_the_format_from_the_suffix(tmp_path):
    emb = embedscope.Embedding(np.eye(3, dtype=np.float32))
    assert embedscope.load(emb.save(tmp_path / "a.npy")).shape == (3, 3)
    logdir = emb.save(tmp_path / "logdir")
    assert (logdir / "projector_config.pbtxt").exists() or any(logdir.rglob("projector_config.pbtxt"))
    binary = emb.save(tmp_path / "w.bin")
    assert sniff(binary) == "word2vec-binary"


def test_load_passes_the_chosen_tensor_to_the_reader(tmp_path, monkeypatch):
    from safetensors.numpy import save_file

    from embedscope.formats import safetensors

    save_file({"a": np.ones((3, 2), np.float32), "b": np.zeros((4, 2), np.float32)}, str(tmp_path / "m.safetensors"))
    seen = []
    real = safetensors.read

    def spy(path, options, fmt):
        seen.append(options.tensor)
        return real(path, options, fmt)

    monkeypatch.setattr(safetensors, "read", spy)
    assert embedscope.load(tmp_path / "m.safetensors", tensor="b").shape == (4, 2)
    assert len(embedscope.load_collection(tmp_path / "m.safetensors")) == 2  # load_collection still reads all
    assert seen == ["b", None]
