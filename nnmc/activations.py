"""The activation functions nnmc knows: names, parameters, critical initialisation, NumPy forms.

One registry serves the sampler (integer codes dispatched inside the numba kernels), the analytic
EFT (``nnmc.theory``) and config validation. Critical (C_b, C_W) follow theory.md s.4; activations
without a critical point (softplus) have no default and the config must set C_W and C_b.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Activation:
    """A named activation. ``code`` is the integer the numba kernels dispatch on."""

    name: str
    code: int
    params: dict = field(default_factory=dict)  # allowed parameter names -> default values

    def critical(self, params: dict) -> tuple[float, float] | None:
        """(C_b, C_W) at criticality (theory.md s.4 table), or None where none exists."""
        return _CRITICAL[self.name](params) if self.name in _CRITICAL else None


LINEAR, RELU, LEAKY_RELU, TANH, ERF, GELU, SWISH, SIN, SOFTPLUS = range(9)

ACTIVATIONS: dict[str, Activation] = {
    "linear": Activation("linear", LINEAR),
    "relu": Activation("relu", RELU),
    "leaky_relu": Activation("leaky_relu", LEAKY_RELU, {"slope": 0.01}),
    "tanh": Activation("tanh", TANH),
    "erf": Activation("erf", ERF),
    "gelu": Activation("gelu", GELU),
    "swish": Activation("swish", SWISH),
    "sin": Activation("sin", SIN),
    "softplus": Activation("softplus", SOFTPLUS),
}
ALIASES = {"silu": "swish", "identity": "linear"}

_CRITICAL = {
    "linear": lambda p: (0.0, 1.0),
    "relu": lambda p: (0.0, 2.0),
    "leaky_relu": lambda p: (0.0, 2.0 / (1.0 + p["slope"] ** 2)),
    "tanh": lambda p: (0.0, 1.0),
    "erf": lambda p: (0.0, math.pi / 4.0),
    "sin": lambda p: (0.0, 1.0),
    # half-stable critical points computed in theory.md s.4 (T11)
    "gelu": lambda p: (0.172922, 1.983058),
    "swish": lambda p: (0.555143, 1.988005),
}


def canonical_name(name: str) -> str | None:
    """The registry name for ``name`` (aliases resolved), or None if unknown."""
    name = ALIASES.get(name, name)
    return name if name in ACTIVATIONS else None


def numpy_activation(name: str, params: dict | None = None):
    """Vectorised float64 NumPy implementation of the activation ``name``."""
    from math import sqrt

    params = {**ACTIVATIONS[canonical_name(name)].params, **(params or {})}
    name = canonical_name(name)
    if name == "linear":
        return lambda z: np.asarray(z, dtype=float)
    if name == "relu":
        return lambda z: np.maximum(z, 0.0)
    if name == "leaky_relu":
        a = params["slope"]
        return lambda z: np.where(z > 0, z, a * np.asarray(z))
    if name == "tanh":
        return np.tanh
    if name == "erf":
        from math import erf
        return np.vectorize(erf, otypes=[float])
    if name == "gelu":
        from math import erf
        verf = np.vectorize(erf, otypes=[float])
        return lambda z: 0.5 * z * (1.0 + verf(np.asarray(z) / sqrt(2.0)))
    if name == "swish":
        return lambda z: z / (1.0 + np.exp(-np.asarray(z)))
    if name == "sin":
        return np.sin
    if name == "softplus":
        return lambda z: np.logaddexp(0.0, z)
    raise KeyError(name)
