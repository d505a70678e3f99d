"""The tags laid over the served metadata (server/edit_layer.py): an edited column keeps its place and type, a new
column is text ("" where untagged) and goes with its last tag; numbers take numbers only; undo computes the columns
again from their values before any tag; new metadata (an upload) gets the tags laid over it again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from embedscope.embedding import Embedding
from embedscope.errors import ParameterError
from embedscope.server.edit_layer import EditLayer
from embedscope.server.edits import EditStore


def emb(metadata: object = None) -> Embedding:
    meta = {"label": list("abcd"), "n": [1, 2, 3, 4], "f": [0.5, 1.5, 2.5, 3.5]} if metadata is None else metadata
    return Embedding(np.eye(4, 3, dtype=np.float32), name="t", metadata=meta)


@pytest.fixture
def layer(tmp_path: Path) -> EditLayer:
    return EditLayer(EditStore(tmp_path))


def col(e: Embedding, name: str) -> list[object]:
    assert e.metadata is not None
    return e.metadata.column(name).to_pylist()


def test_a_new_column_is_text_and_goes_with_its_last_tag(layer: EditLayer) -> None:
    base = emb()
    one = layer.tag("r", "t", base, column="tag", value="x", rows=[1, 2])
    assert one.metadata is not None and one.metadata.column_names == ["label", "n", "f", "tag"]
    assert col(one, "tag") == ["", "x", "x", ""] and one.label_column == "label"
    two = layer.tag("r", "t", one, column="tag", value="y", rows=[2])
    assert col(two, "tag") == ["", "x", "y", ""]
    _, back = layer.undo("r", "t", two)
    assert col(back, "tag") == ["", "x", "x", ""]
    _, gone = layer.undo("r", "t", back)
    assert gone.metadata is not None and gone.metadata.column_names == ["label", "n", "f"]


def test_an_edited_column_keeps_its_place_and_comes_back_on_undo(layer: EditLayer) -> None:
    tagged = layer.tag("r", "t", emb(), column="label", value="z", rows=[0])
    assert tagged.metadata is not None and tagged.metadata.column_names == ["label", "n", "f"]
    assert col(tagged, "label") == ["z", "b", "c", "d"] and tagged.labels[0] == "z"
    assert col(layer.undo("r", "t", tagged)[1], "label") == list("abcd")


def test_numbers_take_numbers_and_an_empty_value_clears(layer: EditLayer) -> None:
    with pytest.raises(ParameterError, match=r"column `n` holds numbers, and 'many' is not a number"):
        layer.tag("r", "t", emb(), column="n", value="many", rows=[0])
    assert layer.store.edits("r", "t", 4) == []  # a refused tag is not kept
    tagged = layer.tag("r", "t", emb(), column="n", value=" 7 ", rows=[0])
    assert col(tagged, "n") == [7, 2, 3, 4] and tagged.metadata.column("n").type == pa.int64()  # type: ignore[union-attr]
    tagged = layer.tag("r", "t", tagged, column="n", value="2.5", rows=[1])
    assert col(tagged, "n") == [7.0, 2.5, 3.0, 4.0]  # a fraction: the integers become floats
    tagged = layer.tag("r", "t", tagged, column="f", value="", rows=[3])
    assert col(tagged, "f") == [0.5, 1.5, 2.5, None]
    for word in ("nan", "inf", "1_000", "0x10"):
        with pytest.raises(ParameterError, match="is not a number"):
            layer.tag("r", "t", tagged, column="f", value=word, rows=[0])


def test_columns_of_other_types_are_refused(layer: EditLayer) -> None:
    odd = emb({"flag": [True, False, True, False], "cat": pa.array(list("aabb")).dictionary_encode()})
    with pytest.raises(ParameterError, match="holds bool values"):
        layer.tag("r", "t", odd, column="flag", value="x", rows=[0])
    tagged = layer.tag("r", "t", odd, column="cat", value="c", rows=[3])  # dictionary text: text
    assert col(tagged, "cat") == ["a", "a", "b", "c"]


def test_an_embedding_without_metadata_gets_a_column_and_keeps_no_label(layer: EditLayer) -> None:
    bare = Embedding(np.eye(4, 3, dtype=np.float32), name="t")
    tagged = layer.tag("r", "t", bare, column="tag", value="x", rows=[0])
    assert col(tagged, "tag") == ["x", "", "", ""] and tagged.label_column is None
    assert layer.undo("r", "t", tagged)[1].metadata is None


def test_new_metadata_gets_the_tags_again_and_tags_that_no_longer_fit_are_skipped(layer: EditLayer, caplog) -> None:
    tagged = layer.tag("r", "t", emb(), column="label", value="z", rows=[0])
    layer.tag("r", "t", tagged, column="tag", value="x", rows=[3])
    uploaded = layer.fresh("r", "t", emb({"label": ["10", "20", "30", "40"], "tag": [1, 2, 3, 4]}))
    assert col(uploaded, "label") == ["z", "20", "30", "40"]
    assert col(uploaded, "tag") == [1, 2, 3, 4] and "is not applied" in caplog.text  # numbers now: skipped
    _, undone = layer.undo("r", "t", uploaded)
    assert col(undone, "tag") == [1, 2, 3, 4] and col(undone, "label") == ["z", "20", "30", "40"]
    runs = {"r": {"t": emb()}}
    layer.lay_all(runs)  # at start
    assert col(runs["r"]["t"], "label") == ["z", "b", "c", "d"]
