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
every average over the same subset re-uses the same sigma evaluations. The built-in sin needs neither: its
averages are sums of Gaussian characteristic functions (``sin_product_average``), exact at any K, where the
rule would alias.
"""

from __future__ import annotations

import math
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


def sin_product_average(K: np.ndarray, positions: Sequence[int], orders: Sequence[int]) -> float:
    """E[prod_i sin^(o_i)(z_(p_i))] over z ~ N(0, K) in closed form, exact at any K: with sin^(o)(z) =
    sin(z + o pi/2) = (e^(i(z + o pi/2)) - e^(-i(z + o pi/2)))/(2i) and E[e^(i v.z)] = exp(-v^T K v/2),
    it is Re[(2i)^-n sum over signs s of (prod s_j) i^(sum s_j o_j) exp(-v_s^T K v_s/2)], v_s = sum_j s_j e_(p_j).
    (Gauss-Hermite aliases here: sin oscillates with frequency sqrt(K) in the rule's coordinates, and for two
    inputs at K = 100 it gave V = 1.6e-5 instead of 1/8.)"""
    n = len(positions)
    total = 0j
    for signs in product((1, -1), repeat=n):
        v = np.zeros(K.shape[0])
        for sign, position in zip(signs, positions):
            v[position] += sign
        quarter_turns = sum(sign * order for sign, order in zip(signs, orders)) % 4
        total += math.prod(signs) * 1j**quarter_turns * math.exp(-0.5 * float(v @ K @ v))
    return float((total / (2j) ** n).real)


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
        self._precision: np.ndarray | None = None
        if model.sinusoidal:  # closed forms (sin_product_average): no rule, no table
            return
        self.rule = quadrature_rule(model, self.K_sub, quadrature)
        top = order if model.max_order is None else min(order, model.max_order)
        self.table = model.table(self.rule.z, top)  # (top+1, N, m)

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
        if self.model.sinusoidal:
            positions = [position for position, _ in factors]
            return sum(count * sin_product_average(self.K_sub, positions, orders) for orders, count in terms.items())
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
