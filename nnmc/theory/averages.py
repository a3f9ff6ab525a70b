"""Gaussian averages of products of activation derivatives, with derivative operators applied.

The basic object is <d_{e1} ... d_{er} prod_i sigma^(p_i)(z_{a_i})>_K (theory.md s.1.2 item 5)
over the distinct inputs involved (a "subset" of the k inputs: 1-d, 2-d or 4-d quadrature).
Two equivalent routes:

* derivative form (5a): distribute the d_e over the factors by Leibniz' rule and average
  products of higher pointwise derivatives -- used whenever they exist (smooth sigma); exact for
  singular K (duplicate or parallel inputs);
* Stein/Hermite form (5b, Appendix): <g He_E(y)> with y = K^{-1} z and the Hermite tensor
  He_{E+e} = y_e He_E - sum_{f in E} P_ef He_{E-f}, P = K^{-1} -- used for kinked sigma (ReLU
  family) and for user callables without enough derivatives; needs K of the subset invertible.

``SubsetAverages`` holds one quadrature rule and the derivative table of sigma on its nodes, so
every average over the same subset re-uses the same sigma evaluations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import combinations, product

import numpy as np

from nnmc.theory.activation_model import ActivationModel, TheoryError
from nnmc.theory.quadrature import GaussianRule, Quadrature, angular_rule, gauss_hermite_rule

Factor = tuple[int, int]  # (position of the input inside the subset, derivative order)

# Largest pointwise derivative order tabulated for smooth activations (Leibniz terms need
# sigma'''' for G^{1}, sigma''''' for the 1-d H^{1} source).
TABLE_ORDER = 5

# Condition number above which a subset covariance is treated as singular by the Stein form.
STEIN_CONDITION_LIMIT = 1e12

# sin: the largest error allowed on the rule's E[cos(s.z)] = exp(-s^T K s / 2) (``check_oscillation``); the
# rules are as accurate as that for tanh-like activations over 3-4 inputs (Quadrature); aliasing errors reach 1
OSCILLATION_TOLERANCE = 1e-4


def _probe_frequencies(m: int) -> np.ndarray:
    """(F, m) frequencies s of the products of four sin factors over m inputs, each input carrying at least
    one: sin^a sin^b ... expands into cos(s.z) / sin(s.z) with |s_i| <= (factors on input i), of their parity
    (derivatives only shift phases). The largest such |s| for each split of the four factors over the inputs."""
    splits = {1: [(4,), (2,)], 2: [(3, 1), (1, 3), (2, 2)], 3: [(2, 1, 1), (1, 2, 1), (1, 1, 2)],
              4: [(1, 1, 1, 1)]}[m]
    frequencies = set()
    for split in splits:
        for signs in product((1, -1), repeat=m - 1):
            frequencies.add((split[0], *(c * n for c, n in zip(signs, split[1:]))))
    return np.array(sorted(frequencies))


def check_oscillation(rule: GaussianRule, K_sub: np.ndarray, labels: tuple[int, ...]) -> None:
    """Raise TheoryError when ``rule`` cannot resolve sin over N(0, K_sub): it must reproduce
    E[cos(s.z)] = exp(-s^T K s / 2) for the frequencies of ``_probe_frequencies`` (Gauss-Hermite with d nodes
    per axis resolves frequencies up to about sqrt(2 d) / sqrt(K); beyond, its averages are silently wrong)."""
    s = _probe_frequencies(K_sub.shape[0])
    exact = np.exp(-0.5 * np.einsum("fi,ij,fj->f", s, K_sub, s))
    approx = np.cos(rule.z @ s.T.astype(float)).T @ rule.w
    worst = float(np.max(np.abs(approx - exact)))
    if not worst <= OSCILLATION_TOLERANCE:
        raise TheoryError(
            f"activation 'sin': the quadrature over inputs {labels} cannot resolve sin at K = "
            f"{np.round(np.diagonal(K_sub), 3).tolist()} (it misses E[cos(s.z)] = exp(-s^T K s/2) by {worst:.1e}), "
            "so the EFT would be wrong; use smaller inputs, C_W or C_b (K of order 10 is resolved over two inputs, "
            "less over four), or pass a finer nnmc.theory.Quadrature")


def quadrature_rule(model: ActivationModel, K_sub: np.ndarray, quadrature: Quadrature) -> GaussianRule:
    """The rule for averages over N(0, K_sub): angular for 2-d ReLU-family averages, else
    tensor Gauss-Hermite with ``quadrature.nodes_for(m)`` nodes per axis (s.1.2)."""
    if K_sub.shape[0] == 2 and model.slopes is not None:
        return angular_rule(K_sub, quadrature.angular_nodes, quadrature.radial_nodes)
    return gauss_hermite_rule(K_sub, quadrature.nodes_for(K_sub.shape[0]))


def leibniz_terms(factors: Sequence[Factor], diffs: Sequence[int]) -> Counter:
    """Expand d_{diffs} prod_i sigma^(p_i)(z_{pos_i}) into {(orders per factor): multiplicity}."""
    terms = Counter({tuple(order for _, order in factors): 1})
    for e in diffs:
        expanded: Counter = Counter()
        for orders, count in terms.items():
            for i, (position, _) in enumerate(factors):
                if position == e:
                    raised = list(orders)
                    raised[i] += 1
                    expanded[tuple(raised)] += count
        terms = expanded
    return terms


class SubsetAverages:
    """Averages over the Gaussian vector of the inputs ``labels`` (a tuple of distinct input
    indices, m = len(labels) <= 4) with covariance K[labels][:, labels]."""

    def __init__(self, model: ActivationModel, K: np.ndarray, labels: tuple[int, ...],
                 quadrature: Quadrature, order: int):
        self.model = model
        self.labels = labels
        self.K_sub = K[np.ix_(labels, labels)]
        self.rule = quadrature_rule(model, self.K_sub, quadrature)
        if model.name == "sin":
            check_oscillation(self.rule, self.K_sub, labels)
        top = order if model.max_order is None else min(order, model.max_order)
        self.table = model.table(self.rule.z, top)  # (top+1, N, m)
        self._precision: np.ndarray | None = None

    def _product(self, factors: Sequence[Factor], orders: Sequence[int]) -> np.ndarray:
        """prod_i sigma^(orders_i)(z_{pos_i}) on the nodes, shape (N,)."""
        values = np.ones(self.rule.w.shape[0])
        for (position, _), order in zip(factors, orders):
            values = values * self.table[order, :, position]
        return values

    def _hermite(self, diffs: tuple[int, ...]) -> np.ndarray:
        """Hermite tensor He_diffs(y), y = K_sub^{-1} z, on the nodes (Appendix)."""
        if self._precision is None:
            if np.linalg.cond(self.K_sub) > STEIN_CONDITION_LIMIT:
                raise TheoryError(
                    f"activation '{self.model.name}': inputs {self.labels} are parallel, opposite or zero "
                    "(their kernel is singular); for a kinked activation the 1/n terms (V, G1) are singular there "
                    "(theory.md s.1.2): use inputs that are not parallel and not zero, or a smooth activation")
            self._precision = np.linalg.inv(self.K_sub)
        y = self.rule.z @ self._precision
        return _hermite_tensor(diffs, y, self._precision)

    def average(self, factors: Sequence[Factor], diffs: Sequence[int] = ()) -> float:
        """<d_diffs prod_i sigma^(p_i)(z_{pos_i})>_K; positions index ``labels``."""
        terms = leibniz_terms(factors, diffs)
        if not terms:
            return 0.0
        if all(max(orders) < self.table.shape[0] for orders in terms):
            integrand = sum(count * self._product(factors, orders) for orders, count in terms.items())
        else:
            own = [order for _, order in factors]
            integrand = self._product(factors, own) * self._hermite(tuple(diffs))
        return float(self.rule.w @ integrand)

    def four_factor_values(self, orders: tuple[int, int, int, int], local: np.ndarray) -> np.ndarray:
        """<sigma^(o1)(z_i) sigma^(o2)(z_j) sigma^(o3)(z_k) sigma^(o4)(z_l)> for the local index
        columns (i, j, k, l) of ``local`` (4, M); equal products (same multiset of (label, order))
        are integrated once."""
        cache: dict[tuple[Factor, ...], float] = {}
        values = np.empty(local.shape[1])
        for column, labels in enumerate(local.T):
            key = tuple(sorted(zip(labels.tolist(), orders)))
            if key not in cache:
                cache[key] = self.average(key)
            values[column] = cache[key]
        return values


def _hermite_tensor(diffs: tuple[int, ...], y: np.ndarray, precision: np.ndarray) -> np.ndarray:
    """He_E(y) by He_{E+e} = y_e He_E - sum_{f in E} P_ef He_{E-f}, He_() = 1."""
    if not diffs:
        return np.ones(y.shape[0])
    *rest, e = diffs
    rest = tuple(rest)
    value = y[:, e] * _hermite_tensor(rest, y, precision)
    for i, f in enumerate(rest):
        value = value - precision[e, f] * _hermite_tensor(rest[:i] + rest[i + 1:], y, precision)
    return value


def distinct_subsets(k: int, largest: int = 4) -> list[tuple[int, ...]]:
    """Every set of 1..min(k, largest) distinct input labels, as increasing tuples."""
    return [s for size in range(1, min(k, largest) + 1) for s in combinations(range(k), size)]


def _local_tuples_covering(m: int) -> np.ndarray:
    """Local index 4-tuples (4, M) over range(m) that use every one of the m labels."""
    tuples = np.indices((m,) * 4).reshape(4, -1)
    uses_all = np.array([len(set(column)) == m for column in tuples.T])
    return tuples[:, uses_all]


def four_factor_averages(subsets: Iterable[tuple[tuple[int, ...], SubsetAverages]], k: int,
                         orders: Sequence[tuple[int, int, int, int]]) -> list[np.ndarray]:
    """Full (k, k, k, k) tensors of <sigma^(o1)_a sigma^(o2)_b sigma^(o3)_c sigma^(o4)_d>_K, one per entry of
    ``orders``; each entry is integrated over exactly its distinct inputs (s.1.2: a 4-point average with two
    distinct inputs is a 2-d integral). ``subsets`` yields (labels, averager) for every set of distinct labels
    (``distinct_subsets(k)``); it may build each averager on the fly, so that only one 4-d rule is alive at
    a time (memory independent of the number of inputs)."""
    results = [np.zeros((k,) * 4) for _ in orders]
    for labels, averages in subsets:
        local = _local_tuples_covering(len(labels))
        index = tuple(np.asarray(labels)[local])
        for result, order in zip(results, orders):
            result[index] = averages.four_factor_values(order, local)
    return results
