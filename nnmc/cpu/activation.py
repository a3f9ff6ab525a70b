"""Activation dispatch inside numba kernels (codes from ``nnmc.activations``).

``apply_activation(code, slope, z, out)`` writes sigma(z) elementwise; z and out are 1-d arrays, z of
the sampling dtype, out of it or float64. The branch is taken once per call, so each inner loop is a plain elementwise
loop that LLVM can vectorise: tanh, swish, sin and softplus are nnmc.fastmath's, erf and gelu nnmc.erf's
(vectorised float64 forms of libm's scalar functions, a few ulp from exact).
"""

from __future__ import annotations

import numba as nb

from ..activations import ERF, GELU, LEAKY_RELU, LINEAR, RELU, SIN, SOFTPLUS, SWISH, TANH
from ..erf import erf_array, gelu_array
from ..fastmath import sin_array, softplus_array, swish_array, tanh_array


@nb.njit(cache=True)
def apply_activation(code, slope, z, out):
    n = z.shape[0]
    if code == LINEAR:
        for i in range(n):
            out[i] = z[i]
    elif code == RELU:
        for i in range(n):
            out[i] = z[i] if z[i] > 0 else 0.0
    elif code == LEAKY_RELU:
        for i in range(n):
            out[i] = z[i] if z[i] > 0 else slope * z[i]
    elif code == TANH:
        tanh_array(z[:n], out[:n])
    elif code == ERF:
        erf_array(z[:n], out[:n])
    elif code == GELU:
        gelu_array(z[:n], out[:n])
    elif code == SWISH:
        swish_array(z[:n], out[:n])
    elif code == SIN:
        sin_array(z[:n], out[:n])
    elif code == SOFTPLUS:
        softplus_array(z[:n], out[:n])
