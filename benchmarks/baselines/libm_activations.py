"""The baseline of the activations section: each activation as a numba loop over libm's scalar functions.

These are the forms nnmc's kernels had before their vectorised replacements (``nnmc.fastmath``, ``nnmc.erf``),
compiled the same way (numba, float64 in and out), so the ratio measures the function evaluation alone.
"""
from __future__ import annotations

import math

import numba as nb

_INV_SQRT2 = 1.0 / math.sqrt(2.0)


def _elementwise(scalar):
    """out[i] = scalar(x[i]) over 1-d float64 arrays, as a numba loop that calls ``scalar`` per element."""
    kernel = nb.njit(inline="always")(scalar)

    @nb.njit
    def loop(x, out):
        for i in range(x.shape[0]):
            out[i] = kernel(x[i])

    return loop


LIBM = {
    "tanh": _elementwise(lambda v: math.tanh(v)),
    "swish": _elementwise(lambda v: v / (1.0 + math.exp(-v))),
    "erf": _elementwise(lambda v: math.erf(v)),
    "gelu": _elementwise(lambda v: 0.5 * v * (1.0 + math.erf(v * _INV_SQRT2))),
    "sin": _elementwise(lambda v: math.sin(v)),
    "softplus": _elementwise(lambda v: v + math.log1p(math.exp(-v)) if v > 0 else math.log1p(math.exp(v))),
}
