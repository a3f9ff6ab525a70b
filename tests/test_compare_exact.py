"""Exact finite-width references of nnmc.compare (theory.md s.5.1-5.3): the recursions against the worked examples
of theory.md and against each other, then ``compare`` on Monte Carlo ensembles whose every exact row must pull
within 4 sigma (fixed seeds) while the leading-order EFT is rejected."""

import numpy as np
import pytest
from conftest import inputs_for_metric, make_config

from nnmc.compare import compare
from nnmc.compare.exact import (EXACT_HOMOGENEOUS, EXACT_KESTEN, EXACT_LOW_LAYERS, EXACT_WISHART, exact_references,
                                kesten, wishart)
from nnmc.compare.spec import eft_for_config
from nnmc.generate import generate

K1 = np.array([[1.0, 0.4], [0.4, 0.8]])  # theory.md T6, s.5.3 example


def test_wishart_reproduces_the_theory_example():
    """s.5.3: C_b = 0.5, C_W = 1, n = 4, L = 3: E[Ghat^(3)] and 4 Cov(Ghat^(3)) as printed in theory.md."""
    G, C = wishart(K1, [2, 4, 4, 1], [1.0, 1.0, 1.0], [0.0, 0.5, 0.5])
    np.testing.assert_allclose(G[2], [[2.0, 1.4], [1.4, 1.8]], rtol=1e-14)
    for (a, b, c, d), value in {(0, 0, 0, 0): 7.5, (0, 0, 1, 1): 2.42, (0, 1, 0, 1): 4.04, (0, 0, 0, 1): 3.9}.items():
        assert 4 * C[2, a, b, c, d] == pytest.approx(value, rel=1e-13)
    # Cov(Ghat_ab, Ghat_cd) has the symmetries of a covariance of symmetric matrices
    c = C[2]
    np.testing.assert_allclose(c, c.transpose(1, 0, 2, 3), rtol=1e-14)
    np.testing.assert_allclose(c, c.transpose(2, 3, 0, 1), rtol=1e-14)
    assert np.all(C[0] == 0.0)  # layer 1 is deterministic


RELU_MOMENTS = (0.5, 1.5, 7.5)  # <sigma^2>, <sigma^4>, <sigma^6> of ReLU under N(0, 1)
LINEAR_MOMENTS = (1.0, 3.0, 15.0)


def test_kesten_reproduces_the_theory_example():
    """s.5.2: ReLU, C_b = 0.1, C_W = 2, Ghat^(1) = 1, n = 8: E[z^2] = 1.3, E[z^4] = 16.407890625,
    E[z^6] = 850.566328125 and R4 = 3.2362703402 at L = 4; E[z^4] = 5.505, 9.635625 and E[z^6] = 61.215,
    232.006875 at L = 2, 3 (theory.md T5)."""
    m1, m2, m3 = kesten(np.array([1.0]), [1, 8, 8, 8, 1], [1.0, 2.0, 2.0, 2.0], [0.0, 0.1, 0.1, 0.1], [RELU_MOMENTS] * 3)
    np.testing.assert_allclose(m1[:, 0], [1.0, 1.1, 1.2, 1.3], rtol=1e-14)
    np.testing.assert_allclose(3 * m2[:, 0], [3.0, 5.505, 9.635625, 16.407890625], rtol=1e-14)
    np.testing.assert_allclose(15 * m3[:, 0], [15.0, 61.215, 232.006875, 850.566328125], rtol=1e-14)
    assert m2[3, 0] / m1[3, 0] ** 2 == pytest.approx(3.2362703402, rel=1e-10)


@pytest.mark.parametrize("activation", ["linear", "relu"])
def test_kesten_at_zero_bias_is_the_product_formula(activation):
    """s.5.1 at C_b = 0, for unequal widths and C_W: R4 = prod_m (1 + (mu4 - 1)/n_m) and R6 = prod_m
    (1 + 2/n)(1 + 4/n) (linear), (1 + 4/n)(1 + 11/n) (ReLU) over the widths below the layer."""
    widths, C_W = [3, 5, 7, 2, 1], [0.7, 1.3, 2.0, 0.4]
    moments, mu4, six = {"linear": (LINEAR_MOMENTS, 3.0, (2, 4)), "relu": (RELU_MOMENTS, 6.0, (4, 11))}[activation]
    m1, m2, m3 = kesten(np.array([0.9, 1.7]), widths, C_W, [0.0] * 4, [moments] * 3)
    hidden = widths[1:4]
    r4 = np.cumprod([1.0] + [1.0 + (mu4 - 1.0) / n for n in hidden])
    r6 = np.cumprod([1.0] + [(1.0 + six[0] / n) * (1.0 + six[1] / n) for n in hidden])
    np.testing.assert_allclose(m2 / m1**2, np.repeat(r4[:, None], 2, axis=1), rtol=1e-13)
    np.testing.assert_allclose(m3 / m1**3, np.repeat(r6[:, None], 2, axis=1), rtol=1e-13)
    if activation == "relu":  # theory.md T4: ReLU n = 8, L = 3
        m1, m2, m3 = kesten(np.array([1.0]), [1, 8, 8, 1], [1.0, 2.0, 2.0], [0.0] * 3, [moments] * 2)
        assert m3[2, 0] / m1[2, 0] ** 3 == pytest.approx(12.691406, rel=1e-7)


def test_wishart_diagonal_is_the_kesten_recursion():
    """Two derivations, one answer: for linear activations the diagonal of s.5.3 is s.5.2 (<sigma^2> = 1, <sigma^4> = 3)."""
    widths, C_W, C_b = [2, 3, 6, 4, 1], [1.0, 0.8, 1.5, 1.1], [0.0, 0.3, 0.2, 0.7]
    G, C = wishart(K1, widths, C_W, C_b)
    m1, m2, _ = kesten(np.diagonal(K1).copy(), widths, C_W, C_b, [LINEAR_MOMENTS] * 3)
    d = np.arange(2)
    np.testing.assert_allclose(G[:, d, d], m1, rtol=1e-14)
    np.testing.assert_allclose(C[:, d, d, d, d], m2 - m1**2, rtol=1e-13)


def test_which_reference_applies():
    """Wishart for all-linear networks, Kesten (s.5.1 at C_b = 0) for homogeneous ones, none for tanh or
    non-Gaussian weights; only the Wishart case has exact off-diagonal components."""
    x = inputs_for_metric(K1)

    def refs(sampling=None, **network):
        config = make_config({"widths": [2, 4, 4, 1], **network}, x, 10, 10, sampling=sampling or {})
        return exact_references(config, eft_for_config(config, "four_point"))

    linear = refs(activation="linear", C_W=1.0, C_b=[0.0, 0.5, 0.5])
    assert linear.kind == EXACT_WISHART and np.isfinite(linear.V).all() and np.isfinite(linear.G).all()
    relu = refs(activation="relu", C_b=[0.0, 0.1, 0.1])
    assert relu.kind == EXACT_KESTEN
    assert np.isfinite(relu.G[:, 0, 0]).all() and np.isnan(relu.G[:, 0, 1]).all() and np.isnan(relu.V[:, 0, 0, 1, 1]).all()
    assert refs(activation="leaky_relu", activation_params={"slope": 0.2}, C_b=0.0).kind == EXACT_HOMOGENEOUS
    assert refs(activation=["relu", "linear"], C_b=0.0).kind == EXACT_HOMOGENEOUS  # mixed homogeneous: diagonal
    assert refs(activation="tanh") is None
    one_layer = make_config({"widths": [2, 4], "activation": "relu"}, x, 10, 10)
    assert exact_references(one_layer, eft_for_config(one_layer, "four_point")) is None  # s.2.2 covers it
    assert refs(activation="linear", weights="uniform", sampling={"sampler": "explicit"}) is None


def _compare_one(tmp_path, network, inputs, networks, seed):
    config = make_config(network, inputs, networks, networks // 100, seed=seed)
    path = tmp_path / "ensemble.h5"
    generate(config, path, progress=False)
    return compare([path]).files[0]


@pytest.mark.slow
def test_compare_deep_linear_with_bias_is_exact_in_every_component(tmp_path):
    """s.5.3 at n = 4, L = 3 (theory.md's example): all G, V and R4 rows of layers 2 and 3 are exact and agree;
    the leading-order V^(3)_(aa)(aa) = 6.5 is rejected against the exact 7.5."""
    network = {"widths": [2, 4, 4, 1], "activation": "linear", "C_W": 1.0, "C_b": [0.0, 0.5, 0.5]}
    f = _compare_one(tmp_path, network, inputs_for_metric(K1), 300_000, seed=21)
    layer_one_v = [(r.value, r.error) for r in f.rows if r.layer == 1 and r.quantity == "V"]
    assert layer_one_v == [(0.0, 0.0)] * 6  # deterministic layer: float64 cancellation is shown as the exact 0
    checked = [r for r in f.rows if r.layer >= 2]
    assert len(checked) == 2 * (3 + 6 + 2)
    assert {r.reference_kind for r in checked} == {EXACT_WISHART}
    assert all(abs(r.pull) < 4 for r in checked), [r.to_dict() for r in checked if not abs(r.pull) < 4]
    v = next(r for r in checked if r.layer == 3 and r.quantity == "V" and r.component == (0, 0, 0, 0))
    assert v.reference == pytest.approx(7.5, rel=1e-13)
    assert abs(v.value - 6.5) > 10 * v.error


@pytest.mark.slow
def test_compare_relu_with_bias_has_exact_diagonals(tmp_path):
    """s.5.2 for two inputs, ReLU with C_b = 0.1 at n = 6, L = 4: every diagonal row agrees with the Kesten
    recursion; off-diagonal rows above layer 2 fall back to the EFT; 1 + V/(n K^2) is rejected for R4^(4)."""
    network = {"widths": [2, 6, 6, 6, 1], "activation": "relu", "C_W": 2.0, "C_b": [0.0, 0.1, 0.1, 0.1]}
    f = _compare_one(tmp_path, network, inputs_for_metric(K1) / np.sqrt(2.0), 300_000, seed=22)
    diagonal = [r for r in f.rows if r.layer >= 2 and len(set(r.component)) == 1]
    assert len(diagonal) == 3 * 3 * 2
    assert {r.reference_kind for r in diagonal} == {EXACT_KESTEN}
    assert all(abs(r.pull) < 4 for r in diagonal), [r.to_dict() for r in diagonal if not abs(r.pull) < 4]
    off = {r.reference_kind for r in f.rows if r.layer >= 3 and len(set(r.component)) > 1}
    assert EXACT_KESTEN not in off and EXACT_LOW_LAYERS not in off
    r4 = next(r for r in diagonal if r.layer == 4 and r.quantity == "R4" and r.component == (0,))
    theory = eft_for_config(make_config(network, inputs_for_metric(K1) / np.sqrt(2.0), 10, 10), "four_point")
    leading = 1.0 + theory.V[3, 0, 0, 0, 0] / (6 * theory.K[3, 0, 0] ** 2)
    assert abs(r4.value - leading) > 5 * r4.error


@pytest.mark.slow
def test_compare_six_point_ratio_is_exact_for_homogeneous_nets(tmp_path):
    """moments = 6: R6_a = E[Ghat_aa^3] / G_aa^3 of the Kesten recursion (s.5.2) at every layer for ReLU with
    C_b = 0.1, n = 12, L = 3, two inputs; the rows pull within 4 sigma."""
    network = {"widths": [2, 12, 12, 1], "activation": "relu", "C_W": 2.0, "C_b": [0.0, 0.1, 0.1]}
    config = make_config(network, inputs_for_metric(K1) / np.sqrt(2.0), 300_000, 3000, seed=23, measure={"moments": 6})
    path = tmp_path / "six.h5"
    generate(config, path, progress=False)
    rows = [r for r in compare([path]).files[0].rows if r.quantity == "R6" and r.layer >= 2]
    assert len(rows) == 2 * 2 and {r.reference_kind for r in rows} == {EXACT_KESTEN}
    assert all(r.error < 0.01 * r.value for r in rows)  # a Gaussian pull needs a small relative error (s.10)
    assert all(abs(r.pull) < 4 for r in rows), [r.to_dict() for r in rows]


def test_six_point_ratio_is_not_exact_at_layer_two(tmp_path):
    """tanh: R6 at layer 2 has a third cumulant of order 1/n^2, so its reference is the EFT's there (R4's is exact)."""
    config = make_config({"widths": [2, 8, 8, 1], "activation": "tanh"}, inputs_for_metric(K1), 400, 100,
                         measure={"moments": 6})
    path = tmp_path / "tanh.h5"
    generate(config, path, progress=False)
    kinds = {(r.layer, r.quantity): r.reference_kind for r in compare([path]).files[0].rows if r.component == (0,)}
    assert kinds[1, "R6"] == kinds[2, "R4"] == EXACT_LOW_LAYERS
    assert kinds[2, "R6"] == kinds[3, "R6"] == "EFT 1 + 3V/(n K^2)"
