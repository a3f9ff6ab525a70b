"""Leading-order kernel K and frozen NTK Theta: theory.md s.9 T1, T2 and neural-tangents references."""

import json
from pathlib import Path

import numpy as np
import pytest

from nnmc.theory import eft, eft_from_first_layer

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference" / "neural_tangents_kernels.json"
T1_T2_INPUTS = np.array([[1.0, 0.0], [0.6, 0.8]])


def test_t1_relu_two_inputs_with_bias():
    result = eft(T1_T2_INPUTS, [2] + [7] * 5, "relu", 2.0, 0.1, 1.0, 1.0, observables="kernel")
    np.testing.assert_allclose(result.K[0], [[1.1, 0.7], [0.7, 1.1]], rtol=1e-14)
    np.testing.assert_allclose(result.Theta[0], [[1.5, 1.3], [1.3, 1.5]], rtol=1e-14)
    expected = {2: (0.8737884362, 3.05, 2.3223250807), 3: (1.0255571289, 4.65, 3.2268697620),
                5: (1.2931792625, 8.00, 4.9103833893)}
    for layer, (K_ab, Theta_aa, Theta_ab) in expected.items():
        assert result.K[layer - 1, 0, 0] == pytest.approx(1.1 + 0.1 * (layer - 1), rel=1e-13)
        assert result.K[layer - 1, 0, 1] == pytest.approx(K_ab, rel=1e-9)
        assert result.Theta[layer - 1, 0, 0] == pytest.approx(Theta_aa, rel=1e-12)
        assert result.Theta[layer - 1, 0, 1] == pytest.approx(Theta_ab, rel=1e-9)


def test_t2_erf_two_inputs():
    result = eft(T1_T2_INPUTS, [2] + [7] * 4, "erf", 1.5, 0.2, 1.0, 1.0, observables="kernel")
    expected = {2: (0.8822120762, 0.6438853125, 2.7623993379, 2.2536910361),
                4: (0.8540778249, 0.6856578157, 4.9872091856, 3.7883162297)}
    for layer, (K_aa, K_ab, Theta_aa, Theta_ab) in expected.items():
        got = (result.K[layer - 1, 0, 0], result.K[layer - 1, 0, 1],
               result.Theta[layer - 1, 0, 0], result.Theta[layer - 1, 0, 1])
        np.testing.assert_allclose(got, (K_aa, K_ab, Theta_aa, Theta_ab), rtol=1e-9)


def _reference_cases():
    return json.loads(REFERENCE.read_text())["cases"]


@pytest.mark.parametrize("case", _reference_cases(), ids=lambda c: f"{c['activation']}-L{c['hidden_layers']}")
def test_neural_tangents_nngp_and_ntk(case):
    """NT 'ntk' parameterisation = PDLT with lambda_W = C_W, lambda_b = C_b (file note); readout
    width 1, so the NNGP is K^(L) and the NTK Theta^(L), L = hidden_layers + 1."""
    inputs = np.array(case["inputs"])
    hidden = case["hidden_layers"]
    widths = [inputs.shape[1]] + [64] * hidden + [1]
    result = eft(inputs, widths, case["activation"], case["C_W"], case["C_b"],
                 lambda_b=case["C_b"], lambda_W=case["C_W"], observables="kernel")
    np.testing.assert_allclose(result.K[-1], case["nngp"], rtol=1e-8)
    np.testing.assert_allclose(result.Theta[-1], case["ntk"], rtol=1e-8)


def test_duplicate_inputs_copy_the_distinct_results():
    """Exact duplicates make K singular; the entries must be finite and equal to the
    deduplicated computation (and K_ab = K_aa for the duplicated pair)."""
    x = np.array([[1.0, 0.0], [0.6, 0.8], [1.0, 0.0]])
    full = eft(x, [2, 5, 5, 5], "tanh", 1.0, 0.1)
    distinct = eft(x[:2], [2, 5, 5, 5], "tanh", 1.0, 0.1)
    order = [0, 1, 0]
    for name in ("K", "Theta", "V", "G1", "A", "B", "D", "F"):
        value = getattr(full, name)
        assert np.all(np.isfinite(value))
        grid = np.ix_(*([order] * (value.ndim - 1)))
        np.testing.assert_allclose(value, getattr(distinct, name)[(slice(None), *grid)], rtol=1e-14)
    np.testing.assert_allclose(full.K[-1, 0, 2], full.K[-1, 0, 0], rtol=1e-14)


def test_parallel_inputs_smooth_activation_match_single_input():
    """x_b = x_a with C_b = 0 written as a separate (non-duplicate) pair through Theta: K^(1) is
    singular; the derivative form and eigen square root give the single-input values (the 2-d
    rule degenerates to a 64-node 1-d rule, hence absolute 1e-8 for G1)."""
    K1 = np.array([[0.7, 0.7], [0.7, 0.7]])
    pair = eft_from_first_layer(K1, np.array([[1.0, 0.5], [0.5, 2.0]]), [1, 6, 6, 6], "tanh", 1.0, 0.0)
    single = eft_from_first_layer(K1[:1, :1], np.ones((1, 1)), [1, 6, 6, 6], "tanh", 1.0, 0.0)
    assert np.all(np.isfinite(pair.V)) and np.all(np.isfinite(pair.G1))
    np.testing.assert_allclose(pair.K[-1], single.K[-1, 0, 0], rtol=1e-10)
    np.testing.assert_allclose(pair.V[-1], single.V[-1, 0, 0, 0, 0], rtol=1e-8)
    np.testing.assert_allclose(pair.G1[-1], single.G1[-1, 0, 0], rtol=0, atol=1e-8)
