"""The analytic EFT of an MLP: layer-by-layer recursions from the inputs (theory.md s.1-3, 7).

``eft`` validates the architecture, removes exact duplicate inputs (their rows and columns are
copies, which keeps every kernel block invertible where the Stein form needs it and makes the
duplicated entries exact), runs the recursions and expands back to all k inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from nnmc.theory.activation_model import (ActivationModel, ArrayFunction, CustomActivation,
                                          TheoryError, activation_model)
from nnmc.theory.layer_averages import layer_averages
from nnmc.theory.quadrature import Quadrature
from nnmc.theory.recursion import LayerHyperparameters, LayerState, first_layer, next_layer
from nnmc.theory.result import EFTResult

ActivationSpec = str | ArrayFunction | CustomActivation
Observables = Literal["kernel", "four_point", "all"]


def _per_layer(name: str, value: float | Sequence[float] | None, count: int, default: float
               ) -> list[float]:
    """A scalar (or None -> default) broadcast to ``count`` layers, or a list of that length."""
    if value is None:
        value = default
    if np.ndim(value) == 0:
        return [float(value)] * count
    values = [float(v) for v in value]
    if len(values) != count:
        raise TheoryError(f"{name}: got {len(values)} values; allowed: a scalar or {count} values "
                          "(one per layer 1..L)")
    return values


def _activation_models(activations: ActivationSpec | Sequence[ActivationSpec],
                       activation_params: dict | Sequence[dict | None] | None,
                       count: int) -> list[ActivationModel]:
    """One ActivationModel per hidden layer 1..L-1 (a single spec or params dict is broadcast)."""
    specs = [activations] * count if isinstance(activations, str) or callable(activations) \
        or isinstance(activations, CustomActivation) else list(activations)
    params = [activation_params] * count if activation_params is None \
        or isinstance(activation_params, dict) else list(activation_params)
    if len(specs) != count or len(params) != count:
        raise TheoryError(f"activations/activation_params: got {len(specs)}/{len(params)} entries; "
                          f"allowed: one per hidden layer, {count}")
    return [activation_model(spec, p) for spec, p in zip(specs, params)]


def _expand(array: np.ndarray | None, index: np.ndarray) -> np.ndarray | None:
    """Copy rows of distinct inputs back to all inputs on every input-label axis (axes 1..)."""
    if array is None:
        return None
    grids = np.ix_(*([index] * (array.ndim - 1)))
    return array[(slice(None), *grids)]


# More inputs than this make the four-point EFT impractical: its derivative tables hold k^6 entries per layer
# (k = 16: about a minute and 0.5 GB; k = 50 would need 116 GiB).
MAX_FOUR_POINT_INPUTS = 16

def eft(inputs: np.ndarray,
        widths: Sequence[int],
        activations: ActivationSpec | Sequence[ActivationSpec],
        C_W: float | Sequence[float],
        C_b: float | Sequence[float],
        lambda_b: float | Sequence[float] | None = None,
        lambda_W: float | Sequence[float] | None = None,
        activation_params: dict | Sequence[dict | None] | None = None,
        quadrature: Quadrature = Quadrature(),
        observables: Observables = "all") -> EFTResult:
    """EFT objects of every layer of an MLP (theory.md s.0-3, 7).

    inputs: (k, n_0) float64 array, one input per row. widths: [n_0, n_1, ..., n_L].
    activations: L-1 registry names, callables or ``CustomActivation`` (activation after layers
    1..L-1), or one for all; activation_params: L-1 dicts (or one) such as {"slope": 0.1}.
    C_W, C_b, lambda_b, lambda_W: one value or L values (layers 1..L); lambda_b, lambda_W default
    to 1 (PDLT learning-rate tensor, s.7.1). quadrature: node counts (accuracy control).
    observables: "kernel" (K, Theta), "four_point" (+ V, G1, chi's) or "all" (+ A, B, D, F, H1).
    Returns an ``EFTResult`` (shapes in its docstring).
    """
    x = np.asarray(inputs, dtype=float)
    widths = tuple(int(n) for n in widths)
    if x.ndim != 2 or len(widths) < 2 or x.shape[1] != widths[0]:
        raise TheoryError(f"inputs of shape {x.shape} and widths {list(widths)}: need inputs (k, n_0) "
                          "with n_0 = widths[0] and widths [n_0, n_1, ..., n_L], L >= 1")
    depth = len(widths) - 1
    gram = x @ x.T / widths[0]
    first = [_per_layer(name, value, depth, default)[0] for name, value, default in (
        ("C_W", C_W, 1.0), ("C_b", C_b, 0.0), ("lambda_b", lambda_b, 1.0), ("lambda_W", lambda_W, 1.0))]
    return eft_from_first_layer(first[1] + first[0] * gram, first[2] + first[3] * gram, widths,
                                activations, C_W, C_b, lambda_b, lambda_W, activation_params,
                                quadrature, observables)


def eft_from_first_layer(K1: np.ndarray,
                         Theta1: np.ndarray,
                         widths: Sequence[int],
                         activations: ActivationSpec | Sequence[ActivationSpec],
                         C_W: float | Sequence[float],
                         C_b: float | Sequence[float],
                         lambda_b: float | Sequence[float] | None = None,
                         lambda_W: float | Sequence[float] | None = None,
                         activation_params: dict | Sequence[dict | None] | None = None,
                         quadrature: Quadrature = Quadrature(),
                         observables: Observables = "all") -> EFTResult:
    """As ``eft`` but starting from given layer-1 kernels K^(1), Theta^(1) (k, k) (the layer-1
    entries of C_W, C_b, lambda_b, lambda_W are then not used; widths[0] only enters rho_1,
    which multiplies the vanishing layer-1 fluctuations)."""
    widths = tuple(int(n) for n in widths)
    depth = len(widths) - 1
    K1, Theta1 = np.asarray(K1, dtype=float), np.asarray(Theta1, dtype=float)
    if depth < 1 or min(widths) < 1 or K1.ndim != 2 or K1.shape != Theta1.shape \
            or K1.shape[0] != K1.shape[1]:
        raise TheoryError(f"widths {list(widths)}, K1 {K1.shape}, Theta1 {Theta1.shape}: need "
                          "widths [n_0, ..., n_L] (L >= 1, all >= 1) and square K1, Theta1 of one shape")
    if observables not in ("kernel", "four_point", "all"):
        raise TheoryError(f"observables: got {observables!r}; allowed: 'kernel', 'four_point', 'all'")
    if not (np.all(np.isfinite(K1)) and np.all(np.isfinite(Theta1))):
        raise TheoryError("the layer-1 kernel is not finite (inputs too large: x.x/n_0 overflows)")
    if observables != "kernel" and K1.shape[0] > MAX_FOUR_POINT_INPUTS:
        raise TheoryError(f"{K1.shape[0]} inputs: the four-point EFT (V, G1, NTK statistics) needs O(k^6) memory and "
                          f"time; at most {MAX_FOUR_POINT_INPUTS} inputs (16 take about a minute), or the kernel "
                          "alone (observables='kernel')")
    hypers = [LayerHyperparameters(*values) for values in zip(
        _per_layer("C_W", C_W, depth, 1.0), _per_layer("C_b", C_b, depth, 0.0),
        _per_layer("lambda_b", lambda_b, depth, 1.0), _per_layer("lambda_W", lambda_W, depth, 1.0))]
    models = _activation_models(activations, activation_params, depth - 1)

    # identical rows of (K1, Theta1) are duplicate inputs: compute once, copy afterwards
    _, first_of, index = np.unique(np.hstack([K1, Theta1]), axis=0, return_index=True,
                                   return_inverse=True)
    index = index.ravel()
    distinct = np.ix_(first_of, first_of)
    fluctuations, ntk = observables != "kernel", observables == "all"
    state = first_layer(K1[distinct], Theta1[distinct], fluctuations, ntk)
    states: list[LayerState] = [state]
    chi_par, chi_perp = [], []
    k = first_of.shape[0]
    diag = np.arange(k)
    for l in range(1, depth):
        avg = layer_averages(models[l - 1], state.K, quadrature, ntk, kernel_only=not fluctuations)
        hyper = hypers[l]
        if fluctuations:
            chi_par.append(0.5 * hyper.C_W * avg.X2[diag, diag, diag, diag])
            chi_perp.append(hyper.C_W * avg.D2[diag, diag])
        state = next_layer(state, avg, hyper, rho=widths[l] / widths[l - 1])
        states.append(state)

    def stacked(name: str) -> np.ndarray | None:
        values = [getattr(s, name) for s in states]
        return None if values[0] is None else _expand(np.stack(values), index)

    chis = {}
    if fluctuations:
        chis = {name: _expand(np.array(values).reshape(depth - 1, k), index)
                for name, values in (("chi_par", chi_par), ("chi_perp", chi_perp))}
    return EFTResult(widths=widths, **{name: stacked(name) for name in
                                       ("K", "Theta", "V", "G1", "A", "B", "D", "F", "H1")}, **chis)


def estimate_quadrature_error(*args, factor: float = 1.5, **kwargs) -> dict[str, float]:
    """max |result(quadrature) - result(quadrature.refined(factor))| per field of ``eft``.

    Same arguments as ``eft``. For geometric convergence (smooth sigma) this bounds the error of
    the coarser result; closed-form parts contribute 0.
    """
    quadrature = kwargs.pop("quadrature", Quadrature())
    base = eft(*args, quadrature=quadrature, **kwargs)
    fine = eft(*args, quadrature=quadrature.refined(factor), **kwargs)
    return base.max_abs_difference(fine)
