"""The baseline of the activations section: each activation as a numba loop over libm's scalar functions.

These are the forms nnmc's kernels had before their vectorised replacements (``nnmc.fastmath``, ``nnmc.erf``),
compiled the same way (numba, float64 in and out), so the ratio measures the function evaluation alone.
"""
from __future__ import annotations

import math

import numba as nb

_INV_SQRT2 = 1.0 / math.sqrt(2.0)


@nb.njit(cache=True)
def tanh(x, out):
    for i in range(x.shape[0]):
        out[i] = math.tanh(x[i])


@nb.njit(cache=True)
def swish(x, out):
    for i in range(x.shape[0]):
        out[i] = x[i] / (1.0 + math.exp(-x[i]))


@nb.njit(cache=True)
def erf(x, out):
    for i in range(x.shape[0]):
        out[i] = math.erf(x[i])


@nb.njit(cache=True)
def gelu(x, out):
    for i in range(x.shape[0]):
        out[i] = 0.5 * x[i] * (1.0 + math.erf(x[i] * _INV_SQRT2))


@nb.njit(cache=True)
def sin(x, out):
    for i in range(x.shape[0]):
        out[i] = math.sin(x[i])


@nb.njit(cache=True)
def softplus(x, out):
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v))


LIBM = {"tanh": tanh, "swish": swish, "erf": erf, "gelu": gelu, "sin": sin, "softplus": softplus}
