"""Contracts of the sampler: one network whatever the batch, exact rank handling, and the conditional
sampler equal in law to explicit weights (theory.md s.6; two-sample pull tests, fixed seeds)."""

import math
from pathlib import Path

import numba as nb
import numpy as np
import pytest
from conftest import assert_pull, make_config

from nnmc.analysis.analyse import analyse, format_table
from nnmc.backends import CpuBackend
from nnmc.errors import StoreError
from nnmc.generate import generate
from nnmc.store import EnsembleReader
from nnmc.cpu.forward import network_pass
from nnmc.sampling import KernelInputs, reduce_block, sample_network

TWO_INPUTS = [[1.0, 0.0], [0.6, 0.8]]


@pytest.mark.parametrize("sampler", ["conditional", "explicit"])
def test_network_identical_across_batches(sampler):
    cfg = make_config({"widths": [2, 6, 5, 3], "activation": "tanh", "C_b": 0.2}, TWO_INPUTS, 1, 1,
                      sampling={"sampler": sampler}, measure={"moments": 6})
    kin = KernelInputs.from_config(cfg)
    whole, _ = CpuBackend().sample_rows(kin, 0, 40)
    part, _ = CpuBackend().sample_rows(kin, 17, 5)
    assert np.array_equal(part, whole[17:22], equal_nan=True)
    alone = sample_network(cfg, 19)
    full = kin.layout.split(kin.layout.expand(whole[19]))
    for name, value in alone.rows.items():
        assert np.array_equal(value, full[name], equal_nan=True), name
    assert np.array_equal(alone.G[1][[0, 0, 1], [0, 1, 1]], full["G"][1])


def test_sample_network_preactivations_match_measurements():
    cfg = make_config({"widths": [2, 7, 4, 3], "activation": "relu"}, TWO_INPUTS, 1, 1)
    net = sample_network(cfg, 123)
    assert [z.shape for z in net.z] == [(7, 2), (4, 2), (3, 2)]
    for layer, z in enumerate(net.z):
        np.testing.assert_allclose(net.rows["m2"][layer], [np.mean(z[:, 0] ** 2), np.mean(z[:, 0] * z[:, 1]),
                                                           np.mean(z[:, 1] ** 2)], rtol=1e-13)
    # Ghat of the next layer from this layer's activations (theory.md s.0)
    s = np.maximum(net.z[0], 0)
    np.testing.assert_allclose(net.G[1], 2.0 * s.T @ s / 7, rtol=1e-13)


def _swish(z):
    return z / (1.0 + np.exp(-z))


@pytest.mark.parametrize("dtype,activation,sigma", [("float32", "tanh", np.tanh), ("float64", "tanh", np.tanh),
                                                    ("float32", "swish", _swish)])
def test_conditional_layers_from_the_documented_stream(dtype, activation, sigma):
    """z^(l) = F xi with F the pivoted root of Ghat^(l) and xi[j, i] normal j n_l + i of (network, l, PREACTIVATION)
    (nnmc.cpu.forward), rebuilt here from nnmc.rng.normals; widths 1030 and 2051 run in chunks of
    forward.CHUNK neurons that start inside Philox groups. Ghat^(l+1) is the float64 S^T S of this layer's z
    (tanh and swish: nnmc's vectorised functions against NumPy's)."""
    from nnmc.cpu.forward import CHUNK
    from nnmc.cpu.linalg import pivoted_root
    from nnmc.rng import Purpose, normals

    widths = [3, CHUNK + 6, 2 * CHUNK + 3, 5]
    x = [[1.0, 0.2, -0.5], [0.3, -1.0, 0.8], [0.1, 0.4, 0.9]]
    cfg = make_config({"widths": widths, "activation": activation, "C_W": 1.3, "C_b": 0.2}, x, 1, 1, seed=77,
                      sampling={"dtype": dtype}, measure={"moments": 4})
    net = sample_network(cfg, 5)
    eps = np.finfo(dtype).eps
    for layer, n in enumerate(widths[1:], start=1):
        F = np.empty((3, 3))
        pivoted_root(net.G[layer - 1], F)
        xi = normals(77, 5, layer, int(Purpose.PREACTIVATION), 3 * n, dtype=dtype).reshape(3, n).astype(np.float64)
        expected = (F @ xi).T
        bound = 4 * eps * (np.abs(F) @ np.abs(xi)).T
        assert np.all(np.abs(net.z[layer - 1] - expected) <= bound), f"layer {layer}"
        if layer < len(widths) - 1:
            s = sigma(net.z[layer - 1].astype(np.float64))
            np.testing.assert_allclose(net.G[layer], 0.2 + 1.3 * s.T @ s / n, rtol=1e-12)
        z = net.z[layer - 1].astype(np.float64)
        np.testing.assert_allclose(net.rows["m4"][layer - 1][0], np.mean(z[:, 0] ** 4), rtol=1e-12)


def test_duplicate_inputs_are_exact_copies():
    x = [[1.0, 0.0], [0.6, 0.8], [1.0, 0.0]]
    for sampler in ("conditional", "explicit"):
        cfg = make_config({"widths": [2, 5, 5, 2], "activation": "tanh", "C_b": 0.1}, x, 1, 1,
                          sampling={"sampler": sampler})
        net = sample_network(cfg, 4)
        for z in net.z:
            assert np.array_equal(z[:, 0], z[:, 2])
        assert not np.array_equal(net.z[0][:, 0], net.z[0][:, 1])


def test_rank_deficient_metric_gives_exact_zero_directions():
    """k = 3 inputs through a width-1 ReLU layer with C_b = 0: Ghat^(2) has rank <= 1, so the layer-2
    preactivations of the three inputs are exactly proportional (no jitter)."""
    cfg = make_config({"widths": [2, 1, 4, 1], "activation": "relu", "C_b": 0.0},
                      [[1.0, 0.0], [0.6, 0.8], [-0.3, 0.9]], 1, 1)
    for i in range(20):
        net = sample_network(cfg, i)
        z2 = net.z[1]
        assert np.linalg.matrix_rank(net.G[1], tol=1e-12) <= 1
        assert np.linalg.matrix_rank(z2, tol=1e-12 * max(1.0, np.abs(z2).max())) <= 1


def test_nonfinite_networks_are_counted_and_excluded():
    from nnmc.measurements import Layout

    layout = Layout((0,), 4)
    rows = np.ones((5, 2, layout.width(1)))
    rows[1, 0, 0] = np.inf
    rows[3, 1, 4] = np.nan
    finite = np.isfinite(rows).all(axis=(1, 2))
    rows[[0, 2, 4]] *= np.array([1.0, 2.0, 6.0])[:, None, None]
    block = reduce_block(layout, 0, rows, finite)
    assert block.rejected == 2 and block.networks == 5
    assert np.allclose(block.means["G"], 3.0)


def test_block_reduction_is_numpys_mean_bit_for_bit():
    """The parallel block sums add the networks in order, like NumPy: the stored means do not depend on the
    number of threads, and equal rows[finite].mean(axis=0) exactly."""
    cfg = make_config({"widths": [2, 6, 5, 3], "activation": "tanh", "C_b": 0.2}, TWO_INPUTS, 1, 1)
    kin = KernelInputs.from_config(cfg)
    rows, finite = CpuBackend().sample_rows(kin, 0, 257)
    finite[[3, 100]] = False
    got = reduce_block(kin.layout, 0, rows, finite).means
    expected = kin.layout.split(kin.layout.expand(rows[finite].mean(axis=0)))
    for name, value in expected.items():
        assert np.array_equal(got[name], value, equal_nan=True), name
    buffers = kin.new_rows(300)  # reused buffers give the same rows
    again, _ = CpuBackend().sample_rows(kin, 0, 257, buffers)
    assert again.base is buffers[0] and np.array_equal(again, rows, equal_nan=True)


def test_rows_do_not_depend_on_what_ran_before():
    """Regression: a float32 kernel with k = 4 run first left the worker threads' heaps so that small scratch
    arrays of the next kernel sat close together; a reduction fused with a store then took LLVM's scalar
    fallback of a run-time alias check and summed in another order (last-bit changes of m2 and m22)."""
    angles = np.load(Path(__file__).resolve().parents[1] / "data" / "inputs" / "angles_k4_d8.npy")
    other = make_config({"widths": [8, 16, 16, 16, 16, 16, 1], "activation": "relu"}, angles, 1, 1,
                        sampling={"dtype": "float32"})
    cfg = make_config({"widths": [2, 6, 5, 3], "activation": "tanh", "C_b": 0.2}, TWO_INPUTS, 1, 1)
    kin, kin_other = KernelInputs.from_config(cfg), KernelInputs.from_config(other)
    rows, finite = CpuBackend().sample_rows(kin_other, 0, 200)
    reduce_block(kin_other.layout, 0, rows, finite)
    first, _ = CpuBackend().sample_rows(kin, 0, 257)
    second, _ = CpuBackend().sample_rows(kin, 0, 257)
    assert np.array_equal(first, second, equal_nan=True)


def test_overflowing_networks_are_rejected_end_to_end(run_ensemble, tmp_path):
    """float32 sampling with C_W = 1e30 overflows: every network is rejected, none averaged in."""
    cfg = make_config({"widths": [1, 3, 3, 3, 1], "activation": "linear", "C_W": 1e30}, [[1.0]], 50, 10,
                      sampling={"dtype": "float32"})
    kin = KernelInputs.from_config(cfg)
    _, finite = CpuBackend().sample_rows(kin, 0, 50)
    assert not finite.any()
    generate(cfg, tmp_path / "overflow.h5", progress=False)
    with EnsembleReader(tmp_path / "overflow.h5") as reader:
        stats = reader.block_stats()
    assert stats["rejected"].sum() == stats["networks"].sum() == 50
    with pytest.raises(StoreError, match="all 50 networks were rejected"):
        analyse(tmp_path / "overflow.h5")


@pytest.mark.parametrize("sampler", ["conditional", "explicit"])
def test_overflow_in_an_unmeasured_layer_rejects_the_network(sampler):
    """C_W = 1e40 in float32 overflows z in layer 2, which is not measured. For the conditional sampler the measured
    last layer alone would look finite (the infinite metric of layer 3 has rank 0, so z = 0 from there on), so the
    metric is checked at every layer."""
    cfg = make_config({"widths": [1, 3, 3, 3, 1], "activation": "linear", "C_W": [1e40, 1e40, 1.0, 1.0], "C_b": 0.0},
                      [[1.0]],
                      20, 10, sampling={"dtype": "float32", "sampler": sampler}, measure={"layers": [4]})
    rows, finite = CpuBackend().sample_rows(KernelInputs.from_config(cfg), 0, 20)
    assert not finite.any()
    assert np.isnan(rows).all()


@pytest.mark.parametrize("sampler", ["conditional", "explicit"])
def test_overflow_hidden_by_a_saturating_activation_rejects_the_network(sampler):
    """float32 z of layer 1 overflows to +-inf; tanh(+-inf) = +-1 gives a finite metric and finite measured layers
    2 and 3, so z itself must be checked."""
    cfg = make_config({"widths": [1, 4, 4, 2], "activation": "tanh", "C_W": [1e80, 1.0, 1.0], "C_b": 0.1}, [[1.0]],
                      8, 8, sampling={"sampler": sampler, "dtype": "float32"}, measure={"layers": [2, 3]})
    _, finite = CpuBackend().sample_rows(KernelInputs.from_config(cfg), 0, 8)
    assert not finite.any()
    assert not sample_network(cfg, 0).finite


def _two_sample(res_a, res_b, names, what):
    for name in names:
        a, b = res_a.estimates[name], res_b.estimates[name]
        err = np.sqrt(a.error**2 + b.error**2)
        keep = err > 1e-12 * np.maximum(1.0, np.abs(a.value))  # exact (deterministic) components agree exactly
        assert np.allclose(a.value[~keep], b.value[~keep], rtol=1e-10, atol=1e-12), f"{what} {name} exact parts"
        assert_pull(a.value[keep], b.value[keep], err[keep], what=f"{what} {name}")


@pytest.mark.parametrize("case", ["tanh_duplicate_input", "relu_k_gt_n"])
def test_conditional_equals_explicit_in_law(run_ensemble, case):
    """theory.md s.6 check: (i) tanh, C_b = 0.3, duplicated input, widths [3, 4, 5, 2]; (ii) ReLU, C_b = 0,
    k = 3 inputs through widths [2, 2, 3] (Ghat has rank <= 2 < k, whole dead layers with probability 1/4).
    Two independent ensembles, pulls of every G and V component and of the raw m2 below 4 sigma."""
    if case == "tanh_duplicate_input":
        net = {"widths": [3, 4, 5, 2], "activation": "tanh", "C_W": 1.5, "C_b": 0.3}
        x = [[1.0, 0.2, -0.5], [0.3, -1.0, 0.8], [1.0, 0.2, -0.5]]
    else:
        net = {"widths": [2, 2, 3], "activation": "relu", "C_b": 0.0}
        x = [[1.0, 0.0], [0.6, 0.8], [-0.8, 0.3]]
    results = [run_ensemble(make_config(net, x, 100_000, 1000, seed=seed, sampling={"sampler": sampler}))
               for sampler, seed in (("conditional", 21), ("explicit", 22))]
    _two_sample(*results, ("G", "V", "G_raw", "m4_raw"), case)


def test_uniform_weights_match_variance_and_fourth_moment(run_ensemble):
    """Uniform weights (explicit sampler) keep E[Ghat] (variance matched) but not the Gaussian fourth
    moments (theory.md s.6): a linear net [1, n_1, 1] with one input x = 1 has exact moments."""
    n1 = 4
    cfg = make_config({"widths": [1, n1, 1], "activation": "linear", "weights": "uniform", "C_b": 0.0},
                      [[1.0]], 400_000, 4000, seed=4, sampling={"sampler": "explicit"})
    res = run_ensemble(cfg)
    G = res.estimates["G_raw"]
    assert_pull(G.value[1, 0, 0], 1.0, G.error[1, 0, 0], what="E z^2 layer 2")
    # z^(1)_j = W^(1)_j (uniform, variance 1, E z^4 = mu_W = 9/5); z^(2) = sum_j W^(2)_j z^(1)_j with
    # E[W^2] = 1/n1, E[W^4] = mu_W/n1^2:  E z^4 = n1 (mu_W/n1^2) mu_W + 3 n1 (n1 - 1)/n1^2 = mu_W^2/n1 + 3 (n1 - 1)/n1
    mu_w = 9.0 / 5.0
    exact = mu_w**2 / n1 + 3 * (n1 - 1) / n1
    m4 = res.estimates["m4_raw"]
    assert_pull(m4.value[1, 0, 0, 0, 0], exact, m4.error[1, 0, 0, 0, 0], what="E z^4 uniform weights")
    assert abs(exact - 3 * (1 + 2 / n1)) > 8 * m4.error[1, 0, 0, 0, 0], "the test must tell uniform from Gaussian"
    # the reported same-neuron moments are the raw ones here (from Ghat they would assume Gaussian weights)
    assert res.estimates["m4"] is m4 and res.estimates["R4"] is res.estimates["R4_raw"]
    assert "m4_raw_minus_rb" not in res.estimates and "not Gaussian" in res.estimator
    assert "not Gaussian" in format_table(res)  # the table has no raw-minus-RB column for these rows


@nb.njit(cache=True)
def _bounded_statistics(first, count, args, n_measured, width, k, depth, n_max, n_out, proto):
    """Per network, neuron averages of bounded functions of the output layer z^(L) (n_out, k):
    tanh(z_a) tanh(z_b) (a <= b), cos(z_a - z_b) (a < b), [z_a > 0], [z_a = 0]; shape (count, n_stats)."""
    n_stats = k * (k + 1) // 2 + k * (k - 1) // 2 + 2 * k
    out = np.zeros((count, n_stats))
    row = np.empty((n_measured, width))
    z = np.zeros((depth, k, n_max), proto.dtype)
    G = np.zeros((depth, k, k))
    for t in range(count):
        network_pass(np.uint64(first + t), *args, row, proto, True, z, G)
        s = 0
        for a in range(k):
            for b in range(a, k):
                for i in range(n_out):
                    out[t, s] += math.tanh(z[depth - 1, a, i]) * math.tanh(z[depth - 1, b, i]) / n_out
                s += 1
        for a in range(k):
            for b in range(a + 1, k):
                for i in range(n_out):
                    out[t, s] += math.cos(z[depth - 1, a, i] - z[depth - 1, b, i]) / n_out
                s += 1
        for a in range(k):
            for i in range(n_out):
                out[t, s] += (z[depth - 1, a, i] > 0) / n_out
                out[t, s + k] += (z[depth - 1, a, i] == 0) / n_out
            s += 1
    return out


def _bounded_sample(cfg, count):
    kin = KernelInputs.from_config(cfg)
    k_u = kin.layout.k_unique
    return _bounded_statistics(0, count, kin.args, kin.n_measured, kin.layout.width(k_u), k_u, cfg.depth,
                               max(cfg.widths[1:]), cfg.widths[-1], np.zeros(1, kin.dtype))


@pytest.mark.parametrize("case", ["tanh_duplicate_input", "relu_k_gt_n"])
def test_conditional_equals_explicit_bounded_statistics(case):
    """theory.md s.6 asks for bounded statistics in this check (polynomial moments are heavy-tailed at width 2):
    per-network neuron averages of tanh z_a tanh z_b, cos(z_a - z_b), sign and zero indicators of the output
    layer, 10^5 networks per sampler, two-sample pulls below 4 sigma (errors: i.i.d. networks)."""
    if case == "tanh_duplicate_input":
        net = {"widths": [3, 4, 5, 2], "activation": "tanh", "C_W": 1.5, "C_b": 0.3}
        x = [[1.0, 0.2, -0.5], [0.3, -1.0, 0.8], [0.6, 0.6, 0.1]]  # distinct: duplicates are tested above
    else:
        net = {"widths": [2, 2, 3], "activation": "relu", "C_b": 0.0}  # rank <= 2 < k = 3, dead layers
        x = [[1.0, 0.0], [0.6, 0.8], [-0.8, 0.3]]
    count = 100_000
    samples = [_bounded_sample(make_config(net, x, 1, 1, seed=seed, sampling={"sampler": sampler}), count)
               for sampler, seed in (("conditional", 31), ("explicit", 32))]
    mean = [s.mean(axis=0) for s in samples]
    err = np.sqrt(sum(s.var(axis=0, ddof=1) / count for s in samples))
    constant = err == 0  # e.g. [z = 0] for tanh: never, in both samplers
    assert np.array_equal(mean[0][constant], mean[1][constant])
    assert_pull(mean[0][~constant], mean[1][~constant], err[~constant], what=f"{case} bounded statistics")
    if case == "relu_k_gt_n":  # the statistics see the dead networks: P(z^(2) = 0) = 1/4 (theory.md s.5.1)
        assert_pull(mean[0][-1], 0.25, math.sqrt(0.25 * 0.75 / count), what="dead fraction")
