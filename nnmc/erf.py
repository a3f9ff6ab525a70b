"""Vectorisable float64 erf and GELU for the numba kernels, and the high-precision erfc they are fitted to.

libm's ``erf`` is a scalar call (9.5 ns an element here) that keeps the activation loops scalar; these use
only arithmetic, bit operations and selects, so LLVM vectorises them.

* |x| < 1/2: erf x = (2/sqrt pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)), through n = 13 (error < 1e-19).
* 1/2 <= |x| <= 26.5: erfc x = t exp(-x^2 + f(t)) with t = 2/(2 + x) (the form of Numerical Recipes, 3rd ed.,
  s.6.2.2). f(t) = ln(erfc(x)/t) + x^2 is smooth on t in [2/28.5, 4/5]; it is interpolated at 24 Chebyshev
  nodes (error < 1e-18) and rewritten in powers of u, the image of t in [-1, 1]. Their absolute values sum to
  1.3, so Horner's rule is as stable as Clenshaw's; f is evaluated as even and odd parts in u^2, two chains of
  12 multiply-adds instead of one of 24, with a_0's rounding remainder carried separately. The node values come
  from ``nnmc.decimal_reference``; ``_chebyshev_fit`` makes the fit and a test checks that it reproduces the
  stored coefficients. x^2 is carried as hi + lo with hi exact (x split at 26 bits) and the exponential is
  reduced from the pair, so erfc keeps its relative accuracy where it is tiny. The rounding of t enters as a
  first-order correction (``_erfc_core``).
* |x| > 26.5: erfc x = 0 (it is below 1e-306), erf x = sign(x).

``gelu_array`` writes z Phi(z) = (z/2) erfc(-z/sqrt 2) from the same pieces. z^2/2 is split exactly and the
rounding of |z|/sqrt 2 (product and constant) goes into the same first-order correction, so GELU keeps its
relative accuracy on the negative side, where (z/2)(1 + erf(z/sqrt 2)) cancels. Below z = -26.5 sqrt 2 it
returns -0 (|GELU| < 1e-305 there).

Accuracy against ``nnmc.decimal_reference`` (tests, 4 ulp): at most 1.5 ulp for erf and 2.6 for GELU measured
here, with or without fused multiply-adds.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import numba as nb
import numpy as np

from .decimal_reference import cos_decimal, erfc_decimal, pi_decimal
from .fastmath import _EXP, _LN2, _LN2_HI, _LN2_LO

SERIES_BELOW = 0.5
ERFC_ZERO_ABOVE = 26.5
CHEBYSHEV_NODES = 24
_FIT_DIGITS = 40
T_LO, T_HI = 2.0 / (2.0 + ERFC_ZERO_ABOVE), 2.0 / (2.0 + SERIES_BELOW)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_ERF_SERIES = tuple((-1) ** n * _TWO_OVER_SQRT_PI / (math.factorial(n) * (2 * n + 1)) for n in range(14))
_HIGH_26_BITS = np.int64(-(1 << 27))  # mask keeping sign, exponent and the top 25 stored mantissa bits
_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT2_HI = float(np.int64(np.float64(_INV_SQRT2).view(np.int64) & _HIGH_26_BITS).view(np.float64))
_INV_SQRT2_LO = _INV_SQRT2 - _INV_SQRT2_HI
with localcontext() as _ctx:
    _ctx.prec = 40
    _INV_SQRT2_ERROR = float(1 / Decimal(2).sqrt() - Decimal(_INV_SQRT2))  # 1/sqrt 2 - _INV_SQRT2


def _chebyshev_fit() -> tuple[tuple[float, ...], float]:
    """Coefficients a_m of f(t) = ln(erfc(x)/t) + x^2 = sum_m a_m u^m, x = 2/t - 2, u the image of t in [-1, 1]:
    the interpolant at the CHEBYSHEV_NODES Chebyshev nodes of [T_LO, T_HI], rewritten in powers of u (node
    values, the transform and the rewriting in decimal, so only the final rounding is float). Returns the
    float a_m and the rounding remainder of a_0 (the largest term: carried separately, it would bias f by up to
    half an ulp of 0.76)."""
    N = CHEBYSHEV_NODES
    with localcontext() as ctx:
        ctx.prec = _FIT_DIGITS
        pi = pi_decimal()
        lo, hi = Decimal(T_LO), Decimal(T_HI)
        nodes, values = [], []
        for k in range(N):
            u = cos_decimal(pi * (2 * k + 1) / (2 * N))
            t = (lo + hi) / 2 + (hi - lo) / 2 * u
            x = 2 / t - 2
            nodes.append(u)
            values.append((erfc_decimal(x, _FIT_DIGITS) / t).ln() + x * x)
        # power coefficients of T_0 .. T_(N-1): T_(j+1) = 2 u T_j - T_(j-1)
        powers = [[Decimal(1)], [Decimal(0), Decimal(1)]]
        for j in range(2, N):
            shifted = [Decimal(0)] + [2 * v for v in powers[j - 1]]
            powers.append([v - (powers[j - 2][m] if m < j - 1 else 0) for m, v in enumerate(shifted)])
        coefficients = [Decimal(0)] * N
        for j in range(N):
            c_j = sum(f * sum(p * u**m for m, p in enumerate(powers[j])) for u, f in zip(nodes, values))
            c_j = c_j * (1 if j == 0 else 2) / N
            for m, p in enumerate(powers[j]):
                coefficients[m] += c_j * p
        return tuple(float(a) for a in coefficients), float(coefficients[0] - Decimal(float(coefficients[0])))


# f(t) in powers of u and a_0's remainder = _chebyshev_fit() (a test checks that it reproduces both exactly)
_POWERS = (
    -0.7582222588193108,
    0.4802813853782054,
    0.034315955057239,
    -0.015697599150747296,
    -0.004250795195915481,
    0.0013804622530650932,
    0.0005584578833853704,
    -0.00019616412728841806,
    -7.513376516106573e-05,
    3.571862796803602e-05,
    8.853298640199543e-06,
    -6.922190098403732e-06,
    -5.404300892626352e-07,
    1.2489558868065974e-06,
    -1.2661806185572614e-07,
    -1.841598062777011e-07,
    5.938481177326376e-08,
    1.6565604567286308e-08,
    -1.3550359857492579e-08,
    7.86654378511908e-10,
    1.910651024407982e-09,
    -5.534271449625076e-10,
    -1.3397981462479425e-10,
    6.925949225270722e-11,
)

_POWERS_0_LO = -3.6093094584847135e-17  # the remainder of a_0 (same fit)
_POWERS_ARRAY = np.array(_POWERS)  # a tuple this long is indexed through a switch once the loop is not unrolled


@nb.njit(cache=True, inline="always")
def _erf_series(x):
    s = x * x
    p = _ERF_SERIES[13]
    for n in range(12, -1, -1):
        p = p * s + _ERF_SERIES[n]
    return x * p


@nb.njit(cache=True, inline="always")
def _split(x):
    """(xh, xl) with xh + xl = x exactly, xh x's top 26 significant bits (so products of two xh are exact)."""
    xh = np.int64(np.float64(x).view(np.int64) & _HIGH_26_BITS).view(np.float64)
    return xh, x - xh


@nb.njit(cache=True, inline="always")
def _split_square(x):
    """(hi, lo) with hi + lo = x^2 to about 2^-80 relative and hi exact."""
    xh, xl = _split(x)
    return xh * xh, xl * (xh + x)


@nb.njit(cache=True, inline="always")
def _erfc_core(a, hi, lo, da):
    """erfc(a + da) for a in [1/2, 26.5], given hi + lo = (a + da)^2 (``_split_square``) and a small da.

    t = 2/(2 + a) is rounded, so the fit sees x' = 2/t - 2 rather than a + da: to first order the result is
    off by a factor 1 + (erfc'/erfc + 2a) dx, dx = a + da - x', where erfc'/erfc + 2a ~ -c/(a + sqrt(a^2 + c))
    = a - sqrt(a^2 + c), c = 1.6 (between the bounds 4/pi and 2 of erfc's Mills ratio, within 3 % here). The
    factor is added to the exponent; dx comes from the exact errors of 2 + a and of the division (t s - 2 by
    split products). Without it, up to 2 ulp at a = 1/2."""
    big = a if a > 2.0 else 2.0
    small = 2.0 if a > 2.0 else a
    s = big + small
    s_error = small - (s - big)  # 2 + a = s + s_error exactly (Fast2Sum)
    t = 2.0 / s
    th, tl = _split(t)
    sh, sl = _split(s)
    residual = (((th * sh - 2.0) + th * sl) + tl * sh) + tl * sl  # t s - 2, the first product exact
    dx = s_error + 0.5 * s * residual + da
    u = (2.0 * t - (T_LO + T_HI)) * (1.0 / (T_HI - T_LO))
    u2 = u * u
    even = _POWERS_ARRAY[CHEBYSHEV_NODES - 2]  # f = even(u^2) + u odd(u^2): two chains of 12, not one of 24
    odd = _POWERS_ARRAY[CHEBYSHEV_NODES - 1]
    for m in range(CHEBYSHEV_NODES // 2 - 2, 0, -1):
        even = even * u2 + _POWERS_ARRAY[2 * m]
        odd = odd * u2 + _POWERS_ARRAY[2 * m + 1]
    rest = even * u2 + (u * (odd * u2 + _POWERS_ARRAY[1]))  # f - a_0
    j = np.floor((_POWERS_ARRAY[0] + rest - hi - lo) * (1.0 / _LN2) + 0.5)
    small_terms = rest + (_POWERS_0_LO + (a - math.sqrt(a * a + 1.6)) * dx) - lo
    r = (((-hi - j * _LN2_HI) + _POWERS_ARRAY[0]) + small_terms) - j * _LN2_LO
    e = _EXP[13]
    for n in range(12, -1, -1):
        e = e * r + _EXP[n]
    return t * e * np.int64((np.int64(j) + 1023) << 52).view(np.float64)


@nb.njit(cache=True, inline="always")
def _erfc_positive(a, hi, lo, da):
    """erfc(a + da) for a >= 1/2 (NaN stays NaN); 0 above ERFC_ZERO_ABOVE (``_erfc_core``)."""
    beyond = a > ERFC_ZERO_ABOVE
    value = _erfc_core(ERFC_ZERO_ABOVE if beyond else a, ERFC_ZERO_ABOVE**2 if beyond else hi,
                       0.0 if beyond else lo, 0.0 if beyond else da)
    return 0.0 if beyond else value


@nb.njit(cache=True, fastmath={"contract"}, error_model="numpy")
def erf_array(x, out):
    """out[i] = erf(x[i]) for 1-d x (float32 or float64, evaluated in float64) into out (any float dtype)."""
    for i in range(x.shape[0]):
        v = np.float64(x[i])
        a = abs(v)
        hi, lo = _split_square(a)
        tail = math.copysign(1.0 - _erfc_positive(a, hi, lo, 0.0), v)
        out[i] = _erf_series(v) if a < SERIES_BELOW else tail


@nb.njit(cache=True, fastmath={"contract"}, error_model="numpy")
def gelu_array(x, out):
    """out[i] = x[i] Phi(x[i]) = (x[i]/2) erfc(-x[i]/sqrt 2), float64 evaluation, (module docstring)."""
    for i in range(x.shape[0]):
        z = np.float64(x[i])
        u = z * _INV_SQRT2
        a = abs(u)
        zh, zl = _split(z)
        zh2, zl2 = zh * zh, zl * (zh + z)
        # |u| - a: the rounding of z/sqrt 2, by split products, and of the constant 1/sqrt 2 itself
        du = ((((zh * _INV_SQRT2_HI - u) + zh * _INV_SQRT2_LO) + zl * _INV_SQRT2_HI) + zl * _INV_SQRT2_LO
              + z * _INV_SQRT2_ERROR)
        c = _erfc_positive(a, 0.5 * zh2, 0.5 * zl2, du if u > 0 else -du)  # erfc(|z|/sqrt 2), squared exactly
        w = 2.0 - c if u > 0 else c  # 1 + erf(u)
        out[i] = 0.5 * z * (1.0 + _erf_series(u) if a < SERIES_BELOW else w)
