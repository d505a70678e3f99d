import numpy as np
import pyarrow as pa
import pytest
from PIL import Image

from embedscope import Collection, Embedding, Sprite
from embedscope.embedding import match_tensor_name
from embedscope.errors import AmbiguousError, FormatError, MetadataError, NotFoundError, ParameterError


def make(n: int = 5, d: int = 3, labels: list[str] | None = None) -> Embedding:
    vectors = np.arange(n * d, dtype=np.float64).reshape(n, d)
    metadata = None if labels is None else pa.table({"word": labels, "freq": list(range(n))})
    return Embedding(vectors, name="t", metadata=metadata)


def test_vectors_become_float32_and_float32_is_not_copied():
    emb = make()
    assert emb.vectors.dtype == np.float32
    raw = np.ones((4, 2), dtype=np.float32)
    assert Embedding(raw).vectors is raw


def test_lookup_matches_embedding_lookup_shapes():
    emb = make()
    assert emb.lookup([3, 0]).tolist() == [[9, 10, 11], [0, 1, 2]]
    ids = np.array([[1, 2], [4, 4]])
    assert emb.lookup(ids).shape == (2, 2, 3)
    assert emb.lookup(np.array(2)).shape == (3,)


def test_lookup_out_of_range_names_the_id_and_n():
    emb = make()
    with pytest.raises(ParameterError, match=r"id 7 is out of range: this embedding has N = 5 rows"):
        emb.lookup([1, 7])
    with pytest.raises(ParameterError, match=r"id -1 is out of range"):
        emb.lookup([-1])
    with pytest.raises(ParameterError, match="must be integers"):
        emb.lookup([1.5])


def test_getitem_by_label_and_ambiguity():
    emb = make(labels=["a", "b", "c", "b", "d"])
    assert emb["c"].tolist() == [6, 7, 8]
    assert emb.label_column == "word"
    with pytest.raises(AmbiguousError, match=r"label 'b' is ambiguous: 2 points carry it \(#1, #3\)"):
        emb["b"]
    with pytest.raises(NotFoundError, match="no point labelled 'zz'"):
        emb["zz"]
    assert emb.resolve("#4") == 4


def test_labels_default_to_row_index_and_numeric_labels_print_as_ints():
    assert make().labels == ["0", "1", "2", "3", "4"]
    emb = Embedding(np.zeros((2, 2)), metadata=pa.table({"digit": pa.array([3.0, 7.0])}))
    assert emb.labels == ["3", "7"]


def test_metadata_rows_must_match():
    with pytest.raises(MetadataError, match="metadata has 2 rows for 5 vectors"):
        Embedding(np.zeros((5, 2)), metadata=pa.table({"a": ["x", "y"]}))


def test_not_2d_is_a_format_error():
    with pytest.raises(FormatError, match=r"expected a 2-D N x D matrix, found 3-D with shape \(2, 2, 2\)"):
        Embedding(np.zeros((2, 2, 2)))
    with pytest.raises(FormatError, match="found 1-D"):
        Embedding(np.zeros(4))


def test_subset_keeps_metadata_in_order():
    emb = make(labels=["a", "b", "c", "d", "e"])
    sub = emb.subset([4, 1])
    assert sub.labels == ["e", "b"]
    assert sub.vectors.tolist() == [[12, 13, 14], [3, 4, 5]]


def test_sprite_capacity_and_thumbnails():
    image = Image.new("RGB", (20, 10))
    image.paste((255, 0, 0), (10, 0, 20, 10))
    sprite = Sprite(image, (10, 10))
    assert sprite.grid == (2, 1)
    assert sprite.thumbnail(1).getpixel((0, 0)) == (255, 0, 0)
    with pytest.raises(FormatError, match=r"holds 2x1 = 2 images, but there are 3 points"):
        Embedding(np.zeros((3, 2)), sprite=sprite)


def test_collection_get_by_run_and_tensor():
    col = Collection(source="x")
    col.add("a", Embedding(np.zeros((3, 2)), name="emb"))
    col.add("b", Embedding(np.zeros((4, 2)), name="emb"))
    assert len(col.get(run="b", tensor="emb")) == 4
    with pytest.raises(AmbiguousError, match="2 embeddings match: a/emb, b/emb"):
        col.get()
    with pytest.raises(NotFoundError, match=r"no run 'c'.*choose one of \['a', 'b'\]"):
        col.get(run="c")
    with pytest.raises(NotFoundError, match=r"no tensor 'zz'; choose one of: a/emb \(3 x 2\), b/emb \(4 x 2\)"):
        col.get(tensor="zz")


def test_collection_prefers_the_largest_embedding_named_tensor(caplog):
    col = Collection()
    col.add(".", Embedding(np.zeros((3, 2)), name="dense/kernel"))
    col.add(".", Embedding(np.zeros((9, 2)), name="word_embeddings"))
    col.add(".", Embedding(np.zeros((2, 2)), name="position_embeddings"))
    assert col.get().name == "word_embeddings"
    assert "using 'word_embeddings'" in caplog.text


def test_collection_accepts_short_names_for_tf2_keys():
    col = Collection()
    col.add(".", Embedding(np.zeros((3, 2)), name="embedding/.ATTRIBUTES/VARIABLE_VALUE"))
    col.add(".", Embedding(np.zeros((4, 2)), name="layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"))
    assert len(col.get(tensor="embedding")) == 3
    assert len(col.get(tensor="layer_with_weights-0/embeddings")) == 4
    assert len(col.get(tensor="embedding/.ATTRIBUTES/VARIABLE_VALUE")) == 3
    with pytest.raises(NotFoundError, match="no tensor 'embeddings'"):
        col.get(tensor="embeddings")


def test_match_tensor_name_prefers_the_exact_name():
    names = ["embedding", "embedding/.ATTRIBUTES/VARIABLE_VALUE"]
    assert match_tensor_name("embedding", names) == "embedding"
    assert match_tensor_name("nope", names) is None


def test_in_memory_vectors_are_checked_for_nan_and_inf():
    values = np.ones((4, 3))
    values[2, 1] = np.nan
    with pytest.raises(FormatError, match=r"vectors row 3, column 2 holds nan, expected a finite number"):
        Embedding(values)
    values[2, 1] = 1e39  # too large for float32: inf
    with pytest.raises(FormatError, match=r"row 3, column 2 holds inf"):
        Embedding(values)


def test_memory_mapped_vectors_are_not_scanned(tmp_path):
    values = np.ones((6, 3), np.float32)
    values[5, 0] = np.inf
    np.save(tmp_path / "v.npy", values)
    mapped = np.load(tmp_path / "v.npy", mmap_mode="r")
    emb = Embedding(mapped)  # no scan: readers check what they map, so opening stays instant
    assert emb.vectors is mapped
    assert Embedding(np.asarray(values), checked=True).shape == (6, 3)  # the caller has checked


def test_subset_keeps_the_sprite_thumbnails_of_its_rows():
    image = Image.new("RGB", (20, 20))
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    for i, colour in enumerate(colours):
        row, col = divmod(i, 2)
        image.paste(colour, (col * 10, row * 10, col * 10 + 10, row * 10 + 10))
    emb = Embedding(np.eye(4, dtype=np.float32), sprite=Sprite(image, (10, 10)), metadata=pa.table({"w": list("abcd")}))
    sub = emb.subset([3, 0, 2])
    assert sub.sprite is not None
    assert [sub.sprite.thumbnail(i).getpixel((5, 5)) for i in range(3)] == [colours[3], colours[0], colours[2]]
    assert sub.sprite.grid == (2, 2)
    packed = sub.sprite.image  # made when first used: the chosen thumbnails in a new square grid
    assert packed.size == (20, 20)
    assert [packed.getpixel((5, 5)), packed.getpixel((15, 5)), packed.getpixel((5, 15))] == [
        colours[3],
        colours[0],
        colours[2],
    ]
    with pytest.raises(ParameterError, match=r"sprite thumbnail 3 out of range 0\.\.2"):
        sub.sprite.thumbnail(3)


def test_sprite_lives_in_its_own_module_and_the_old_imports_still_work():
    import embedscope.embedding
    import embedscope.sprite

    assert embedscope.sprite.Sprite is embedscope.embedding.Sprite is Sprite


def test_metadata_as_a_list_of_labels_is_one_label_column():
    emb = Embedding(np.eye(3), metadata=["a", "b", "c"])
    assert emb.metadata is not None and emb.metadata.column_names == ["label"]
    assert emb.labels == ["a", "b", "c"]
    assert emb.index_of("b") == 1
    assert Embedding(np.eye(2), metadata=("x", 2)).labels == ["x", "2"]  # mixed types are kept as text
    assert Embedding(np.eye(2), metadata=np.array(["p", "q"])).labels == ["p", "q"]


def test_metadata_as_a_dict_of_columns_keeps_their_types():
    emb = Embedding(np.eye(3), metadata={"word": ["a", "b", "c"], "count": np.array([3, 2, 1])})
    assert emb.metadata is not None and emb.metadata.column_names == ["word", "count"]
    assert emb.metadata.column("count").to_pylist() == [3, 2, 1]
    assert emb.label_column == "word"
    with pytest.raises(MetadataError, match=r"different lengths: \[2, 3\]"):
        Embedding(np.eye(3), metadata={"word": ["a", "b", "c"], "count": [1, 2]})


def test_metadata_as_dataframes():
    pd = pytest.importorskip("pandas")
    emb = Embedding(np.eye(2), metadata=pd.DataFrame({"word": ["a", "b"], "n": [1, 2]}, index=[7, 8]))
    assert emb.metadata is not None and emb.metadata.column_names == ["word", "n"]
    assert emb.labels == ["a", "b"]
    assert Embedding(np.eye(2), metadata=pd.Series(["u", "v"])).labels == ["u", "v"]
    pl = pytest.importorskip("polars")
    emb = Embedding(np.eye(2), metadata=pl.DataFrame({"word": ["c", "d"], "n": [1, 2]}))
    assert emb.metadata is not None and emb.metadata.column("n").to_pylist() == [1, 2]
    assert emb.labels == ["c", "d"]
    assert Embedding(np.eye(2), metadata=pl.Series(["e", "f"])).labels == ["e", "f"]


@pytest.mark.parametrize("bad", [42, "abc", {"word": "ab"}, object()])
def test_metadata_of_another_kind_names_the_parameter_and_what_it_accepts(bad):
    with pytest.raises(ParameterError, match="`metadata`") as info:
        Embedding(np.eye(2), metadata=bad)
    assert info.value.field == "metadata"
    if not isinstance(bad, dict):
        assert "list of labels" in str(info.value) and type(bad).__name__ in str(info.value)
