"""Criticality and universality classes (theory.md s.4, T11) and action couplings (s.8, T14)."""

import math

import numpy as np
import pytest

from nnmc.theory import coupling_g, coupling_v, critical_point, eft, susceptibilities
from nnmc.theory.activation_model import activation_model
from nnmc.theory.averages import SubsetAverages
from nnmc.theory.quadrature import Quadrature


def _kernel_map(name: str, K: float, C_W: float, C_b: float) -> float:
    averages = SubsetAverages(activation_model(name), np.array([[K]]), (0,), Quadrature(), 1)
    return C_b + C_W * averages.average([(0, 0), (0, 0)])


@pytest.mark.parametrize("name, C_b, C_W, K_star", [("gelu", 0.172922, 1.983058, 3.561553),
                                                    ("swish", 0.555143, 1.988005, 14.320174)])
def test_t11_half_stable_critical_points(name, C_b, C_W, K_star):
    point = critical_point(name)
    assert point.universality_class == "half-stable"
    np.testing.assert_allclose((point.C_b, point.C_W, point.K_star), (C_b, C_W, K_star), rtol=0,
                               atol=1e-6)
    chi_par, chi_perp = susceptibilities(activation_model(name), point.K_star, point.C_W)
    assert chi_par == pytest.approx(1.0, abs=1e-9)
    assert chi_perp == pytest.approx(1.0, abs=1e-9)
    assert _kernel_map(name, point.K_star, point.C_W, point.C_b) == pytest.approx(point.K_star, abs=1e-9)


def test_t11_half_stable_curvature_signs():
    """GELU K'' ~ -2.9e-4 (attracts from above), SWISH K'' ~ +5.7e-6 (from below) (s.4)."""
    assert critical_point("gelu").curvature == pytest.approx(-2.9e-4, rel=0.05)
    assert critical_point("swish").curvature == pytest.approx(5.7e-6, rel=0.1)


@pytest.mark.parametrize("name, C_W, a1", [("tanh", 1.0, -2.0), ("erf", math.pi / 4, -2.0), ("sin", 1.0, -1.0)])
def test_k_star_zero_class(name, C_W, a1):
    point = critical_point(name)
    assert point.universality_class == "K*=0"
    assert (point.C_b, point.K_star) == (0.0, 0.0)
    assert point.C_W == pytest.approx(C_W, rel=1e-12)
    assert point.a1 == pytest.approx(a1, rel=1e-12)
    # chi_par = 1 + 2 a1 K + O(K^2), chi_perp = 1 + b1 K + O(K^2) at small K
    K = 1e-4
    chi_par, chi_perp = susceptibilities(activation_model(name), K, point.C_W)
    assert (chi_par - 1.0) / K == pytest.approx(2.0 * point.a1, rel=1e-2)
    assert (chi_perp - 1.0) / K == pytest.approx(point.b1, rel=1e-2)


@pytest.mark.parametrize("name, params, C_W, slope", [("relu", None, 2.0, 5.0), ("linear", None, 1.0, 2.0),
                                                      ("leaky_relu", {"slope": 0.5}, 1.6,
                                                       (5 + 5 * 0.5**4 - 2 * 0.5**2) / (1 + 0.5**2) ** 2)])
def test_scale_invariant_class(name, params, C_W, slope):
    point = critical_point(name, params)
    assert point.universality_class == "scale-invariant" and point.C_b == 0.0
    assert point.C_W == pytest.approx(C_W, rel=1e-12)
    assert point.vertex_slope == pytest.approx(slope, rel=1e-12)
    result = eft(np.ones((1, 1)), [1] * 6, name, point.C_W, 0.0, activation_params=params,
                 observables="four_point")
    np.testing.assert_allclose(result.chi_par, 1.0, rtol=1e-12)
    np.testing.assert_allclose(result.chi_perp, 1.0, rtol=1e-12)
    K = result.K[:, 0, 0]
    np.testing.assert_allclose(result.V[:, 0, 0, 0, 0] / K**2, slope * np.arange(5), rtol=1e-12, atol=1e-12)


def test_t14_couplings_tanh_layer_4():
    result = eft(np.ones((1, 1)), [1, 32, 32, 32, 32], "tanh", 1.0, 0.0, observables="four_point")
    K, G1, V = result.K[3], result.G1[3], result.V[3]
    assert 1.0 / K.item() == pytest.approx(6.0003712861, rel=1e-9)
    assert coupling_g(K, G1, V, 32, m=1).item() == pytest.approx(6.5674749496, rel=1e-9)
    assert coupling_g(K, G1, V, 32, m=32).item() == pytest.approx(11.8150366578, rel=1e-9)
    assert coupling_v(K, V, 32).item() == pytest.approx(2.0314399094, rel=1e-9)


def test_couplings_multi_input_reduce_to_single_input_forms():
    """With a block-diagonal K, G1 and V (two independent inputs) g and v are the single-input
    g = 1/K - G1/(n K^2) + (m/2 + 1) V/(n K^3), v = V/(n K^4) on each block (s.8)."""
    K = np.diag([0.5, 2.0])
    G1 = np.diag([-0.1, 0.3])
    V = np.zeros((2,) * 4)
    V[0, 0, 0, 0], V[1, 1, 1, 1] = 0.2, 0.7
    n, m = 16, 3
    g, v = coupling_g(K, G1, V, n, m), coupling_v(K, V, n)
    for a in range(2):
        k, g1, vv = K[a, a], G1[a, a], V[a, a, a, a]
        assert g[a, a] == pytest.approx(1 / k - g1 / (n * k**2) + (m / 2 + 1) * vv / (n * k**3), rel=1e-13)
        assert v[a, a, a, a] == pytest.approx(vv / (n * k**4), rel=1e-13)
    assert g[0, 1] == 0.0
