"""compute/align.py: Procrustes recovers a known move; PCA on a reference step's axes."""

from __future__ import annotations

import numpy as np
import pytest

from embedscope.compute.align import align_layout, in_basis, procrustes, reference_basis
from embedscope.errors import ParameterError


def test_procrustes_undoes_a_rotation_reflection_scale_and_shift():
    rng = np.random.default_rng(0)
    target = rng.normal(size=(50, 2))
    angle = 1.1
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) @ np.diag([1, -1])
    moved = 3.5 * target @ rotation + [10.0, -4.0]
    np.testing.assert_allclose(align_layout(moved, target), target, atol=1e-5)
    fit = procrustes(moved, target)
    assert fit.scale == pytest.approx(1 / 3.5)
    np.testing.assert_allclose(fit.rotation @ fit.rotation.T, np.eye(2), atol=1e-12)


def test_procrustes_3d_and_noise_only_improves_the_fit():
    rng = np.random.default_rng(1)
    target = rng.normal(size=(40, 3))
    noisy = target + rng.normal(scale=0.1, size=target.shape)
    aligned = align_layout(noisy, target)
    assert np.linalg.norm(aligned - target) <= np.linalg.norm(noisy - target)


def test_procrustes_needs_matching_layouts():
    with pytest.raises(ParameterError, match="same shape"):
        procrustes(np.zeros((3, 2)), np.zeros((4, 2)))


def test_in_basis_of_the_reference_itself_is_its_pca():
    rng = np.random.default_rng(2)
    x = (rng.normal(size=(200, 5)) * [5, 3, 1, 0.5, 0.1]).astype(np.float32)
    basis = reference_basis(x, n_components=5)
    coords, ratio = in_basis(x, basis)
    np.testing.assert_allclose(coords, basis.coords, atol=1e-4)
    np.testing.assert_allclose(ratio, basis.explained_variance_ratio, rtol=1e-4)
    shifted, _ = in_basis(x + 100.0, basis)  # a shift of the whole table is not shown
    np.testing.assert_allclose(shifted, coords, atol=1e-3)
