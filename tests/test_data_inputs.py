"""Checks of the shipped input sets in data/inputs/ against what data/README.md states.

Shapes (k, n_0), float64, finite; the normalisation x.x/n_0 = 1; the stated angles; distinct rows; digit labels
and the exact extraction/normalisation recipe (on the first image, whose raw pixels are quoted below).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

INPUTS = Path(__file__).resolve().parents[1] / "data" / "inputs"
FP_TOL = 1e-13  # rounding-level tolerance for O(1) quantities built from a few float64 operations

# name -> (shape, normalised to x.x/n_0 = 1)
FILES = {
    "grid_1d_k16.npy": ((16, 1), False),
    "angles_k4_d8.npy": ((4, 8), True),
    "angles_k2_d2.npy": ((2, 2), True),
    "digits8x8_k10.npy": ((10, 64), True),
    "digits8x8_k4.npy": ((4, 64), True),
}

# Raw pixels of the first line of sklearn/datasets/data/digits.csv.gz (class 0), row-major 8x8.
DIGIT0_RAW = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8,
              0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0,
              0]


def load(name: str) -> np.ndarray:
    return np.load(INPUTS / name, allow_pickle=False)


def gram(x: np.ndarray) -> np.ndarray:
    """x x^T / n_0, the normalised Gram matrix (K^(1) for C_b = 0, C_W = 1)."""
    return x @ x.T / x.shape[1]


@pytest.mark.parametrize("name", sorted(FILES))
def test_shape_dtype_finite(name):
    x = load(name)
    shape, _ = FILES[name]
    assert x.shape == shape
    assert x.dtype == np.float64
    assert np.all(np.isfinite(x))


@pytest.mark.parametrize("name", sorted(FILES))
def test_rows_distinct(name):
    x = load(name)
    d = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=-1)
    off = d[~np.eye(len(x), dtype=bool)]
    assert off.min() > 1e-3
    if FILES[name][1] and x.shape[1] > 1:  # normalised rows: also not parallel (K^(1) non-degenerate)
        g = gram(x)
        assert np.abs(g[~np.eye(len(x), dtype=bool)]).max() < 1.0 - 1e-3


@pytest.mark.parametrize("name", [n for n, (_, norm) in FILES.items() if norm])
def test_unit_normalisation(name):
    x = load(name)
    np.testing.assert_allclose(np.einsum("ai,ai->a", x, x) / x.shape[1], 1.0, rtol=0, atol=FP_TOL)


def test_grid_exact():
    x = load("grid_1d_k16.npy")
    np.testing.assert_array_equal(x[:, 0], np.linspace(-1.0, 1.0, 16))
    assert not np.any(x == 0.0)


def test_angles_k4_d8():
    x = load("angles_k4_d8.npy")
    t = np.deg2rad([0.0, 30.0, 60.0, 90.0])
    expected = np.cos(t[:, None] - t[None, :])
    np.testing.assert_allclose(gram(x), expected, rtol=0, atol=FP_TOL)
    # the fixed random rotation spreads every vector over all 8 coordinates
    assert np.all(np.abs(x).max(axis=0) > 0.4)
    assert np.abs(x).min() > 0.05  # no coordinate of any vector is (nearly) zero


def test_angles_k4_d8_construction():
    """The README recipe (seed 2, Haar Q via sign-fixed QR) reproduces the file to rounding."""
    t = np.deg2rad([0.0, 30.0, 60.0, 90.0])
    v = np.zeros((4, 8))
    v[:, 0], v[:, 1] = np.cos(t), np.sin(t)
    q, r = np.linalg.qr(np.random.default_rng(2).standard_normal((8, 8)))
    q = q * np.sign(np.diag(r))
    np.testing.assert_allclose(load("angles_k4_d8.npy"), np.sqrt(8.0) * v @ q.T, rtol=0, atol=1e-12)


def test_angles_k2_d2():
    x = load("angles_k2_d2.npy")
    np.testing.assert_allclose(gram(x), [[1.0, 0.5], [0.5, 1.0]], rtol=0, atol=FP_TOL)
    np.testing.assert_allclose(x, np.sqrt(2.0) * np.array([[1.0, 0.0], [0.5, np.sqrt(3.0) / 2]]),
                               rtol=0, atol=FP_TOL)


def test_digit_labels_and_subset():
    labels = load("digits8x8_k10_labels.npy")
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, np.arange(10))
    np.testing.assert_array_equal(load("digits8x8_k4.npy"), load("digits8x8_k10.npy")[[0, 1, 7, 8]])


def test_digits_centred():
    x = load("digits8x8_k10.npy")
    np.testing.assert_allclose(x.mean(axis=1), 0.0, rtol=0, atol=FP_TOL)
    # integer pixels 0..16 centred and scaled: at most 17 distinct values per image
    assert all(len(np.unique(np.round(row, 10))) <= 17 for row in x)


def test_digit0_recipe():
    raw = np.asarray(DIGIT0_RAW, dtype=np.float64)
    c = raw - raw.mean()
    expected = c * np.sqrt(64.0) / np.linalg.norm(c)
    np.testing.assert_allclose(load("digits8x8_k10.npy")[0], expected, rtol=0, atol=FP_TOL)
