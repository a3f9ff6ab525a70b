"""All Gaussian averages at K^(l) that one step l -> l+1 of the recursions needs.

Index conventions (k distinct inputs, float64, no C_W factors):

    M2[a,b]          = <sigma_a sigma_b>                        (s.1, eq. 1.1)
    D2[a,b]          = <sigma'_a sigma'_b>                      (s.7.2)
    X2[a,b,e,f]      = <d_e d_f (sigma_a sigma_b)>, ordered e, f (Xi = (C_W/2) X2, s.2.2)
    Q4[a,b,e,f,g,h]  = <d_e d_f d_g d_h (sigma_a sigma_b)>      (s.3, eq. 3.1)
    M4[a,b,c,d]      = <sigma_a sigma_b sigma_c sigma_d>        (s.2.2)
  NTK (s.7.3), only when requested:
    S1100[a,b,c,d]   = <sigma'_a sigma'_b sigma_c sigma_d>
    S1010[a,b,c,d]   = <sigma'_a sigma_b sigma'_c sigma_d>
    S1111[a,b,c,d]   = <sigma'_a sigma'_b sigma'_c sigma'_d>
    P3[a,c,e]        = <d_e (sigma'_a sigma_c)>
    R4[a,b,e,f]      = <d_e d_f (sigma'_a sigma'_b)>
    R4_quartic[a]    = <(sigma'^2)''''>_{K_aa}  (single-input H^{1} source, eq. 7.3)

Derivative averages only involve the inputs of the product, so they come from 1-d (a = b) and
2-d (a != b) rules; four-factor averages from the rule of their distinct inputs (up to 4-d).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from nnmc.theory.activation_model import ActivationModel
from nnmc.theory.averages import TABLE_ORDER, SubsetAverages, distinct_subsets, four_factor_averages
from nnmc.theory.closed_forms import pair_kernels
from nnmc.theory.quadrature import Quadrature


@dataclass(frozen=True)
class NTKAverages:
    """The extra averages of the NTK recursions (index conventions in the module docstring)."""

    S1100: np.ndarray
    S1010: np.ndarray
    S1111: np.ndarray
    P3: np.ndarray
    R4: np.ndarray
    R4_quartic: np.ndarray


@dataclass(frozen=True)
class LayerAverages:
    """Averages at one kernel K (k x k); ``ntk`` is None unless NTK statistics were requested."""

    M2: np.ndarray
    D2: np.ndarray
    X2: np.ndarray
    Q4: np.ndarray
    M4: np.ndarray
    ntk: NTKAverages | None


def _pair_subsets(subsets: dict, a: int, b: int) -> tuple[SubsetAverages, dict[int, int]]:
    """The 1-d or 2-d averager of inputs {a, b} and the map input label -> local position."""
    labels = (a,) if a == b else (a, b)
    return subsets[labels], {label: i for i, label in enumerate(labels)}


def layer_averages(model: ActivationModel, K: np.ndarray, quadrature: Quadrature,
                   ntk: bool, kernel_only: bool = False) -> LayerAverages:
    """Compute every average of the module docstring at kernel K (k x k, float64).

    ``kernel_only``: only M2 and D2 (for K and Theta); the other fields are then empty arrays.
    D2 is NaN for a user activation given without its derivative.
    """
    k = K.shape[0]
    closed = pair_kernels(model, K)
    if kernel_only and closed is not None:
        empty = np.empty(0)
        return LayerAverages(closed[0], closed[1], empty, empty, empty, None)
    subsets = {labels: SubsetAverages(model, K, labels, quadrature, TABLE_ORDER)
               for labels in distinct_subsets(k, 2)}
    M2, D2 = closed if closed is not None else (np.zeros((k, k)), np.zeros((k, k)))
    X2, Q4 = np.zeros((k,) * 4), np.zeros((k,) * 6)
    P3, R4 = np.zeros((k,) * 3), np.zeros((k,) * 4)
    R4_quartic = np.zeros(k)
    for a, b in product(range(k), repeat=2):
        if b < a:
            continue
        averages, pos = _pair_subsets(subsets, a, b)
        sigma_ab = [(pos[a], 0), (pos[b], 0)]
        prime_ab = [(pos[a], 1), (pos[b], 1)]
        if closed is None:
            M2[a, b] = M2[b, a] = averages.average(sigma_ab)
            D2[a, b] = D2[b, a] = averages.average(prime_ab) if model.has_order(1) else np.nan
        if kernel_only:
            continue
        pair = sorted({a, b})
        for e, f in product(pair, repeat=2):
            X2[a, b, e, f] = X2[b, a, e, f] = averages.average(sigma_ab, (pos[e], pos[f]))
        for e, f, g, h in product(pair, repeat=4):
            Q4[a, b, e, f, g, h] = Q4[b, a, e, f, g, h] = averages.average(
                sigma_ab, (pos[e], pos[f], pos[g], pos[h]))
        if ntk:
            for c, d in ((a, b), (b, a)):
                for e in pair:
                    P3[c, d, e] = averages.average([(pos[c], 1), (pos[d], 0)], (pos[e],))
            for e, f in product(pair, repeat=2):
                R4[a, b, e, f] = R4[b, a, e, f] = averages.average(prime_ab, (pos[e], pos[f]))
            if a == b:
                R4_quartic[a] = averages.average(prime_ab, (0, 0, 0, 0))
    if kernel_only:
        empty = np.empty(0)
        return LayerAverages(M2, D2, empty, empty, empty, None)
    every_subset = ((labels, subsets[labels] if len(labels) <= 2 else SubsetAverages(model, K, labels, quadrature, 1))
                    for labels in distinct_subsets(k, 4))
    orders = [(0, 0, 0, 0)] + ([(1, 1, 0, 0), (1, 0, 1, 0), (1, 1, 1, 1)] if ntk else [])
    M4, *ntk_four = four_factor_averages(every_subset, k, orders)
    ntk_averages = None
    if ntk:
        ntk_averages = NTKAverages(S1100=ntk_four[0], S1010=ntk_four[1], S1111=ntk_four[2],
                                   P3=P3, R4=R4, R4_quartic=R4_quartic)
    return LayerAverages(M2, D2, X2, Q4, M4, ntk_averages)
