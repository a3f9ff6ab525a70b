"""The width-extrapolation fit and the chi-squared p-value (nnmc.compare.fit): known answers and sampling laws."""

import math

import numpy as np
import pytest

from nnmc.compare.fit import chi2_sf, fit_inverse_powers, model_order

# chi-squared upper quantiles x with Q(x, dof) = p (standard tables to 10+ digits)
QUANTILES = [(3.841458820694124, 1, 0.05), (18.307038053275146, 10, 0.05), (6.634896601021214, 1, 0.01),
             (0.454936423119572, 1, 0.5), (43.77297182574219, 30, 0.05), (9.487729036781154, 4, 0.05)]


@pytest.mark.parametrize("x, dof, p", QUANTILES)
def test_chi2_sf_known_quantiles(x, dof, p):
    assert chi2_sf(x, dof) == pytest.approx(p, rel=1e-9)


def test_chi2_sf_closed_forms_and_edges():
    # dof 1: erfc(sqrt(x/2)); dof 2: exp(-x/2); dof 4: exp(-x/2)(1 + x/2) -- both branches (x < a+1 and above)
    for x in (1e-6, 0.3, 1.0, 2.5, 7.0, 30.0, 120.0):
        assert chi2_sf(x, 1) == pytest.approx(math.erfc(math.sqrt(x / 2)), rel=1e-12, abs=1e-300)
        assert chi2_sf(x, 2) == pytest.approx(math.exp(-x / 2), rel=1e-12)
        assert chi2_sf(x, 4) == pytest.approx(math.exp(-x / 2) * (1 + x / 2), rel=1e-12)
    assert chi2_sf(0.0, 3) == 1.0 and chi2_sf(math.inf, 3) == 0.0
    assert math.isnan(chi2_sf(1.0, 0)) and math.isnan(chi2_sf(math.nan, 2))


def test_model_order_rule():
    assert model_order(np.array([16, 32])) == 1
    assert model_order(np.array([16, 32, 64, 64])) == 1  # distinct widths count
    assert model_order(np.array([8, 16, 32, 64])) == 2


def test_fit_recovers_exact_polynomial():
    n = np.array([8.0, 16, 32, 64, 128])
    truth = np.array([1.5, -2.0, 7.0])
    y = truth[0] + truth[1] / n + truth[2] / n**2
    fit = fit_inverse_powers(n, y, np.full(n.size, 0.01), order=2)
    np.testing.assert_allclose(fit.params, truth, rtol=1e-10)
    assert fit.chi2 < 1e-15 and fit.dof == 2
    np.testing.assert_allclose(fit(n), y, rtol=1e-12)
    with pytest.raises(ValueError):
        fit_inverse_powers(n[:2], y[:2], np.full(2, 0.01), order=2)
    with pytest.raises(ValueError):
        fit_inverse_powers(n, y, np.zeros(n.size), order=1)


@pytest.mark.parametrize("order", [1, 2])
def test_fit_sampling_distribution(order):
    """Synthetic scans with known truth: parameter pulls ~ N(0, 1), chi2 ~ chi2(dof), p-values ~ U(0, 1).

    Tolerances are 4 standard errors of the respective sample statistic over M replicas.
    """
    rng = np.random.default_rng(12345 + order)
    M = 4000
    n = np.array([8.0, 16, 32, 64, 128, 256])
    error = np.array([0.02, 0.01, 0.015, 0.005, 0.01, 0.008])
    truth = np.array([0.8, 1.7, -4.0])[: order + 1]
    exact = sum(p / n**j for j, p in enumerate(truth))
    pulls, chi2, p = [], [], []
    for _ in range(M):
        fit = fit_inverse_powers(n, exact + error * rng.standard_normal(n.size), error, order)
        pulls.append((fit.params - truth) / fit.errors)
        chi2.append(fit.chi2)
        p.append(fit.p_value)
    pulls, chi2, p = np.array(pulls), np.array(chi2), np.array(p)
    dof = n.size - order - 1
    assert np.all(np.abs(pulls.mean(axis=0)) < 4 / math.sqrt(M))
    assert np.all(np.abs(pulls.std(axis=0) - 1) < 4 / math.sqrt(2 * M))
    assert abs(chi2.mean() - dof) < 4 * math.sqrt(2 * dof / M)
    assert abs(p.mean() - 0.5) < 4 / math.sqrt(12 * M)
    assert abs(np.mean(p < 0.05) - 0.05) < 4 * math.sqrt(0.05 * 0.95 / M)
