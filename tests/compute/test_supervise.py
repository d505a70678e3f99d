"""Supervised t-SNE (compute/supervise.py): openTSNE's affinities changed by labels; on the digits, points keep more
neighbours of their own digit than unsupervised at the same seed, and unlabelled points stay near their neighbours."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_digits
from sklearn.neighbors import NearestNeighbors

import embedscope as es
from embedscope.compute.spec import ProjectionSpec
from embedscope.compute.supervise import supervised
from embedscope.errors import ParameterError


def neighbours(x: np.ndarray, k: int = 10) -> np.ndarray:
    return NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x, return_distance=False)[:, 1:]


def test_the_affinities_pull_one_label_together_and_leave_the_unlabelled_alone():
    rng = np.random.default_rng(0)
    dense = rng.random((40, 40)) * (rng.random((40, 40)) < 0.2)
    p = sparse.csr_matrix((dense + dense.T) / (dense + dense.T).sum())
    labels = ["a"] * 15 + ["b"] * 15 + [""] * 5 + ["?"] * 5
    assert supervised(p, labels, strength=0) is p
    q = supervised(p, labels, ignore="?", strength=0.5, seed=1)
    assert abs(q.sum() - 1) < 1e-9 and abs(q - q.T).max() < 1e-12
    same = np.equal.outer(np.array(labels), np.array(labels))
    a, b = np.asarray(p.todense()), np.asarray(q.todense())
    cross = (a > 0) & ~same & (np.arange(40)[:, None] < 30) & (np.arange(40)[None, :] < 30)
    assert (b[cross] / a[cross]).max() < (b[(a > 0) & same][:1] / a[(a > 0) & same][:1]).min()  # cross pairs weigh less
    assert ((b > 0) & (a == 0) & ~same).sum() == 0  # new links only within a label
    unlabelled = np.arange(30, 40)
    assert np.array_equal(b[np.ix_(unlabelled, unlabelled)] > 0, a[np.ix_(unlabelled, unlabelled)] > 0)


def test_supervised_tsne_of_the_digits_groups_each_digit_and_keeps_the_unlabelled_near_their_neighbours():
    d = load_digits()
    labels = [str(t) if i % 5 else "" for i, t in enumerate(d.target)]  # every fifth point unlabelled
    emb = es.Embedding(d.data.astype(np.float32), metadata={"digit": labels})
    plain = es.project(emb, "tsne", random_state=0).coords
    sup = es.project(emb, "tsne", random_state=0, params={"supervise": "digit", "supervise_strength": 1.0}).coords

    def own_digit(coords: np.ndarray) -> float:
        return float((d.target[neighbours(coords)] == d.target[:, None]).mean())

    assert own_digit(sup) > own_digit(plain)
    original = neighbours(d.data)
    free = np.arange(0, len(d.target), 5)

    def kept(coords: np.ndarray) -> float:
        drawn = neighbours(coords)
        return float(np.mean([len(np.intersect1d(original[i], drawn[i])) / 10 for i in free]))

    assert kept(sup) >= 0.8 * kept(plain)


def test_the_supervising_column_is_checked_and_part_of_the_key():
    emb = es.Embedding(np.eye(6, 4, dtype=np.float32) + 0.1, metadata={"c": list("aabbcc")})
    with pytest.raises(ParameterError, match="no metadata column `nope` to supervise by"):
        ProjectionSpec.build(emb, method="tsne", params={"supervise": "nope"})
    with pytest.raises(ParameterError, match="supervise_strength"):
        ProjectionSpec.build(emb, method="tsne", params={"supervise": "c", "supervise_strength": 2})
    plain = ProjectionSpec.build(emb, method="tsne", params={"perplexity": 1})
    sup = ProjectionSpec.build(emb, method="tsne", params={"perplexity": 1, "supervise": "c"})
    assert sup.columns == ("c",) and plain.key(emb) != sup.key(emb)
