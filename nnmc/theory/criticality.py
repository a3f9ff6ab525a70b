"""Criticality (theory.md s.4, PDLT ch. 5): (C_b, C_W) with chi_par = chi_perp = 1, the
universality class and the large-depth behaviour.

Single-input quantities at kernel K (float scalars):
    K' = C_b + C_W <sigma^2>_K,   chi_par = (C_W/2) <(sigma^2)''>_K,   chi_perp = C_W <sigma'^2>_K.
Classes:
* scale-invariant (ReLU family, linear): C_b = 0, C_W = 1/A2, any K;
* K* = 0: sigma(0) = 0, sigma_1 = sigma'(0) != 0, a1 = sigma_3/sigma_1 + (3/4)(sigma_2/sigma_1)^2 < 0;
  C_b = 0, C_W = 1/sigma_1^2, K ~ 1/((-a1) l), V/(n K^2) -> 2l/(3n);
* half-stable: chi_par = chi_perp = 1 at some K* > 0 (root of chi_par/chi_perp = 1), C_W = 1/<sigma'^2>_{K*},
  C_b = K* - C_W <sigma^2>_{K*}; the K-map has curvature K'' = d chi_par/dK != 0 there and
  attracts from one side only (GELU, SWISH).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnmc.theory.activation_model import ActivationModel, ArrayFunction, CustomActivation, TheoryError, \
    activation_model
from nnmc.theory.averages import TABLE_ORDER, SubsetAverages
from nnmc.theory.quadrature import Quadrature

# K range searched for a critical point K* > 0, and the bisection tolerance (relative).
K_SEARCH_GRID = np.geomspace(1e-3, 1e3, 241)
BISECTION_TOLERANCE = 1e-14


@dataclass(frozen=True)
class CriticalPoint:
    """Critical initialisation of one activation (theory.md s.4 table).

    K_star: None for scale-invariant activations (every K is a fixed point at C_b = 0), 0.0 for
    the K* = 0 class. a1, b1: K* = 0 class coefficients (chi_par = 1 + 2 a1 K, chi_perp = 1 + b1 K).
    curvature: d^2 K'/dK^2 at K* (half-stable). vertex_slope: coefficient c in V/(n K^2) ~ c l / n
    at large depth (scale-invariant: exact in (l - 1); K* = 0: asymptotic 2/3). large_depth: a
    sentence describing the large-depth behaviour.
    """

    activation: str
    C_b: float
    C_W: float
    K_star: float | None
    universality_class: str
    a1: float | None = None
    b1: float | None = None
    curvature: float | None = None
    vertex_slope: float | None = None
    large_depth: str = ""


def _averages_1d(model: ActivationModel, K: float, quadrature: Quadrature) -> SubsetAverages:
    return SubsetAverages(model, np.array([[K]]), (0,), quadrature, TABLE_ORDER)


def susceptibilities(model: ActivationModel, K: float, C_W: float, quadrature: Quadrature = Quadrature()
                     ) -> tuple[float, float]:
    """(chi_par, chi_perp) at single-input kernel K (theory.md s.2.3)."""
    averages = _averages_1d(model, K, quadrature)
    square = [(0, 0), (0, 0)]
    return 0.5 * C_W * averages.average(square, (0, 0)), C_W * averages.average([(0, 1), (0, 1)])


def _ratio_minus_one(model: ActivationModel, K: float, quadrature: Quadrature) -> float:
    chi_par, chi_perp = susceptibilities(model, K, 1.0, quadrature)
    return chi_par / chi_perp - 1.0


def _half_stable(model: ActivationModel, quadrature: Quadrature) -> CriticalPoint:
    values = [_ratio_minus_one(model, K, quadrature) for K in K_SEARCH_GRID]
    signs = np.sign(values)
    changes = np.nonzero(signs[:-1] * signs[1:] < 0)[0]
    if changes.size == 0:
        raise TheoryError(f"activation '{model.name}': no K* in [{K_SEARCH_GRID[0]}, "
                          f"{K_SEARCH_GRID[-1]}] with chi_par = chi_perp; no critical point")
    lo, hi = K_SEARCH_GRID[changes[0]], K_SEARCH_GRID[changes[0] + 1]
    f_lo = values[changes[0]]
    while hi - lo > BISECTION_TOLERANCE * hi:
        mid = 0.5 * (lo + hi)
        f_mid = _ratio_minus_one(model, mid, quadrature)
        if np.sign(f_mid) == np.sign(f_lo):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    K_star = 0.5 * (lo + hi)
    averages = _averages_1d(model, K_star, quadrature)
    C_W = 1.0 / averages.average([(0, 1), (0, 1)])
    C_b = K_star - C_W * averages.average([(0, 0), (0, 0)])
    step = 1e-4 * K_star
    curvature = (susceptibilities(model, K_star + step, C_W, quadrature)[0]
                 - susceptibilities(model, K_star - step, C_W, quadrature)[0]) / (2.0 * step)
    side = "above" if curvature < 0 else "below"
    return CriticalPoint(model.name, C_b, C_W, K_star, "half-stable", curvature=curvature,
                         large_depth=f"K* = {K_star:.6g} attracts from {side} only (K'' = "
                                     f"{curvature:.3g}); not critical in the K* = 0 or "
                                     "scale-invariant sense")


def critical_point(activation: str | ArrayFunction | CustomActivation, params: dict | None = None,
                   quadrature: Quadrature = Quadrature()) -> CriticalPoint:
    """Critical (C_b, C_W), K*, universality class and large-depth behaviour (theory.md s.4)."""
    model = activation_model(activation, params)
    slopes = (1.0, 1.0) if model.name == "linear" else model.slopes
    if slopes is not None:
        A2 = (slopes[0] ** 2 + slopes[1] ** 2) / 2.0
        A4 = (slopes[0] ** 4 + slopes[1] ** 4) / 2.0
        slope = 3.0 * A4 / A2**2 - 1.0
        return CriticalPoint(model.name, 0.0, 1.0 / A2, None, "scale-invariant", vertex_slope=slope,
                             large_depth=f"single input: K^(l) = K^(1); V^(l)/(n K^2) = "
                                         f"{slope:.6g} (l - 1)/n exactly at this order")
    if model.has_order(3):
        s0, s1, s2, s3 = model.table(np.zeros(1), 3)[:, 0]
        if s0 == 0.0 and s1 != 0.0:
            a1 = s3 / s1 + 0.75 * (s2 / s1) ** 2
            if a1 < 0:
                return CriticalPoint(model.name, 0.0, 1.0 / s1**2, 0.0, "K*=0", a1=a1,
                                     b1=s3 / s1 + (s2 / s1) ** 2, vertex_slope=2.0 / 3.0,
                                     large_depth=f"K^(l) ~ 1/({-a1:.6g} l); V^(l)/(n K^2) -> 2l/(3n) "
                                                 "(log corrections)")
    return _half_stable(model, quadrature)
