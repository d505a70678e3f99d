"""Log dirs we write, opened by TensorBoard's own projector plugin (tensorboard 2.21, without TensorFlow).

The plugin is built as `tensorboard --logdir` builds it: an EventMultiplexer over the log dir, its data
provider, a TBContext; its routes are called through a werkzeug test client.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import google_crc32c
import numpy as np
import pytest
from click.testing import CliRunner
from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
from tensorboard.plugins import base_plugin
from tensorboard.plugins.projector import projector_plugin
from werkzeug.test import Client

import embedscope
from embedscope.cli import cli
from embedscope.formats.tensorboard.events import mark_run
from embedscope.formats.tensorboard.snapshots import log_embedding
from embedscope.formats.tensorboard.writer import write
from embedscope.formats.tensorflow.sstable import unmask_crc

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon"]


def table(seed: int, n: int = 5, d: int = 4) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


class Projector:
    """TensorBoard's projector plugin serving `logdir`."""

    def __init__(self, logdir: Path) -> None:
        multiplexer = plugin_event_multiplexer.EventMultiplexer()
        multiplexer.AddRunsFromDirectory(str(logdir))
        multiplexer.Reload()
        provider = data_provider.MultiplexerDataProvider(multiplexer, str(logdir))
        context = base_plugin.TBContext(logdir=str(logdir), multiplexer=multiplexer, data_provider=provider)
        apps = projector_plugin.ProjectorPlugin(context).get_plugin_apps()
        self.client = Client(lambda environ, start: apps[environ["PATH_INFO"]](environ, start))

    def get(self, route: str, **args: str) -> bytes:
        response = self.client.get(route, query_string=args)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_data()

    def runs(self) -> list[str]:
        return sorted(json.loads(self.get("/runs")))

    def tensors(self, run: str) -> dict[str, list[int]]:
        config = json.loads(self.get("/info", run=run))
        return {e["tensorName"]: [int(v) for v in e["tensorShape"]] for e in config["embeddings"]}

    def tensor(self, run: str, name: str) -> np.ndarray:
        shape = self.tensors(run)[name]
        return np.frombuffer(self.get("/tensor", run=run, name=name), dtype="<f4").reshape(shape)

    def metadata(self, run: str, name: str) -> list[str]:
        return self.get("/metadata", run=run, name=name).decode().splitlines()


def test_every_run_we_write_into_a_sub_folder_is_listed_and_reads_back(tmp_path):
    logs = tmp_path / "logs"
    log_embedding(logs / "fit", table(0), name="words", metadata=WORDS)  # the Keras callback, train --snapshots
    log_embedding(logs / "fit", table(1), name="words")
    write(embedscope.Embedding(table(2), name="tags", metadata=WORDS), logs, run="eval")  # save(run=...)
    embedscope.save(embedscope.Embedding(table(3), name="saved"), logs / "nested" / "deep")  # convert SRC DEST

    projector = Projector(logs)
    assert projector.runs() == ["eval", "fit", "nested/deep"]
    assert projector.tensors("fit") == {"words": [5, 4], "words@0": [5, 4], "words@1": [5, 4]}
    np.testing.assert_array_equal(projector.tensor("fit", "words@0"), table(0))
    np.testing.assert_array_equal(projector.tensor("fit", "words"), table(1))
    assert projector.metadata("fit", "words@1") == WORDS
    np.testing.assert_array_equal(projector.tensor("eval", "tags"), table(2))
    assert projector.metadata("eval", "tags") == WORDS
    np.testing.assert_array_equal(projector.tensor("nested/deep", "saved"), table(3))


def test_the_command_line_writes_runs_tensorboard_lists(tmp_path):
    gensim = pytest.importorskip("gensim", reason="training needs gensim")
    corpus = Path(gensim.__file__).parent / "test" / "test_data" / "lee_background.cor"
    logs = tmp_path / "logs"
    fast = ["--vector-size", "8", "--epochs", "1", "--workers", "1", "--min-count", "20"]
    result = CliRunner().invoke(cli, ["train", str(corpus), "-o", str(logs / "w2v"), *fast, "--snapshots"])
    assert result.exit_code == 0, result.output
    np.save(tmp_path / "vectors.npy", table(4))
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "vectors.npy"), str(logs / "converted")])
    assert result.exit_code == 0, result.output

    projector = Projector(logs)
    assert projector.runs() == ["converted", "w2v"]
    trained = embedscope.load(logs / "w2v")
    shown = projector.tensors("w2v")
    assert shown["word2vec"] == list(trained.shape) and {"word2vec@0", "word2vec@1"} <= set(shown)
    np.testing.assert_array_equal(projector.tensor("w2v", "word2vec"), trained.vectors)
    lines = projector.metadata("w2v", "word2vec")
    assert lines[0] == "Word\tFrequency" and [line.split("\t")[0] for line in lines[1:]] == trained.labels
    np.testing.assert_array_equal(projector.tensor("converted", "vectors"), table(4))


def test_a_run_gets_one_events_file_tensorboard_can_read(tmp_path):
    log_embedding(tmp_path, table(0), name="a")
    log_embedding(tmp_path, table(1), name="a")
    write(embedscope.Embedding(table(2), name="b"), tmp_path)
    events = sorted(p for p in tmp_path.iterdir() if "tfevents" in p.name)
    assert len(events) == 1 and not list(tmp_path.glob("*.partial"))
    data = events[0].read_bytes()
    (length,) = struct.unpack_from("<Q", data)
    assert unmask_crc(struct.unpack_from("<I", data, 8)[0]) == google_crc32c.value(data[:8])
    payload = data[12 : 12 + length]
    assert unmask_crc(struct.unpack_from("<I", data, 12 + length)[0]) == google_crc32c.value(payload)
    assert len(data) == 16 + length and payload.endswith(b"\x1a\x0dbrain.Event:2")
    assert mark_run(tmp_path) is None  # a folder holding an events file (ours or TensorFlow's) gets no other

    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    (event,) = list(EventFileLoader(str(events[0])).Load())
    assert event.file_version == "brain.Event:2" and event.wall_time > 0
