"""What the EFT needs to know about one activation: pointwise derivatives and its structure.

An ``ActivationModel`` evaluates sigma^(p)(z) for p up to ``max_order`` on arrays of nodes and says
whether sigma is in the positively homogeneous ReLU family (``slopes = (a+, a-)``, theory.md
s.1.1), which selects closed forms and the angular quadrature rule. Built-in names come from the
registry ``nnmc.activations``; a user may pass any NumPy-vectorised callable, optionally with the
callables of its derivatives (``CustomActivation``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from nnmc.activations import ACTIVATIONS, canonical_name
from nnmc.errors import NnmcError
from nnmc.theory.derivatives import SMOOTH_TABLES, homogeneous_table

ArrayFunction = Callable[[np.ndarray], np.ndarray]


class TheoryError(NnmcError):
    """The analytic EFT cannot evaluate what was asked (unknown activation, missing derivative,
    singular covariance where an inverse is needed); the message names the fix."""


@dataclass(frozen=True)
class CustomActivation:
    """A user activation: ``function`` (vectorised over float64 arrays) and optionally
    ``derivatives`` = (sigma', sigma'', ...), each a vectorised callable.

    sigma' is needed for the NTK (Theta and its statistics). Averages of higher derivatives that
    are not supplied are taken in Stein form (theory.md s.1.2 item 5b), which needs the
    covariance of the inputs involved to be invertible.
    """

    function: ArrayFunction
    derivatives: Sequence[ArrayFunction] = ()
    name: str = "custom"


@dataclass(frozen=True)
class ActivationModel:
    """Pointwise derivatives of one activation.

    ``max_order``: highest p with sigma^(p) available as a function (None: every order).
    ``slopes``: (a+, a-) for sigma(z) = a+ z (z > 0), a- z (z < 0), else None.
    ``sinusoidal``: sigma = sin (the built-in), whose Gaussian averages have closed forms (nnmc.theory.averages).
    """

    name: str
    max_order: int | None
    slopes: tuple[float, float] | None
    _table: Callable[[np.ndarray, int], list[np.ndarray]] = field(repr=False)
    sinusoidal: bool = False

    def has_order(self, order: int) -> bool:
        """Whether sigma^(order) can be evaluated pointwise."""
        return self.max_order is None or order <= self.max_order

    def table(self, z: np.ndarray, order: int) -> np.ndarray:
        """Array (order+1, *z.shape) float64 of sigma^(p)(z), p = 0..order."""
        if not self.has_order(order):
            raise TheoryError(
                f"activation '{self.name}': derivative of order {order} requested but only up to "
                f"{self.max_order} is available; pass CustomActivation(f, derivatives=[...])"
            )
        return np.stack([np.asarray(t, dtype=float) for t in self._table(z, order)])


def _custom_table(spec: CustomActivation, z: np.ndarray, order: int) -> list[np.ndarray]:
    functions = [spec.function, *spec.derivatives][: order + 1]
    return [np.broadcast_to(np.asarray(f(z), dtype=float), z.shape) for f in functions]


def activation_model(spec: str | ArrayFunction | CustomActivation, params: dict | None = None
                     ) -> ActivationModel:
    """Resolve a registry name (with ``params``, e.g. {"slope": 0.1}), a callable or a
    ``CustomActivation`` into an ``ActivationModel``."""
    if isinstance(spec, CustomActivation):
        return ActivationModel(spec.name, len(spec.derivatives), None, partial(_custom_table, spec))
    if callable(spec):
        return activation_model(CustomActivation(spec, (), getattr(spec, "__name__", "custom")))
    name = canonical_name(spec)
    if name is None:
        raise TheoryError(f"unknown activation {spec!r}; known: {sorted(ACTIVATIONS)} or a callable")
    allowed = ACTIVATIONS[name].params
    unknown = set(params or {}) - set(allowed)
    if unknown:
        raise TheoryError(f"activation '{name}': unknown parameters {sorted(unknown)}; "
                          f"allowed: {sorted(allowed)}")
    merged = {**allowed, **(params or {})}
    if name in ("relu", "leaky_relu"):
        slopes = (1.0, 0.0) if name == "relu" else (1.0, float(merged["slope"]))
        return ActivationModel(name, 1, slopes, partial(homogeneous_table, slopes=slopes))
    return ActivationModel(name, None, None, SMOOTH_TABLES[name], sinusoidal=name == "sin")
