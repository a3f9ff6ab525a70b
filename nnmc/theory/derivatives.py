"""Derivatives sigma^(p)(z), p = 0..order, of the built-in activations, vectorised in NumPy (float64).

Used by the derivative form (theory.md s.1.2 item 5a) of Gaussian averages such as
<d_e d_f (sigma_a sigma_b)>. Smooth activations have derivatives of every order (closed recursions
below); the ReLU family (positively homogeneous, kink at 0) only has sigma and sigma' as functions,
its higher derivatives are distributions and are handled by the Stein form instead.
The names and parameters are those of ``nnmc.activations``.
"""

from __future__ import annotations

import math
from math import comb

import numpy as np

SQRT_PI = math.sqrt(math.pi)
SQRT_2PI = math.sqrt(2.0 * math.pi)

_erf_scalar_to_array = np.frompyfunc(math.erf, 1, 1)


def erf(z: np.ndarray) -> np.ndarray:
    """Elementwise error function in float64 (math.erf; the package has no scipy)."""
    return _erf_scalar_to_array(np.asarray(z, dtype=float)).astype(float)


def _leibniz_square_recursion(first: np.ndarray, order: int, sign_self: float) -> list[np.ndarray]:
    """Derivatives f^(0..order) of an f with f' = c + a f - f^2 (a = ``sign_self``).

    ``first`` stacks (f, f'); differentiating n times gives, for n >= 1,
    f^(n+1) = a f^(n) - sum_j C(n, j) f^(j) f^(n-j) (tanh: a = 0, logistic: a = 1).
    """
    table = [first[0], first[1]]
    for n in range(1, order):
        term = sum(comb(n, j) * table[j] * table[n - j] for j in range(n + 1))
        table.append(sign_self * table[n] - term)
    return table[: order + 1]


def _tanh_table(z: np.ndarray, order: int) -> list[np.ndarray]:
    """tanh: t' = 1 - t^2, t^(n+1) = -sum_j C(n,j) t^(j) t^(n-j) for n >= 1."""
    t = np.tanh(z)
    return _leibniz_square_recursion(np.stack([t, 1.0 - t * t]), order, 0.0)


def _logistic_table(z: np.ndarray, order: int) -> list[np.ndarray]:
    """logistic s: s' = s - s^2, s^(n+1) = s^(n) - sum_j C(n,j) s^(j) s^(n-j)."""
    s = 0.5 * (1.0 + np.tanh(0.5 * z))
    return _leibniz_square_recursion(np.stack([s, s - s * s]), order, 1.0)


def _hermite_times_gaussian(z: np.ndarray, order: int, physicists: bool) -> list[np.ndarray]:
    """Polynomials P_n(z), n = 0..order: physicists' H_n (H_{n+1} = 2z H_n - 2n H_{n-1}) or
    probabilists' He_n (He_{n+1} = z He_n - n He_{n-1})."""
    scale = 2.0 if physicists else 1.0
    polys = [np.ones_like(z), scale * z]
    for n in range(1, order):
        polys.append(scale * (z * polys[n] - n * polys[n - 1]))
    return polys[: order + 1]


def _erf_table(z: np.ndarray, order: int) -> list[np.ndarray]:
    """erf^(n+1) = (2/sqrt(pi)) (-1)^n H_n(z) exp(-z^2)."""
    gauss = (2.0 / SQRT_PI) * np.exp(-z * z)
    polys = _hermite_times_gaussian(z, max(order - 1, 0), physicists=True)
    return [erf(z)] + [(-1) ** n * polys[n] * gauss for n in range(order)]


def _gelu_table(z: np.ndarray, order: int) -> list[np.ndarray]:
    """GELU z Phi(z): (z Phi)^(n) = z Phi^(n) + n Phi^(n-1), Phi^(n) = (-1)^(n-1) He_{n-1} phi."""
    phi = np.exp(-0.5 * z * z) / SQRT_2PI
    polys = _hermite_times_gaussian(z, max(order - 1, 0), physicists=False)
    cdf = [0.5 * (1.0 + erf(z / math.sqrt(2.0)))]
    cdf += [(-1) ** (n - 1) * polys[n - 1] * phi for n in range(1, order + 1)]
    return [z * cdf[0]] + [z * cdf[n] + n * cdf[n - 1] for n in range(1, order + 1)]


def _swish_table(z: np.ndarray, order: int) -> list[np.ndarray]:
    """SWISH z s(z): (z s)^(n) = z s^(n) + n s^(n-1)."""
    s = _logistic_table(z, order)
    return [z * s[0]] + [z * s[n] + n * s[n - 1] for n in range(1, order + 1)]


def _softplus_table(z: np.ndarray, order: int) -> list[np.ndarray]:
    """softplus log(1 + e^z): softplus^(n) = s^(n-1) (logistic)."""
    return [np.logaddexp(0.0, z)] + _logistic_table(z, max(order - 1, 0))[:order]


def _sin_table(z: np.ndarray, order: int) -> list[np.ndarray]:
    """sin^(n)(z) = sin(z + n pi/2)."""
    s, c = np.sin(z), np.cos(z)
    return [(s, c, -s, -c)[n % 4] for n in range(order + 1)]


def _linear_table(z: np.ndarray, order: int) -> list[np.ndarray]:
    """z, 1, 0, 0, ..."""
    return [z, np.ones_like(z)] + [np.zeros_like(z)] * (order - 1)


SMOOTH_TABLES = {
    "linear": _linear_table,
    "tanh": _tanh_table,
    "erf": _erf_table,
    "gelu": _gelu_table,
    "swish": _swish_table,
    "softplus": _softplus_table,
    "sin": _sin_table,
}


def homogeneous_table(z: np.ndarray, order: int, slopes: tuple[float, float]) -> list[np.ndarray]:
    """sigma(z) = a+ z (z > 0), a- z (z < 0) and sigma' (order <= 1; sigma'(0) := (a+ + a-)/2)."""
    if order > 1:
        raise ValueError("the ReLU family has no pointwise derivatives beyond the first")
    up, down = slopes
    positive = z > 0
    table = [np.where(positive, up * z, down * z)]
    if order == 1:
        table.append(np.where(positive, up, np.where(z < 0, down, 0.5 * (up + down))))
    return table
