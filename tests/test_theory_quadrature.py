"""Gaussian averages: quadrature rules vs closed forms (theory.md s.1.1-1.2), derivative vs Stein
forms, user activations, error estimates and the multi-input subset machinery."""

import math
from functools import partial
from itertools import product

import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss

from nnmc.theory import CustomActivation, Quadrature, eft, estimate_quadrature_error
from nnmc.theory.activation_model import ActivationModel, activation_model
from nnmc.theory.averages import SubsetAverages
from nnmc.theory.closed_forms import erf_kernels, homogeneous_kernels
from nnmc.theory.derivatives import erf, homogeneous_table
from nnmc.theory.quadrature import hermite_nodes

K_PAIR = np.array([[1.3, -0.45], [-0.45, 0.7]])


def test_golub_welsch_nodes_equal_hermegauss():
    x, w = hermegauss(60)
    nodes, weights = hermite_nodes(60)
    np.testing.assert_allclose(nodes, x, atol=1e-12)
    np.testing.assert_allclose(weights, w / math.sqrt(2 * math.pi), atol=1e-15)


@pytest.mark.parametrize("slopes", [(1.0, 0.0), (1.0, 0.3), (2.0, -0.5)])
def test_angular_rule_reproduces_relu_family_closed_forms(slopes):
    model = ActivationModel("homogeneous", 1, slopes, partial(homogeneous_table, slopes=slopes))
    averages = SubsetAverages(model, K_PAIR, (0, 1), Quadrature(), 1)
    values, derivs = homogeneous_kernels(K_PAIR, slopes)
    assert averages.average([(0, 0), (1, 0)]) == pytest.approx(values[0, 1], rel=1e-13)
    assert averages.average([(0, 1), (1, 1)]) == pytest.approx(derivs[0, 1], rel=1e-13)
    # <relu_a^2 relu_b^2> has no simple closed form; check the single-input limit <sigma^4> = 3 A4 K^2
    single = SubsetAverages(model, K_PAIR, (0,), Quadrature(), 1)
    A4 = (slopes[0] ** 4 + slopes[1] ** 4) / 2
    assert single.average([(0, 0)] * 4) == pytest.approx(3 * A4 * K_PAIR[0, 0] ** 2, rel=1e-13)


def test_gauss_hermite_reproduces_erf_closed_forms():
    averages = SubsetAverages(activation_model("erf"), K_PAIR, (0, 1), Quadrature(), 1)
    values, derivs = erf_kernels(K_PAIR)
    assert averages.average([(0, 0), (1, 0)]) == pytest.approx(values[0, 1], rel=1e-10)
    assert averages.average([(0, 1), (1, 1)]) == pytest.approx(derivs[0, 1], rel=1e-10)


def test_linear_averages_are_wick_contractions():
    averages = SubsetAverages(activation_model("linear"), K_PAIR, (0, 1), Quadrature(), 5)
    a, b, c = K_PAIR[0, 0], K_PAIR[1, 1], K_PAIR[0, 1]
    assert averages.average([(0, 0), (1, 0)]) == pytest.approx(c, rel=1e-13)
    assert averages.average([(0, 0), (0, 0), (1, 0), (1, 0)]) == pytest.approx(a * b + 2 * c * c, rel=1e-12)
    assert averages.average([(0, 0), (1, 0)], (0, 1)) == pytest.approx(1.0, rel=1e-13)


def test_derivative_and_stein_forms_agree_for_smooth_sigma():
    """<d_e d_f d_g d_h (sigma_a sigma_b)> by Leibniz (tanh derivatives) and by the Hermite tensor
    (a CustomActivation without derivatives beyond the first forces the Stein form)."""
    quadrature = Quadrature(nodes=(400, 160, 32, 22))
    derivative_form = SubsetAverages(activation_model("tanh"), K_PAIR, (0, 1), quadrature, 5)
    tanh_prime = CustomActivation(np.tanh, (lambda z: 1 - np.tanh(z) ** 2,))
    stein_form = SubsetAverages(activation_model(tanh_prime), K_PAIR, (0, 1), quadrature, 5)
    for diffs in [(0, 1), (0, 0), (0, 0, 1, 1), (0, 1, 1, 1), (1, 1, 1, 1)]:
        factors = [(0, 0), (1, 0)]
        assert stein_form.average(factors, diffs) == pytest.approx(derivative_form.average(factors, diffs),
                                                                   rel=1e-9)


def test_custom_activation_matches_builtin():
    x = np.array([[1.0, 0.0], [0.6, 0.8]])
    derivatives = (lambda z: 2 / math.sqrt(math.pi) * np.exp(-z * z),
                   lambda z: -4 * z / math.sqrt(math.pi) * np.exp(-z * z))
    custom = eft(x, [2, 6, 6, 6], CustomActivation(erf, derivatives), 1.5, 0.2)
    builtin = eft(x, [2, 6, 6, 6], "erf", 1.5, 0.2)
    for name in ("K", "Theta", "V", "G1", "A", "B", "D", "F", "H1"):
        np.testing.assert_allclose(getattr(custom, name), getattr(builtin, name), rtol=1e-8, atol=1e-11)


def test_quadrature_error_estimate_is_small_and_bounds_the_error():
    x = np.array([[1.0, 0.0], [0.6, 0.8]])
    coarse = Quadrature(nodes=(40, 16, 8, 6))
    errors = estimate_quadrature_error(x, [2, 5, 5, 5], "tanh", 1.0, 0.0, quadrature=coarse,
                                       observables="four_point")
    reference = eft(x, [2, 5, 5, 5], "tanh", 1.0, 0.0, observables="four_point")
    actual = eft(x, [2, 5, 5, 5], "tanh", 1.0, 0.0, quadrature=coarse, observables="four_point"
                 ).max_abs_difference(reference)
    for name in ("K", "V", "G1"):
        assert actual[name] <= 2.0 * errors[name] + 1e-14
    assert errors["V"] < 1e-4


def test_four_input_result_marginalises_to_two_input_result():
    """Entries of the k = 4 computation that involve inputs {0, 1} only (4-d rules for the
    four-factor tensors, 2-d for the pairs) equal the k = 2 computation."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3))
    four = eft(x, [3, 6, 6, 6], "tanh", 1.2, 0.1)
    two = eft(x[:2], [3, 6, 6, 6], "tanh", 1.2, 0.1)
    block = np.ix_(range(3), *([range(2)] * 4))
    for name in ("V", "A", "B", "D", "F"):
        np.testing.assert_allclose(getattr(four, name)[block], getattr(two, name), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(four.G1[:, :2, :2], two.G1, rtol=1e-9, atol=1e-12)


def _sin_fluctuations(K: float) -> float:
    """V^(2)_(aa)(aa) = C_W^2 Var sin^2(z), z ~ N(0, K), C_W = 1: sin^2 = (1 - cos 2z)/2 and E cos(s z) =
    exp(-s^2 K/2) give (1/4)((1 + e^(-8K))/2 - e^(-4K))."""
    return 0.25 * (0.5 * (1.0 + math.exp(-8.0 * K)) - math.exp(-4.0 * K))


def test_sin_closed_forms_equal_the_quadrature_where_it_resolves_them():
    """sin_product_average against Gauss-Hermite (the same table without the closed-form flag) at K of order 1,
    for products of up to four factors with derivative orders over 1 to 4 distinct inputs."""
    rng = np.random.default_rng(4)
    A = rng.normal(size=(4, 4))
    K = 0.3 * A @ A.T / 4 + 0.2 * np.eye(4)
    closed = activation_model("sin")
    quad = ActivationModel("sin by quadrature", None, None, closed._table)
    for labels in [(0,), (1, 2), (0, 2, 3), (0, 1, 2, 3)]:
        a, b = (SubsetAverages(model, K, labels, Quadrature(), 5) for model in (closed, quad))
        m = len(labels)
        for orders in product(range(3), repeat=4):
            factors = [(i % m, o) for i, o in enumerate(orders)]
            tolerance = {1: 1e-13, 2: 1e-11, 3: 1e-9, 4: 1e-7}[m]
            assert a.average(factors) == pytest.approx(b.average(factors), abs=tolerance), (labels, orders)
        assert a.average([(0, 0), (0, 0)], diffs=(0, 0)) == pytest.approx(b.average([(0, 0), (0, 0)], diffs=(0, 0)),
                                                                          abs=1e-11)


def test_sin_eft_is_exact_at_large_variance():
    """Where Gauss-Hermite aliases (it gave V^(2) = 1.6e-5 instead of 1/8 for two inputs at K = 100, 120), the
    closed forms give K^(2), its off-diagonal and V^(2) exactly, at any K."""
    for K in (1.0, 10.0, 100.0, 1500.0, 4e6):
        x = np.array([[math.sqrt(K)], [math.sqrt(1.2 * K)]])
        r = eft(x, widths=[1, 16, 16, 1], activations="sin", C_W=1.0, C_b=0.0)
        assert r.K[1, 0, 0] == pytest.approx(0.5 * (1.0 - math.exp(-2.0 * K)), abs=1e-12)
        cross = math.sqrt(1.2) * K  # K^(2)_ab = E[sin z_a sin z_b] = e^(-(K_aa + K_bb)/2) sinh(K_ab)
        off = 0.5 * (math.exp(-1.1 * K + cross) - math.exp(-1.1 * K - cross))
        assert r.K[1, 0, 1] == pytest.approx(off, abs=1e-12)
        assert r.V[1, 0, 0, 0, 0] == pytest.approx(_sin_fluctuations(K), abs=1e-12)
