from embedscope import demo
from embedscope.compute.neighbors import neighbors


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
