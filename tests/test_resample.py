"""Jackknife and bootstrap over bins (nnmc.analysis.resample, DESIGN.md s.6).

Statistical checks use fixed seeds and |pull| < 4 with the uncertainty estimated from the data
(STYLE.md item 15). Many independent synthetic ensembles are analysed at once by putting the ensemble
index on a trailing axis of the bin sums (the resampler broadcasts over trailing axes).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nnmc.analysis.resample import Estimate, Resampler, ResamplingError

PULL = 4.0


def bin_sums(x: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per-network values x (N, ...) -> bin sums (len(sizes), ...) over consecutive bins of the given sizes."""
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return np.add.reduceat(x, starts, axis=0)


def pull(mean_of: np.ndarray, target: float) -> float:
    """(mean(samples) - target) / standard error of the mean of the samples."""
    return float((mean_of.mean() - target) / (mean_of.std(ddof=1) / np.sqrt(mean_of.size)))


# Strongly unequal bins: the plain delete-one formulas are visibly wrong here.
UNEQUAL = np.array([2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 40, 7, 1, 60], dtype=np.int64)


def test_jackknife_of_a_mean_is_the_textbook_standard_error_for_equal_bins():
    rng = np.random.default_rng(1)
    g, m = 25, 40
    x = rng.normal(size=(g * m, 3)) + [0.0, 1.0, -2.0]
    x[:, 1] += 0.5 * x[:, 0]
    sums = bin_sums(x, np.full(g, m))
    res = Resampler(np.full(g, float(m)))
    est = res.estimate(*res.central_and_replicas(sums))
    bin_means = sums / m
    dev = bin_means - bin_means.mean(axis=0)
    np.testing.assert_allclose(est.value, x.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(est.covariance(), dev.T @ dev / (g * (g - 1)), rtol=1e-12)
    np.testing.assert_allclose(est.error, np.sqrt((dev**2).sum(axis=0) / (g * (g - 1))), rtol=1e-12)
    np.testing.assert_allclose(est.bias, 0.0, atol=1e-14)


def test_jackknife_of_a_nonlinear_function_matches_textbook_formulas_for_equal_bins():
    rng = np.random.default_rng(2)
    g, m = 30, 10
    res = Resampler(np.full(g, float(m)))
    central, replicas = res.central_and_replicas(bin_sums(rng.exponential(size=g * m), np.full(g, m)))
    est = res.estimate(central**2, replicas**2)
    theta = replicas**2
    np.testing.assert_allclose(est.error, np.sqrt((g - 1) / g * ((theta - theta.mean())**2).sum()), rtol=1e-12)
    rounding = 8 * g * np.finfo(float).eps * central**2  # both sides subtract numbers of size central**2
    np.testing.assert_allclose(est.bias, (g - 1) * (theta.mean() - central**2), rtol=0, atol=rounding)


def test_unequal_bins_pseudo_values_of_a_mean_are_the_bin_means():
    """Busing et al. (1999): for a mean the delete-m_j pseudo-values are the bin means, so the variance is
    (1/g) sum_j m_j/(n - m_j) (xbar_j - xbar)^2 and the bias is zero."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=UNEQUAL.sum())
    sums = bin_sums(x, UNEQUAL)
    res = Resampler(UNEQUAL.astype(float))
    est = res.estimate(*res.central_and_replicas(sums))
    n, g = UNEQUAL.sum(), UNEQUAL.size
    var = (UNEQUAL / (n - UNEQUAL) * (sums / UNEQUAL - x.mean())**2).sum() / g
    np.testing.assert_allclose(est.error, np.sqrt(var), rtol=1e-12)
    np.testing.assert_allclose(est.bias, 0.0, atol=1e-14)


def test_unequal_bins_jackknife_of_a_ratio_agrees_with_the_delta_method():
    """R = mean(y)/mean(x) over 4000 independent ensembles in unequal bins: mean of the ratio
    sigma_J^2 / sigma_delta^2 is 1 within 4 of its own standard errors."""
    rng = np.random.default_rng(4)
    n_ens = 4000
    x = rng.gamma(4.0, size=(UNEQUAL.sum(), n_ens))
    y = 0.7 * x + rng.normal(size=x.shape)
    res = Resampler(UNEQUAL.astype(float))
    cx, rx = res.central_and_replicas(bin_sums(x, UNEQUAL))
    cy, ry = res.central_and_replicas(bin_sums(y, UNEQUAL))
    est = res.estimate(cy / cx, ry / rx)
    residual = y - est.value * x
    var_delta = (residual**2).sum(axis=0) / (x.shape[0] * (x.shape[0] - 1) * cx**2)
    ratio = est.error**2 / var_delta
    assert abs(pull(ratio, 1.0)) < PULL
    # the same check has power: the plain delete-one formula, blind to bin sizes, fails it
    g = UNEQUAL.size
    plain = (g - 1) / g * ((ry / rx - (ry / rx).mean(axis=0))**2).sum(axis=0)
    assert abs(pull(plain / var_delta, 1.0)) > 2 * PULL


def test_jackknife_bias_estimate_removes_the_bias_of_a_squared_mean():
    """theta = xbar^2 with E[x] = 0 has bias sigma^2/n; theta - bias is unbiased (any bin sizes)."""
    rng = np.random.default_rng(5)
    n_ens = 4000
    res = Resampler(UNEQUAL.astype(float))
    central, replicas = res.central_and_replicas(bin_sums(rng.normal(size=(UNEQUAL.sum(), n_ens)), UNEQUAL))
    est = res.estimate(central**2, replicas**2)
    assert pull(est.value, 0.0) > 10 * PULL  # the O(1/n) bias is resolved ...
    assert abs(pull(est.value - est.bias, 0.0)) < PULL  # ... and removed
    assert abs(pull(est.bias, 1.0 / UNEQUAL.sum())) < PULL


def test_bootstrap_agrees_with_jackknife_for_a_mean():
    """Equal bins: the bootstrap variance of a mean is (g-1)/g times the jackknife's (ideal bootstrap),
    checked within 4 standard errors of the replicas' sample variance."""
    rng = np.random.default_rng(6)
    g, m, n_boot = 50, 20, 20000
    sums = bin_sums(rng.normal(size=g * m), np.full(g, m))
    jack = Resampler(np.full(g, float(m)))
    boot = Resampler(np.full(g, float(m)), method="bootstrap", n_boot=n_boot, seed=11)
    j = jack.estimate(*jack.central_and_replicas(sums))
    b = boot.estimate(*boot.central_and_replicas(sums))
    assert b.method == "bootstrap" and j.method == "jackknife"
    np.testing.assert_allclose(b.value, j.value, rtol=1e-14)
    d2 = (b.replicas - b.replicas.mean())**2
    se_var = np.sqrt(((d2 - d2.mean())**2).mean() / n_boot)
    assert abs(b.error**2 - (g - 1) / g * j.error**2) < PULL * se_var
    assert abs(b.bias) < PULL * b.error / np.sqrt(n_boot)


def test_bootstrap_is_reproducible_from_its_seed():
    counts = np.array([5.0, 6.0, 7.0, 8.0])
    a = Resampler(counts, method="bootstrap", n_boot=30, seed=7)
    b = Resampler(counts, method="bootstrap", n_boot=30, seed=7)
    c = Resampler(counts, method="bootstrap", n_boot=30, seed=8)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)
    np.testing.assert_array_equal(a.weights.sum(axis=1), 4)
    np.testing.assert_array_equal(Resampler(counts).weights, 1.0 - np.eye(4))


def test_zero_count_bins_are_dropped():
    rng = np.random.default_rng(8)
    counts = np.array([3.0, 0.0, 4.0, 5.0, 0.0, 2.0])
    sums = rng.normal(size=(6, 2, 3)) * counts[:, None, None]
    full = Resampler(counts)
    kept = Resampler(counts[counts > 0])
    a = full.estimate(*full.central_and_replicas(sums))
    b = kept.estimate(*kept.central_and_replicas(sums[counts > 0]))
    assert full.n_rep == 4
    for name in ("value", "error", "bias", "replicas"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize("counts", [[7.0], [7.0, 0.0], [0.0, 0.0, 0.0]])
def test_fewer_than_two_bins_raise(counts):
    with pytest.raises(ResamplingError, match="at least 2 bins"):
        Resampler(np.array(counts))


@pytest.mark.parametrize("kwargs, match", [
    (dict(counts=[1.0, -2.0]), "counts"),
    (dict(counts=[[1.0, 2.0]]), "counts"),
    (dict(counts=[1.0, np.nan]), "counts"),
    (dict(counts=[1.0, 2.0], method="blocking"), "method"),
    (dict(counts=[1.0, 2.0], method="bootstrap", n_boot=1), "n_boot"),
    (dict(counts=[1.0, 2.0], method="bootstrap", seed=1.5), "seed"),
])
def test_bad_arguments_name_the_field(kwargs, match):
    with pytest.raises(ResamplingError, match=match):
        Resampler(**kwargs)


def test_shape_mismatches_are_reported():
    res = Resampler(np.ones(4))
    with pytest.raises(ResamplingError, match="4 bins"):
        res.central_and_replicas(np.ones((3, 2)))
    with pytest.raises(ResamplingError, match="n_rep"):
        res.estimate(np.ones(2), np.ones((3, 2)))


def test_resampler_is_frozen():
    res = Resampler(np.ones(3))
    with pytest.raises(AttributeError):
        res.method = "bootstrap"
    with pytest.raises(ValueError):
        res.counts[0] = 5.0
    boot = Resampler(np.ones(3), method="bootstrap", n_boot=4)
    with pytest.raises(ValueError):
        boot.weights[0, 0] = 5.0


@pytest.mark.parametrize("method", ["jackknife", "bootstrap"])
def test_estimate_is_json_ready_and_prints_itself(method):
    rng = np.random.default_rng(9)
    res = Resampler(rng.integers(1, 9, size=12).astype(float), method=method, n_boot=50)
    est = res.estimate(*res.central_and_replicas(rng.normal(size=(12, 2, 3))))
    assert isinstance(est, Estimate)
    np.testing.assert_allclose(np.diag(est.covariance()), est.error.ravel()**2, rtol=1e-12)
    assert np.all(np.linalg.eigvalsh(est.covariance()) > -1e-12)
    back = json.loads(json.dumps(est.to_dict()))
    np.testing.assert_array_equal(back["value"], est.value)
    np.testing.assert_array_equal(back["error"], est.error)
    text = repr(est)
    assert method in text and "(2, 3)" in text and "(" in text.splitlines()[-1]


def test_repr_rounds_to_the_error():
    res = Resampler(np.ones(2))
    est = Estimate(value=np.float64(1.23456), error=np.float64(0.0123), bias=np.float64(0.0),
                   replicas=np.zeros(2), resampler=res)
    assert "1.235(12)" in repr(est)


def test_table_shows_float64_round_off_as_zero():
    """Layer-1 V is exactly 0 but comes out as 1e-14 from cancellation; a deterministic G has a bootstrap error of
    1e-15. Both print as exact; a real value and error stay as they are."""
    from nnmc.analysis.analyse import without_round_off

    assert without_round_off(-2.17604e-14, 2e-29, 64.0) == (0.0, 0.0)
    assert without_round_off(0.199519, 2e-15, 1.0) == (0.199519, 0.0)
    assert without_round_off(-0.012, 0.011, 64.0) == (-0.012, 0.011)
    assert without_round_off(3e-13, 1e-3, 1.0) == (3e-13, 1e-3)
    value, error = without_round_off(float("nan"), 0.0, 1.0)
    assert math.isnan(value) and error == 0.0
