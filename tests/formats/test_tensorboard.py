"""TensorBoard log dirs: fixtures written by TensorFlow/TensorBoard 2.21 (make_tf_fixtures.py), and our writer."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from embedscope.embedding import Embedding, Sprite
from embedscope.errors import AccessDeniedError, FormatError, IntegrityError, NotFoundError, ParameterError
from embedscope.formats import load, load_collection, sniff
from embedscope.formats.tensorboard.logdir import CONFIG_SCHEMA, find_runs, reads_as_text
from embedscope.formats.tensorboard.writer import write
from embedscope.formats.tensorflow import checkpoint as tf_checkpoint
from embedscope.formats.tensorflow import pbtxt
from embedscope.metadata import typed_table

TF = Path(__file__).parent.parent / "fixtures" / "tf"
TF2_KEY = "embedding/.ATTRIBUTES/VARIABLE_VALUE"
WORDS = [f"word{i}" for i in range(50)]


def expected(folder: str, key: str) -> np.ndarray:
    return np.load(TF / folder / "expected" / (key.replace("/", "__") + ".npy"))


def tensors(path: Path) -> dict[tuple[str, str], Embedding]:
    return {(run, emb.name): emb for run, emb in load_collection(path, format="tensorboard")}


def tf1_logdir(tmp_path: Path, config: str, *, metadata: bool = True) -> Path:
    """A log dir holding the TF1 checkpoint (step 100) and the given projector config."""
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    for name in ("model.ckpt-100.index", "model.ckpt-100.data-00000-of-00001"):
        shutil.copy(TF / "tf1" / name, log_dir / name)
    if metadata:
        (log_dir / "metadata.tsv").write_text("".join(f"{w}\n" for w in WORDS))
    (log_dir / "projector_config.pbtxt").write_text(config)
    return log_dir


# -- reading the fixtures ----------------------------------------------------------------------------------------
def test_projector_guide_log_dir():
    assert sniff(TF / "logdir_guide") == "tensorboard"
    emb = load(TF / "logdir_guide")
    assert emb.name == TF2_KEY
    np.testing.assert_array_equal(emb.vectors, expected("logdir_guide", TF2_KEY))
    assert emb.labels == WORDS
    assert emb.sprite is not None and emb.sprite.single_image_dim == (4, 4)
    assert emb.sprite.image.size == (32, 32)


def test_runs_in_subfolders():
    got = tensors(TF / "logdir_runs")
    assert list(got) == [("eval", "eval_vectors"), ("train", TF2_KEY)]
    np.testing.assert_array_equal(got["train", TF2_KEY].vectors, expected("logdir_runs/train", TF2_KEY))
    raw = got["eval", "eval_vectors"]
    assert isinstance(raw.vectors, np.memmap)
    np.testing.assert_array_equal(raw.vectors, np.load(TF / "logdir_runs" / "eval" / "expected" / "vectors.npy"))
    assert raw.labels == WORDS
    assert [r.name for r in find_runs(TF / "logdir_runs")] == ["eval", "train"]


def test_config_in_plugin_assets_with_float16_checkpoint():
    (run,) = find_runs(TF / "logdir_plugins")
    assert run.name == "."
    assert (
        run.config
        == TF / "logdir_plugins" / "plugins" / "org_tensorflow_tensorboard_projector" / "projector_config.pbtxt"
    )
    emb = load(TF / "logdir_plugins")
    assert emb.vectors.dtype == np.float32
    np.testing.assert_array_equal(emb.vectors, expected("logdir_plugins", TF2_KEY))
    assert emb.labels == WORDS  # metadata.tsv beside the config, in the plugin folder


def test_checkpoint_folder_without_config_is_the_root_run(caplog):
    got = tensors(TF / "tf1")
    assert list(got) == [(".", "dense/kernel"), (".", "word_embeddings")]


def test_tf1_tensor_name_picks_the_variable_and_others_follow(tmp_path, caplog):
    config = 'embeddings {\n  tensor_name: "word_embeddings:0"\n  metadata_path: "metadata.tsv"\n}\n'
    got = tensors(tf1_logdir(tmp_path, config))
    assert list(got) == [(".", "word_embeddings"), (".", "dense/kernel")]  # listed first, then the rest
    emb = got[".", "word_embeddings"]
    np.testing.assert_array_equal(emb.vectors, np.load(TF / "tf1" / "expected" / "word_embeddings.npy"))
    assert emb.labels == WORDS
    assert got[".", "dense/kernel"].metadata is None


def test_first_entry_without_tensor_gives_defaults(tmp_path, caplog):
    got = tensors(tf1_logdir(tmp_path, 'embeddings {\n  metadata_path: "metadata.tsv"\n}\n'))
    assert got[".", "word_embeddings"].labels == WORDS
    assert got[".", "dense/kernel"].metadata is None  # 8 rows: the 50-line metadata does not fit
    assert "not attaching the default metadata to dense/kernel" in caplog.text


def test_model_checkpoint_path_and_dir(tmp_path):
    log_dir = tmp_path / "logs"
    (log_dir / "ckpts").mkdir(parents=True)
    for name in ("model.ckpt-100.index", "model.ckpt-100.data-00000-of-00001"):
        shutil.copy(TF / "tf1" / name, log_dir / "ckpts" / name)
    config = log_dir / "projector_config.pbtxt"
    config.write_text('model_checkpoint_path: "ckpts/model.ckpt-100"\nembeddings { tensor_name: "word_embeddings" }\n')
    assert load(log_dir, tensor="word_embeddings").shape == (50, 8)
    config.write_text('model_checkpoint_dir: "ckpts"\nembeddings { tensor_name: "word_embeddings" }\n')
    assert load(log_dir, tensor="word_embeddings").shape == (50, 8)


def test_tsv_tensor_path(tmp_path):
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    (tmp_path / "v.tsv").write_text("".join("\t".join(repr(float(x)) for x in row) + "\n" for row in vectors))
    (tmp_path / "projector_config.pbtxt").write_text('embeddings { tensor_path: "v.tsv" }\n')
    emb = load(tmp_path)
    assert emb.name == "v.tsv"  # as TensorBoard names it
    np.testing.assert_array_equal(emb.vectors, vectors)
    (tmp_path / "projector_config.pbtxt").write_text('embeddings {\n  tensor_path: "v.tsv"\n  tensor_shape: [4, 3]\n}')
    with pytest.raises(FormatError, match=r"line 1: tensor_shape \[4, 3\] does not match the 3 x 4 vectors in v.tsv"):
        load(tmp_path)


def test_bookmarks_path_is_kept(tmp_path):
    log_dir = tf1_logdir(tmp_path, 'embeddings { tensor_name: "word_embeddings" bookmarks_path: "marks.json" }')
    (log_dir / "marks.json").write_text("[]")
    assert load(log_dir, tensor="word_embeddings").bookmarks_path == str((log_dir / "marks.json").resolve())


# -- errors ------------------------------------------------------------------------------------------------------
def bytes_logdir(tmp_path: Path, entry: str, vectors: np.ndarray | None = None) -> Path:
    data = np.arange(24, dtype="<f4").reshape(6, 4) if vectors is None else vectors
    data.tofile(tmp_path / "v.bytes")
    (tmp_path / "projector_config.pbtxt").write_text(f'\n\nembeddings {{\n  tensor_path: "v.bytes"\n{entry}}}\n')
    return tmp_path


def test_raw_bytes_errors(tmp_path):
    with pytest.raises(FormatError, match="line 3: a raw float32 tensor_path needs tensor_shape"):
        load(bytes_logdir(tmp_path, ""))
    with pytest.raises(FormatError, match=r"expected 5 x 4 float32 = 80 bytes for tensor_shape \[5, 4\], found 96"):
        load(bytes_logdir(tmp_path, "tensor_shape: 5 tensor_shape: 4\n"))
    with pytest.raises(FormatError, match=r"tensor_shape has 1 numbers \[24\]; a raw float32 tensor needs 2"):
        load(bytes_logdir(tmp_path, "tensor_shape: 24\n"))
    nan = np.ones((6, 4), "<f4")
    nan[4, 1] = np.inf
    with pytest.raises(FormatError, match=r"v\.bytes: row 5, column 2 holds inf, expected a finite number"):
        load(bytes_logdir(tmp_path, "tensor_shape: [6, 4]\n", nan))


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ('metadata_path: "../outside.tsv"', r"metadata_path '../outside.tsv' resolves to .*, outside the log dir"),
        ('metadata_path: "/etc/hostname"', "metadata_path '/etc/hostname' resolves to /etc/hostname, outside"),
        ('sprite { image_path: "../s.png" single_image_dim: [4, 4] }', "image_path '../s.png' resolves to"),
        ('bookmarks_path: "~/b.json"', "bookmarks_path '~/b.json' resolves to"),
    ],
)
def test_paths_that_leave_the_log_dir_are_refused(tmp_path, entry, match):
    log_dir = tf1_logdir(tmp_path, f'embeddings {{\n  tensor_name: "word_embeddings"\n  {entry}\n}}\n')
    (tmp_path / "outside.tsv").write_text("".join(f"{w}\n" for w in WORDS))
    with pytest.raises(AccessDeniedError, match=match) as info:
        load(log_dir)
    assert info.value.line == 3


def test_symlink_that_leaves_the_log_dir_is_refused(tmp_path):
    log_dir = tf1_logdir(tmp_path, 'embeddings {\n  tensor_name: "word_embeddings"\n  metadata_path: "link.tsv"\n}')
    (tmp_path / "secret.tsv").write_text("".join(f"{w}\n" for w in WORDS))
    os.symlink(tmp_path / "secret.tsv", log_dir / "link.tsv")
    with pytest.raises(AccessDeniedError, match=r"metadata_path 'link.tsv' resolves to .*secret.tsv, outside"):
        load(log_dir)


def test_config_symlinked_from_outside_is_refused(tmp_path):
    (tmp_path / "elsewhere.pbtxt").write_text('embeddings { tensor_path: "v.tsv" }')
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    os.symlink(tmp_path / "elsewhere.pbtxt", log_dir / "projector_config.pbtxt")
    with pytest.raises(AccessDeniedError, match=r"config file .* outside the log dir"):
        load(log_dir)


def test_dotdot_that_stays_inside_is_fine(tmp_path):
    log_dir = tf1_logdir(tmp_path, "")
    run = log_dir / "run1"
    run.mkdir()
    for name in ("model.ckpt-100.index", "model.ckpt-100.data-00000-of-00001"):
        shutil.move(log_dir / name, run / name)
    (run / "projector_config.pbtxt").write_text(
        'embeddings {\n  tensor_name: "word_embeddings"\n  metadata_path: "../metadata.tsv"\n}'
    )
    (log_dir / "projector_config.pbtxt").unlink()
    assert load(log_dir, run="run1", tensor="word_embeddings").labels == WORDS


def test_checkpoint_named_outside_the_log_dir(tmp_path, caplog):
    config = 'model_checkpoint_path: "/somewhere/else/model.ckpt-100"\nembeddings { tensor_name: "word_embeddings" }'
    log_dir = tf1_logdir(tmp_path, config)
    assert load(log_dir, tensor="word_embeddings").shape == (50, 8)  # the same name inside the log dir is used
    assert "outside the log dir; using" in caplog.text
    (log_dir / "projector_config.pbtxt").write_text(config.replace("model.ckpt-100", "model.ckpt-7"))
    with pytest.raises(AccessDeniedError, match=r"model_checkpoint_path '/somewhere/else/model.ckpt-7.index' resolves"):
        load(log_dir)


def test_state_file_naming_a_checkpoint_outside(tmp_path, caplog):
    outside = tmp_path / "training"
    outside.mkdir()
    for name in ("model.ckpt-100.index", "model.ckpt-100.data-00000-of-00001"):
        shutil.copy(TF / "tf1" / name, outside / name)
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    (log_dir / "checkpoint").write_text(f'model_checkpoint_path: "{outside}/model.ckpt-100"\n')
    (log_dir / "projector_config.pbtxt").write_text('embeddings { tensor_name: "word_embeddings" }')
    with pytest.raises(AccessDeniedError, match=r"model.ckpt-100.index' resolves to .*, outside the log dir"):
        load(log_dir)
    for name in ("model.ckpt-100.index", "model.ckpt-100.data-00000-of-00001"):
        shutil.copy(outside / name, log_dir / name)
    assert load(log_dir, tensor="word_embeddings").source == str(log_dir / "model.ckpt-100.index")
    assert "outside the log dir; using" in caplog.text


@pytest.mark.parametrize(
    ("config", "error", "match"),
    [
        ('embeddings {\n  tensor_nme: "x"\n}', FormatError, r"line 2, column 3: unknown field `tensor_nme`"),
        ('model_checkpoint_path: "model.ckpt-7"', NotFoundError, "model_checkpoint_path 'model.ckpt-7': no model"),
    ],
)
def test_config_errors(tmp_path, config, error, match):
    with pytest.raises(error, match=match):
        load_collection(tf1_logdir(tmp_path, config))


@pytest.mark.parametrize(
    ("config", "name", "error", "match"),
    [
        (
            'embeddings {\n  tensor_name: "nope"\n}',
            "nope",
            NotFoundError,
            r"no tensor `nope`; it holds 13 tensors: .*token_ids \(int32, shape \[5, 3\]\), word_embeddings \(float32",
        ),
        ('embeddings {\n  tensor_name: "token_ids"\n}', "token_ids", FormatError, "tensor `token_ids` has dtype int32"),
        (
            'embeddings {\n  tensor_name: "word_embeddings"\n  metadata_path: "gone.tsv"\n}',
            "word_embeddings",
            NotFoundError,
            "gone.tsv: metadata_path file not found",
        ),
        (
            'embeddings {\n  tensor_name: "word_embeddings"\n  tensor_shape: [50, 9]\n}',
            "word_embeddings",
            FormatError,
            r"tensor_shape \[50, 9\] does not match checkpoint tensor `word_embeddings` of shape \[50, 8\]",
        ),
        (
            'embeddings {\n  tensor_path: "gone.bytes"\n}',
            "gone.bytes",
            NotFoundError,
            "gone.bytes: tensor_path file not found",
        ),
        (
            'embeddings {\n  tensor_name: "word_embeddings"\n  sprite { image_path: "s.png" }\n}',
            "word_embeddings",
            FormatError,
            r"sprite single_image_dim must be 2 positive numbers \(width, height\), found \[\]",
        ),
    ],
)
def test_broken_entries_fail_when_chosen_and_are_skipped_otherwise(tmp_path, caplog, config, name, error, match):
    log_dir = tf1_logdir(tmp_path, config)
    with pytest.raises(error, match=match):
        load(log_dir, tensor=name)
    with caplog.at_level(logging.WARNING):
        got = tensors(log_dir)
    assert f"skipping embedding `{name}`: " in caplog.text
    assert re.search(match, caplog.text)
    assert (".", "dense/kernel") in got  # the checkpoint's other variables are still read
    assert (".", name) not in got


def test_chosen_tensor_reads_only_that_one(tmp_path):
    config = (
        'embeddings {\n  tensor_path: "gone.bytes"\n}\n'
        'embeddings {\n  tensor_name: "word_embeddings"\n  metadata_path: "metadata.tsv"\n}'
    )
    log_dir = tf1_logdir(tmp_path, config)
    data = log_dir / "model.ckpt-100.data-00000-of-00001"
    entry = tf_checkpoint.Bundle(log_dir / "model.ckpt-100").entries["dense/kernel"]
    raw = bytearray(data.read_bytes())
    raw[entry.offset + 3] ^= 0x40  # dense/kernel no longer matches its CRC32C
    data.write_bytes(bytes(raw))
    emb = load(log_dir, tensor="word_embeddings")
    assert emb.labels == WORDS
    with pytest.raises(IntegrityError, match=r"tensor `dense/kernel`: CRC32C mismatch"):
        load(log_dir, tensor="dense/kernel")
    with pytest.raises(NotFoundError, match=r"logs field `tensor`: no tensor `nope`; it holds .*gone\.bytes"):
        load(log_dir, tensor="nope")


def test_tf2_keys_are_chosen_by_their_short_name():
    emb = load(TF / "logdir_guide", tensor="embedding")
    assert emb.name == TF2_KEY
    assert emb.labels == WORDS
    got = load_collection(TF / "logdir_runs", tensor="embedding")
    assert [(run, e.name) for run, e in got] == [("train", TF2_KEY)]
    assert load(TF / "logdir_runs", tensor="embedding").name == TF2_KEY


def test_entry_without_a_checkpoint(tmp_path):
    (tmp_path / "projector_config.pbtxt").write_text('\nembeddings {\n  tensor_name: "word_embeddings"\n}')
    with pytest.raises(NotFoundError, match=r"line 2: embedding `word_embeddings` has no tensor_path and run"):
        load(tmp_path)


def test_empty_log_dir(tmp_path):
    with pytest.raises(FormatError, match=r"no projector_config.pbtxt and no checkpoint in this log dir"):
        load(tmp_path, format="tensorboard")
    (tmp_path / "projector_config.pbtxt").write_text("# nothing yet\n")
    with pytest.raises(FormatError, match=r"the log dir's 1 run\(s\) hold no embedding"):
        load(tmp_path)


# -- writing ---------------------------------------------------------------------------------------------------
def sample(n: int = 50, *, name: str = "words", seed: int = 0) -> Embedding:
    vectors = np.random.default_rng(seed).standard_normal((n, 8)).astype(np.float32)
    metadata = typed_table({"word": [f"w{i}" for i in range(n)], "count": [str(i * 3) for i in range(n)]})
    image = Image.fromarray(np.random.default_rng(seed).integers(0, 255, (32, 32, 3), dtype=np.uint8))
    return Embedding(vectors, name=name, metadata=metadata, sprite=Sprite(image, (4, 4)))


def test_write_round_trip(tmp_path):
    emb = sample()
    marks = tmp_path / "marks.json"
    marks.write_text(json.dumps([{"label": "a state"}]))
    emb.bookmarks_path = str(marks)
    assert write(emb, tmp_path / "logs") == tmp_path / "logs"
    files = sorted(p.name for p in (tmp_path / "logs").iterdir() if "tfevents" not in p.name)
    assert files == ["bookmarks.json", "metadata.tsv", "projector_config.pbtxt", "sprite.png", "words.bytes"]
    assert len(list((tmp_path / "logs").glob("events.out.tfevents.*"))) == 1  # so that TensorBoard lists the run
    config = pbtxt.read(tmp_path / "logs" / "projector_config.pbtxt", schema=CONFIG_SCHEMA)
    (entry,) = config.messages("embeddings")
    assert entry.all("tensor_shape") == [50, 8]
    assert entry.string("tensor_path") == "words.bytes"
    back = load(tmp_path / "logs")
    assert back.name == "words"
    np.testing.assert_array_equal(back.vectors, emb.vectors)
    assert back.metadata is not None and back.metadata.equals(emb.metadata)
    assert back.sprite is not None
    assert np.array_equal(np.asarray(back.sprite.image), np.asarray(emb.sprite.image))
    assert back.bookmarks_path is not None and json.loads(Path(back.bookmarks_path).read_text()) == [
        {"label": "a state"}
    ]


def test_write_runs_append_and_replace(tmp_path):
    logs = tmp_path / "logs"
    write(sample(name="a"), logs, run="train")
    write(sample(20, name="b", seed=1), logs, run="train")
    write(sample(30, name="a", seed=2), logs, run="train", tensor_name="a")  # replaces a
    write(sample(name="a"), logs, run="eval/deep")
    got = tensors(logs)
    assert list(got) == [("eval/deep", "a"), ("train", "b"), ("train", "a")]
    assert got["train", "a"].shape == (30, 8)
    assert got["train", "b"].labels == [f"w{i}" for i in range(20)]
    assert (logs / "train" / "b.metadata.tsv").is_file()
    with pytest.raises(ParameterError, match=r"run '../x' must be a relative folder inside the log dir"):
        write(sample(), logs, run="../x")


@pytest.mark.parametrize("names", [("enc/emb", "enc_emb"), ("слово", "текст")])
def test_names_that_clean_to_one_file_name_overwrite_nothing(tmp_path, names):
    """`enc/emb` and `enc_emb` (or two Cyrillic names) make one file name: the second gets its own files."""
    logs = tmp_path / "logs"
    made = {
        name: Embedding(
            np.random.default_rng(i).normal(size=(4, 3)), name=name, metadata=[f"{i}-{j}" for j in range(4)]
        )
        for i, name in enumerate(names)
    }
    for emb in made.values():
        emb.save(logs)
    back = tensors(logs)
    assert set(back) == {(".", name) for name in names}
    for name, emb in made.items():
        np.testing.assert_array_equal(back[".", name].vectors, emb.vectors)
        assert back[".", name].labels == emb.labels
    config = pbtxt.read(logs / "projector_config.pbtxt", schema=CONFIG_SCHEMA)
    assert [e.string("tensor_name") for e in config.messages("embeddings")] == list(names)
    assert len({e.string("tensor_path") for e in config.messages("embeddings")}) == 2


def test_files_already_there_are_not_overwritten_and_a_replaced_entry_reuses_its_own(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "metadata.tsv").write_text("mine\n")  # a file no entry names
    (logs / "words.bytes").write_bytes(b"kept")
    write(sample(name="words"), logs)
    assert (logs / "metadata.tsv").read_text() == "mine\n" and (logs / "words.bytes").read_bytes() == b"kept"
    assert load(logs).labels == [f"w{i}" for i in range(50)]
    before = sorted(p.name for p in logs.iterdir())
    write(sample(name="words", seed=5), logs)  # the same tensor name: its entry and its files are replaced
    assert sorted(p.name for p in logs.iterdir()) == before
    np.testing.assert_array_equal(load(logs).vectors, sample(name="words", seed=5).vectors)


def test_write_falls_back_to_tsv_when_tensorboard_would_read_text(tmp_path, caplog):
    emb = Embedding(np.zeros((5, 3), np.float32), name="zeros")
    write(emb, tmp_path)
    assert "writing zeros.tsv instead" in caplog.text
    assert (tmp_path / "zeros.tsv").is_file()
    np.testing.assert_array_equal(load(tmp_path).vectors, emb.vectors)


def test_save_to_a_folder_writes_a_log_dir(tmp_path):
    sample(name="embedding/.ATTRIBUTES/VARIABLE_VALUE").save(tmp_path / "out")
    assert (tmp_path / "out" / "embedding.bytes").is_file()
    assert load(tmp_path / "out").name == "embedding/.ATTRIBUTES/VARIABLE_VALUE"


@pytest.mark.parametrize(
    ("head", "complete", "text"),
    [
        (b"1.0\t2.0\n", True, True),
        (b"\n\n\x80abc", True, False),
        (b"\x00\x00\x00\x00", True, True),
        (b"ok line\n\xff", True, True),
        (b"\xe2\x82", False, True),  # a character cut at the end of what was read may go on
        (b"\xe2\x82", True, False),
        (b"", True, True),
    ],
)
def test_reads_as_text(head, complete, text):
    assert reads_as_text(head, complete=complete) is text
