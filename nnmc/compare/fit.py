"""Weighted least-squares fits in powers of 1/n and the chi-squared p-value (DESIGN.md s.6, theory.md s.10).

The width extrapolation fits y(n) = p_0 + p_1/n (+ p_2/n^2) to independent ensembles (one point per file)
with their jackknife errors. Parameter errors come from the covariance (A^T W A)^{-1}, W = diag(1/err^2);
the goodness of fit is chi2 with dof = points - parameters and the p-value Q(chi2, dof), the chi-squared
survival function, computed here from the regularised upper incomplete gamma function Q(dof/2, chi2/2)
(series / Lentz continued fraction, Numerical Recipes s.6.2) so that numpy and math suffice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_EPS = 1e-15
_MAX_TERMS = 10_000

MODEL_RULE = ("model: y_inf + a/n + b/n^2 with >= 4 distinct widths, else y_inf + a/n "
              "(fixed in advance, not chosen from the data; 2 widths leave dof = 0 and no p-value)")


def _lower_series(a: float, x: float) -> float:
    """Regularised lower incomplete gamma P(a, x) by its power series (converges fast for x < a + 1)."""
    term = total = 1.0 / a
    denominator = a
    for _ in range(_MAX_TERMS):
        denominator += 1.0
        term *= x / denominator
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _upper_fraction(a: float, x: float) -> float:
    """Regularised upper incomplete gamma Q(a, x) by the modified Lentz continued fraction (x >= a + 1)."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h * math.exp(-x + a * math.log(x) - math.lgamma(a))


def chi2_sf(chi2: float, dof: int) -> float:
    """P(X >= chi2) for X ~ chi-squared with ``dof`` degrees of freedom; NaN when dof < 1 or chi2 is NaN."""
    if dof < 1 or math.isnan(chi2):
        return math.nan
    if chi2 <= 0.0:
        return 1.0
    if math.isinf(chi2):
        return 0.0
    a, x = 0.5 * dof, 0.5 * chi2
    return 1.0 - _lower_series(a, x) if x < a + 1.0 else _upper_fraction(a, x)


@dataclass(frozen=True)
class PolyFit:
    """Result of ``fit_inverse_powers``: y(n) = sum_j params[j] n^{-j}.

    params (m,), covariance (m, m) float64; chi2, dof (points - m) and p_value (NaN when dof = 0).
    """

    params: np.ndarray
    covariance: np.ndarray
    chi2: float
    dof: int

    @property
    def errors(self) -> np.ndarray:
        """(m,) standard errors of the parameters."""
        return np.sqrt(np.diag(self.covariance))

    @property
    def p_value(self) -> float:
        return chi2_sf(self.chi2, self.dof)

    @property
    def chi2_per_dof(self) -> float:
        return self.chi2 / self.dof if self.dof > 0 else math.nan

    def __call__(self, n: np.ndarray) -> np.ndarray:
        """The fitted curve at widths ``n`` (any shape)."""
        x = 1.0 / np.asarray(n, dtype=float)
        return sum(p * x**j for j, p in enumerate(self.params))


def model_order(n: np.ndarray) -> int:
    """Highest power of 1/n fitted to points at widths ``n`` (MODEL_RULE): 2 with >= 4 distinct widths, else 1."""
    return 2 if np.unique(n).size >= 4 else 1


def fit_inverse_powers(n: np.ndarray, y: np.ndarray, error: np.ndarray, order: int) -> PolyFit:
    """Weighted least squares of y = sum_{j=0}^{order} p_j n^{-j} to independent points.

    n, y, error : (N,) widths, values and standard errors (> 0), N >= order + 1.
    Solved via the QR decomposition of the whitened design matrix (no normal equations).
    """
    n, y, error = (np.asarray(a, dtype=float) for a in (n, y, error))
    if not (n.shape == y.shape == error.shape and n.ndim == 1):
        raise ValueError(f"n, y, error must be 1-d of one length; got shapes {n.shape}, {y.shape}, {error.shape}")
    if n.size < order + 1 or np.unique(n).size < order + 1:
        raise ValueError(f"a fit of order {order} needs {order + 1} distinct widths; got {np.unique(n).tolist()}")
    if not np.all(error > 0) or not np.all(np.isfinite(y)):
        raise ValueError(f"errors must be > 0 and values finite; got y {y}, error {error}")
    design = (1.0 / n)[:, None] ** np.arange(order + 1)
    q, r = np.linalg.qr(design / error[:, None])
    params = np.linalg.solve(r, q.T @ (y / error))
    r_inv = np.linalg.inv(r)
    residual = (y - design @ params) / error
    return PolyFit(params, r_inv @ r_inv.T, float(residual @ residual), n.size - (order + 1))
