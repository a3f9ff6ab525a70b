"""Derived observables from ensemble means of the stored per-network statistics (DESIGN.md s.4, s.6).

Every function is pure, float64 and vectorised over leading axes: the same code maps the central means
(n_layers, n_components) and the replica means (n_rep, n_layers, n_components). Inputs are the stored
columns (component tables of :mod:`nnmc.components`); outputs are full tensors indexed by input labels,
axis order (..., n_layers, k, ..., k) (DESIGN.md s.9).

Two families share one set of formulas (:func:`_family`):

* Rao-Blackwellised (DESIGN.md s.4, theory.md s.0; the reported estimators), from the means of
  "G" (Ghat_ab), "GG" (Ghat_P Ghat_Q) and, with moments = 6, "GGG":
  G = E[Ghat];  m22_abcd = E[Ghat_ab Ghat_cd] (distinct neurons);
  m4_abcd = E[Ghat_ab Ghat_cd + Ghat_ac Ghat_bd + Ghat_ad Ghat_bc] (same neuron);
  m6 = sum over the 15 Wick pairings of E[Ghat Ghat Ghat] (same neuron).
* Raw neuron averages (the sampler's own check; keys with suffix "_raw"), from the means of
  "m2", "m4", "m22" and, with moments = 6, "m6".

Derived in each family: m4_conn = m4 - (G_ab G_cd + G_ac G_bd + G_ad G_bc);  m22_conn = m22 - G_ab G_cd;
V = n_in m22_conn (theory.md s.0: V at layer l is normalised by n_{l-1} = n_in, V_exact = n_{l-1} Cov Ghat);
R4_a = m4_aaaa / (3 G_aa^2) and R6_a = m6_aaaaaa / (15 G_aa^3) (theory.md quick reference, s.5).
These are nonlinear in the means: :func:`estimate_all` applies them to the central means and to every
replica and lets the resampler combine both.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from nnmc import components
from nnmc.analysis.resample import Estimate, Resampler

RAW_SUFFIX = "_raw"


def gaussian_four(G: np.ndarray, k: int) -> np.ndarray:
    """(..., p) pair columns of G -> (..., c4) quad columns of G_ab G_cd + G_ac G_bd + G_ad G_bc (Isserlis)."""
    q, pi = components.quads(k), components.pair_index(k)
    return sum(G[..., pi[q[:, i], q[:, j]]] * G[..., pi[q[:, m], q[:, n]]]
               for (i, j), (m, n) in (((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))))


def same_neuron_four(GG: np.ndarray, k: int) -> np.ndarray:
    """(..., q) columns of E[Ghat_P Ghat_Q] -> (..., c4) quad columns of E[z_a z_b z_c z_d], one neuron.

    E[z_a z_b z_c z_d] = E[Ghat_ab Ghat_cd + Ghat_ac Ghat_bd + Ghat_ad Ghat_bc] (DESIGN.md s.4).
    """
    return GG[..., components.same_neuron_from_pair_pairs(k)].sum(axis=-1)


def same_neuron_six(GGG: np.ndarray, k: int) -> np.ndarray:
    """(..., c) pair_triples columns of E[Ghat_P Ghat_Q Ghat_R] -> (..., c6) sextuple columns of E[z_a..z_f].

    One neuron: the sum over the 15 Wick pairings of E[Ghat Ghat Ghat] (theory.md s.0).
    """
    return GGG[..., components.wick_pairings_of_pair_triples(k)].sum(axis=-1)


def diagonal_ratio(moment: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Single-input ratio per label a: moment_{a..a} / ((2j-1)!! G_aa^j) for a moment of order 2j.

    moment : (..., k, ..., k) full tensor of order 2j (4 -> R4, 6 -> R6); G : (..., k, k). Returns (..., k);
    it is 1 for a Gaussian field (theory.md quick reference and s.5 for the exact finite-width values).
    """
    order = moment.ndim - G.ndim + 2
    labels = np.arange(G.shape[-1])
    double_factorial = np.prod(np.arange(order - 1, 0, -2))
    return moment[(Ellipsis,) + (labels,) * order] / (double_factorial * G[..., labels, labels] ** (order // 2))


def _family(G: np.ndarray, m22: np.ndarray | None, m4: np.ndarray | None, m6: np.ndarray | None,
            k: int, n_in: np.ndarray, suffix: str) -> dict[str, np.ndarray]:
    """Full tensors (..., L, k, ...) from the columns (..., L, comps) of one family; keys carry ``suffix``.

    G : pairs(k) columns; m22 : pair_pairs(k); m4 : quads(k); m6 : sextuples(k). Differences are formed on
    the columns and expanded afterwards, so every tensor is exactly symmetric.
    """
    pp = components.pair_pairs(k)
    out = {"G": components.expand_pairs(G, k)}
    if m22 is not None:
        m22_conn = m22 - G[..., pp[:, 0]] * G[..., pp[:, 1]]
        out["m22"] = components.expand_pair_pairs(m22, k)
        out["m22_conn"] = components.expand_pair_pairs(m22_conn, k)
        out["V"] = components.expand_pair_pairs(n_in[:, None] * m22_conn, k)
    if m4 is not None:
        out["m4"] = components.expand_sorted(m4, k, 4)
        out["m4_conn"] = components.expand_sorted(m4 - gaussian_four(G, k), k, 4)
        out["R4"] = diagonal_ratio(out["m4"], out["G"])
    if m6 is not None:
        out["m6"] = components.expand_sorted(m6, k, 6)
        out["R6"] = diagonal_ratio(out["m6"], out["G"])
    return {name + suffix: value for name, value in out.items()}


def observables(means: Mapping[str, np.ndarray], k: int, n_in: np.ndarray) -> dict[str, np.ndarray]:
    """All derived observables from ensemble means of the stored statistics.

    means : name -> (..., L, n_components) float64 means over networks, names and columns as stored
        ("G", "GG", "GGG" Rao-Blackwellised; "m2", "m4", "m22", "m6" raw; any subset with "G" or "m2").
    k : number of inputs.  n_in : (L,) int, fan-in width n_{l-1} of each measured layer.
    Returns name -> full tensor, e.g. "G" (..., L, k, k), "V" (..., L, k, k, k, k), "R4" (..., L, k);
    raw ones with the suffix "_raw" (see the module docstring for the formulas).
    """
    n_in = np.asarray(n_in, dtype=np.float64)
    means = {name: np.asarray(value, dtype=np.float64) for name, value in means.items()}
    layers = {value.shape[-2] for value in means.values()}
    if layers != {n_in.size} or n_in.ndim != 1:
        raise ValueError(f"n_in must be 1-d with one width per measured layer ({sorted(layers)}); got {n_in!r}")
    out: dict[str, np.ndarray] = {}
    if "G" in means:
        GG, GGG = means.get("GG"), means.get("GGG")
        out |= _family(means["G"], GG, None if GG is None else same_neuron_four(GG, k),
                       None if GGG is None else same_neuron_six(GGG, k), k, n_in, "")
    if "m2" in means:
        out |= _family(means["m2"], means.get("m22"), means.get("m4"), means.get("m6"), k, n_in, RAW_SUFFIX)
    return out


def estimate_all(resampler: Resampler, sums: Mapping[str, np.ndarray], k: int,
                 n_in: np.ndarray) -> dict[str, Estimate]:
    """Resampled estimates of every derived observable of one ensemble (DESIGN.md s.6).

    sums : name -> (n_bins, L, n_components) float64 bin sums (count x mean), bins as in
    ``resampler.counts``. The same replica weights serve every observable, so derived quantities keep
    their correlations. Returns name -> :class:`Estimate` with the shapes of :func:`observables`.
    """
    split = {name: resampler.central_and_replicas(s) for name, s in sums.items()}
    central = observables({name: c for name, (c, _) in split.items()}, k, n_in)
    replicas = observables({name: r for name, (_, r) in split.items()}, k, n_in)
    return {name: resampler.estimate(central[name], replicas[name]) for name in central}
