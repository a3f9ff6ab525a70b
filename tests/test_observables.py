"""Derived observables (nnmc.analysis.observables, DESIGN.md s.4, theory.md s.0).

Synthetic ensembles: per network Ghat = (1/n) sum_{r=1}^n x_r x_r^T with x_r ~ N(0, Sigma) (a scaled Wishart
with n degrees of freedom), for which, exactly,
  E[Ghat_ab] = Sigma_ab,  E[Ghat_ab Ghat_cd] = Sigma_ab Sigma_cd + (Sigma_ac Sigma_bd + Sigma_ad Sigma_bc)/n,
  E[Ghat_aa^2]/Sigma_aa^2 = 1 + 2/n,  E[Ghat_aa^3]/Sigma_aa^3 = (1 + 2/n)(1 + 4/n),
and the third moment follows from Isserlis' theorem over the n i.i.d. vectors (``wishart_third``).
Raw neuron statistics are drawn as rows z_i ~ N(0, Ghat). Tolerances: |pull| < 4 with the jackknife error.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnmc import components
from nnmc.analysis.observables import estimate_all, observables
from nnmc.analysis.resample import Resampler

PULL = 4.0
K = 3
DOF = (6, 10)  # Wishart degrees of freedom of the two synthetic layers
N_IN = np.array([3, 17])  # fan-in widths n_{l-1}, deliberately unrelated to DOF
SIGMAS = (np.array([[1.0, 0.5, -0.2], [0.5, 2.0, 0.3], [-0.2, 0.3, 0.7]]),
          np.array([[0.8, 0.6, 0.4], [0.6, 0.9, 0.5], [0.4, 0.5, 1.2]]))


# ---------------------------------------------------------------- independent exact moments

def isserlis(sigma: np.ndarray, idx: tuple[int, ...]) -> float:
    """E[z_idx0 ... z_idx(m-1)] for z ~ N(0, sigma), by recursion on the first index."""
    if not idx:
        return 1.0
    first, rest = idx[0], idx[1:]
    return sum(sigma[first, rest[j]] * isserlis(sigma, rest[:j] + rest[j + 1:]) for j in range(len(rest)))


def isserlis_four(G: np.ndarray) -> np.ndarray:
    """(..., k, k) -> (..., k, k, k, k): G_ab G_cd + G_ac G_bd + G_ad G_bc."""
    return (np.einsum("...ab,...cd->...abcd", G, G) + np.einsum("...ac,...bd->...abcd", G, G)
            + np.einsum("...ad,...bc->...abcd", G, G))


def wishart_second(sigma: np.ndarray, n: int) -> np.ndarray:
    """(k,)*4: E[Ghat_ab Ghat_cd] for Ghat = W/n, W ~ Wishart(n, sigma)."""
    return np.einsum("ab,cd->abcd", sigma, sigma) + (np.einsum("ac,bd->abcd", sigma, sigma)
                                                     + np.einsum("ad,bc->abcd", sigma, sigma)) / n


def wishart_third(sigma: np.ndarray, n: int, a, b, c, d, e, f) -> float:
    """E[Ghat_ab Ghat_cd Ghat_ef]: sum over the vectors r, s, t of E[x_ra x_rb x_sc x_sd x_te x_tf] / n^3."""
    s = sigma
    distinct = n * (n - 1) * (n - 2) * s[a, b] * s[c, d] * s[e, f]
    two_equal = n * (n - 1) * (isserlis(s, (a, b, c, d)) * s[e, f] + isserlis(s, (a, b, e, f)) * s[c, d]
                               + isserlis(s, (c, d, e, f)) * s[a, b])
    return (distinct + two_equal + n * isserlis(s, (a, b, c, d, e, f))) / n**3


def pairings(items: tuple[int, ...]) -> list[list[tuple[int, int]]]:
    """All perfect matchings of the positions in items (built here, independently of nnmc.components)."""
    if not items:
        return [[]]
    return [[(items[0], items[j])] + rest for j in range(1, len(items))
            for rest in pairings(items[1:j] + items[j + 1:])]


def exact_m6(sigma: np.ndarray, n: int) -> np.ndarray:
    """(k,)*6 same-neuron E[z_a..z_f] = sum over the 15 pairings of E[Ghat Ghat Ghat] (Wishart)."""
    k = sigma.shape[0]
    out = np.empty((k,) * 6)
    for t in itertools.product(range(k), repeat=6):
        out[t] = sum(wishart_third(sigma, n, *(t[i] for pair in p for i in pair)) for p in pairings(tuple(range(6))))
    return out


# ---------------------------------------------------------------- synthetic ensembles

def sample_ghat(rng: np.random.Generator, n_networks: int) -> np.ndarray:
    """(N, L, k, k) float64 scaled Wishart metrics, layer l with SIGMAS[l] and DOF[l]."""
    layers = []
    for sigma, n in zip(SIGMAS, DOF):
        x = rng.normal(size=(n_networks, n, K)) @ np.linalg.cholesky(sigma).T
        layers.append(np.einsum("nra,nrb->nab", x, x) / n)
    return np.stack(layers, axis=1)


def rb_statistics(ghat: np.ndarray) -> dict[str, np.ndarray]:
    """Per-network "G", "GG", "GGG" columns (N, L, comps) from Ghat (N, L, k, k)."""
    g = ghat[..., components.pairs(K)[:, 0], components.pairs(K)[:, 1]]
    pp, pt = components.pair_pairs(K), components.pair_triples(K)
    return {"G": g, "GG": g[..., pp[:, 0]] * g[..., pp[:, 1]],
            "GGG": g[..., pt[:, 0]] * g[..., pt[:, 1]] * g[..., pt[:, 2]]}


def raw_statistics(rng: np.random.Generator, ghat: np.ndarray, width: int) -> dict[str, np.ndarray]:
    """Per-network "m2", "m4", "m22", "m6" columns (N, L, comps) from width neurons z_i ~ N(0, Ghat)."""
    z = np.einsum("nlik,nlak->nlia", rng.normal(size=ghat.shape[:2] + (width, K)), np.linalg.cholesky(ghat))

    def power(table: np.ndarray) -> np.ndarray:  # (N, L, width, comps): prod_j z_i,table[:, j]
        return np.prod(z[..., table], axis=-1)

    pr, pp = components.pairs(K), components.pair_pairs(K)
    per_neuron = power(pr)
    total = per_neuron.sum(axis=2)
    same = power(np.concatenate([pr[pp[:, 0]], pr[pp[:, 1]]], axis=1)).sum(axis=2)
    return {"m2": total / width, "m4": power(components.quads(K)).mean(axis=2),
            "m22": (total[..., pp[:, 0]] * total[..., pp[:, 1]] - same) / (width * (width - 1)),
            "m6": power(components.sextuples(K)).mean(axis=2)}


@pytest.fixture(scope="module")
def ensemble() -> tuple[Resampler, dict[str, np.ndarray]]:
    """Jackknife over 96 unequal bins of 24000 synthetic networks, RB and raw statistics."""
    rng = np.random.default_rng(2024)
    ghat = sample_ghat(rng, 24000)
    per_network = rb_statistics(ghat) | raw_statistics(rng, ghat, width=4)
    sizes = rng.integers(100, 400, size=96)
    sizes[-1] += ghat.shape[0] - sizes.sum()
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    sums = {name: np.add.reduceat(x, starts, axis=0) for name, x in per_network.items()}
    return Resampler(sizes.astype(float)), sums


def assert_pulls(estimate, exact: np.ndarray) -> None:
    pulls = (estimate.value - exact) / estimate.error
    assert np.all(np.abs(pulls) < PULL), f"max |pull| {np.max(np.abs(pulls)):.2f}"


def exact_values(suffix: str = "") -> dict[str, np.ndarray]:
    """Exact layer-stacked values of the Wishart ensemble (the same for RB and raw estimators)."""
    G = np.stack(SIGMAS)
    gauss = isserlis_four(G)
    m22 = np.stack([wishart_second(s, n) for s, n in zip(SIGMAS, DOF)])
    cov = m22 - np.einsum("lab,lcd->labcd", G, G)
    dof = np.array(DOF, dtype=float)
    exact = {"G": G, "m22": m22, "m22_conn": cov, "V": N_IN[:, None, None, None, None] * cov,
             "m4": (1 + 2 / dof)[:, None, None, None, None] * gauss,
             "m4_conn": (2 / dof)[:, None, None, None, None] * gauss,
             "R4": np.repeat((1 + 2 / dof)[:, None], K, axis=1),
             "R6": np.repeat(((1 + 2 / dof) * (1 + 4 / dof))[:, None], K, axis=1)}
    return {name + suffix: value for name, value in exact.items()}


# ---------------------------------------------------------------- tests

@pytest.mark.parametrize("suffix", ["", "_raw"])
def test_wishart_moments_match_exact_values(ensemble, suffix):
    resampler, sums = ensemble
    estimates = estimate_all(resampler, sums, K, N_IN)
    for name, exact in exact_values(suffix).items():
        assert estimates[name].value.shape == exact.shape, name
        assert_pulls(estimates[name], exact)


def test_wishart_six_point_matches_exact_value(ensemble):
    resampler, sums = ensemble
    estimates = estimate_all(resampler, sums, K, N_IN)
    exact = np.stack([exact_m6(s, n) for s, n in zip(SIGMAS, DOF)])
    assert_pulls(estimates["m6"], exact)
    assert_pulls(estimates["m6_raw"], exact)


def test_rao_blackwellised_and_raw_estimators_agree_with_correlated_errors(ensemble):
    """The sampler's own check: RB minus raw, resampled with the same weights, is zero within 4 sigma,
    and the RB estimator is the more precise one (no neuron-sampling noise)."""
    resampler, sums = ensemble
    estimates = estimate_all(resampler, sums, K, N_IN)
    for name in ("G", "m4", "m22", "m4_conn", "m22_conn", "V", "R4", "m6", "R6"):
        rb, raw = estimates[name], estimates[name + "_raw"]
        diff = resampler.estimate(rb.value - raw.value, rb.replicas - raw.replicas)
        assert_pulls(diff, np.zeros_like(diff.value))
        assert np.mean(rb.error) < np.mean(raw.error), name


def test_fixed_metric_gives_gaussian_moments():
    """Ghat = Sigma in every network: connected parts and V vanish, R4 = R6 = 1, m6 is Isserlis."""
    sigma = SIGMAS[0]
    stats = rb_statistics(np.broadcast_to(sigma, (1, 1, K, K)))
    out = observables({name: x[0] for name, x in stats.items()}, K, np.array([5]))
    np.testing.assert_allclose(out["G"][0], sigma, rtol=1e-15)
    for name in ("m4_conn", "m22_conn", "V"):
        np.testing.assert_allclose(out[name], 0.0, atol=1e-14)
    np.testing.assert_allclose(out["R4"], 1.0, rtol=1e-14)
    np.testing.assert_allclose(out["R6"], 1.0, rtol=1e-14)
    m6 = np.empty((K,) * 6)
    for t in itertools.product(range(K), repeat=6):
        m6[t] = isserlis(sigma, t)
    np.testing.assert_allclose(out["m6"][0], m6, rtol=1e-13)


def random_means(rng: np.random.Generator, lead: tuple[int, ...]) -> dict[str, np.ndarray]:
    """Arbitrary (unphysical) means with every stored observable, shape lead + (L, comps), L = 2."""
    sizes = {"G": components.pairs(K), "GG": components.pair_pairs(K), "GGG": components.pair_triples(K),
             "m2": components.pairs(K), "m4": components.quads(K), "m22": components.pair_pairs(K),
             "m6": components.sextuples(K)}
    return {name: rng.normal(size=lead + (2, len(table))) for name, table in sizes.items()}


SYMMETRIES = {  # generators of each tensor's index symmetry group (positions of the k-axes)
    2: [(1, 0)],
    4: [(1, 0, 2, 3), (0, 1, 3, 2), (2, 3, 0, 1)],
}
FULLY_SYMMETRIC = ("m4", "m4_conn", "m6")


def test_all_returned_tensors_have_their_index_symmetries():
    out = observables(random_means(np.random.default_rng(7), (3,)), K, N_IN)
    assert set(out) == {name + s for s in ("", "_raw") for name in
                        ("G", "m22", "m22_conn", "V", "m4", "m4_conn", "R4", "m6", "R6")}
    for name, tensor in out.items():
        order = tensor.ndim - 2  # axes (replica, layer, k, ..., k)
        if name.removesuffix("_raw") in FULLY_SYMMETRIC:
            perms = itertools.permutations(range(order))
        else:
            perms = SYMMETRIES.get(order, [])
        for perm in perms:
            np.testing.assert_array_equal(tensor, tensor.transpose((0, 1) + tuple(2 + p for p in perm)), name)


def test_observables_are_vectorised_over_leading_axes():
    means = random_means(np.random.default_rng(8), (4, 2))
    stacked = observables(means, K, N_IN)
    for i, j in itertools.product(range(4), range(2)):
        single = observables({name: x[i, j] for name, x in means.items()}, K, N_IN)
        for name, value in single.items():
            np.testing.assert_array_equal(stacked[name][i, j], value, name)


def test_only_available_families_are_returned():
    means = random_means(np.random.default_rng(9), ())
    out = observables({"G": means["G"], "GG": means["GG"], "m2": means["m2"]}, K, N_IN)
    assert set(out) == {"G", "m22", "m22_conn", "V", "m4", "m4_conn", "R4", "G_raw"}


@pytest.mark.parametrize("n_in", [np.array([3]), np.array(3), np.array([[3, 17]])])
def test_n_in_must_give_one_width_per_layer(n_in):
    with pytest.raises(ValueError, match="n_in"):
        observables(random_means(np.random.default_rng(11), ()), K, n_in)


@pytest.mark.parametrize("table, expand", [
    (components.pairs(K), lambda v: components.expand_pairs(v, K)),
    (components.quads(K), lambda v: components.expand_sorted(v, K, 4)),
    (components.sextuples(K), lambda v: components.expand_sorted(v, K, 6)),
    (components.pairs(K)[components.pair_pairs(K)].reshape(-1, 4), lambda v: components.expand_pair_pairs(v, K)),
])
def test_expand_tables_round_trip(table, expand):
    """Expanding stored columns and reading the tensor back at each column's multi-index is the identity."""
    cols = np.random.default_rng(10).normal(size=(2, len(table)))
    full = expand(cols)
    np.testing.assert_array_equal(full[(slice(None),) + tuple(table.T)], cols)


def test_component_labels_stay_unambiguous_beyond_ten_inputs():
    from nnmc.components import label

    assert label("V", (0, 0, 1, 1)) == "V (00)(11)"
    assert label("V", (1, 11, 3, 12)) == "V (1,11)(3,12)"
    assert label("V", (11, 1, 3, 12)) != label("V", (1, 11, 3, 12))
    assert label("G", (2, 10)) == "G (2,10)" and label("R4", (3,)) == "R4 (3)"
