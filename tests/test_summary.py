import numpy as np
import pyarrow as pa

from embedscope import Collection, Embedding
from embedscope.cli.summary import describe, render_text


def test_describe_and_render():
    col = Collection(source="x.npz")
    col.add(".", Embedding(np.zeros((3, 2), np.float32), name="vectors", metadata=pa.table({"word": ["a", "b", "c"]})))
    report = describe(col)
    assert report["embeddings"][0]["shape"] == [3, 2]
    assert report["embeddings"][0]["metadata_columns"] == [{"name": "word", "type": "string"}]
    text = render_text(report)
    assert text.splitlines()[0] == "x.npz: 1 embedding(s)"
    assert "vectors: 3 x 2 float32" in text
    assert "metadata: word (string); labels from `word`" in text
