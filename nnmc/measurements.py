"""What is measured per network and layer, and where each number sits (DESIGN.md s.4, s.5).

Observables (all float64; component tables from ``nnmc.components``):

  name  table          meaning (layer l, n = n_l neurons, Ghat = Ghat^(l), theory.md s.0)
  G     pairs          Ghat_ab                                  (moments >= 2)
  m2    pairs          (1/n) sum_i z_ia z_ib                    (moments >= 2)
  GG    pair_pairs     Ghat_ab Ghat_cd                          (moments >= 4)
  m4    quads          (1/n) sum_i z_ia z_ib z_ic z_id          (moments >= 4)
  m22   pair_pairs     sum_{i != j} z_ia z_ib z_jc z_jd / (n(n-1)); NaN for n = 1  (moments >= 4)
  GGG   pair_triples   Ghat_P Ghat_Q Ghat_R                     (moments = 6)
  m6    sextuples      (1/n) sum_i z_ia ... z_if                (moments = 6)

The CPU kernels compute these on the k_u *distinct* inputs (duplicates are sampled once and copied,
which makes their equality exact, theory.md s.6) and ``Layout.expand`` maps the row to all k inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import components as comp

TABLES = {"G": "pairs", "m2": "pairs", "GG": "pair_pairs", "m4": "quads", "m22": "pair_pairs",
          "GGG": "pair_triples", "m6": "sextuples"}
ORDER = ("G", "m2", "GG", "m4", "m22", "GGG", "m6")  # row order; kernel offset slots: see ``kernel_offsets``
_KERNEL_SLOT = {"G": 0, "GG": 1, "m2": 2, "m4": 3, "m22": 4, "GGG": 5, "m6": 6}


def observables_for(moments: int) -> tuple[str, ...]:
    """Observable names measured at the given moment order (2, 4 or 6)."""
    return ORDER[:2] if moments == 2 else ORDER[:5] if moments == 4 else ORDER


def component_table(name: str, k: int) -> np.ndarray:
    """The index table (int64, (n_components, order)) of observable ``name`` for k inputs."""
    return {"pairs": comp.pairs, "pair_pairs": comp.pair_pairs, "quads": comp.quads,
            "pair_triples": comp.pair_triples, "sextuples": comp.sextuples}[TABLES[name]](k)


def _unique_column(name: str, row: np.ndarray, inverse: np.ndarray, k_u: int) -> int:
    """Column, in the k_u-input table, of full-table entry ``row`` (input labels mapped by ``inverse``)."""
    kind = TABLES[name]
    pi = comp.pair_index(k_u)
    if kind in ("pairs", "quads", "sextuples"):
        labels = tuple(sorted(inverse[np.asarray(row)]))
        table = component_table(name, k_u)
        return int(np.flatnonzero((table == labels).all(axis=1))[0])
    full_pairs = comp.pairs(len(inverse))
    mapped = sorted(int(pi[inverse[full_pairs[P, 0]], inverse[full_pairs[P, 1]]]) for P in row)
    table = component_table(name, k_u)
    return int(np.flatnonzero((table == mapped).all(axis=1))[0])


@dataclass(frozen=True)
class Layout:
    """Row layout for k inputs of which k_u are distinct (``inverse[a]`` = distinct index of input a)."""

    inverse: tuple[int, ...]
    moments: int

    @property
    def k(self) -> int:
        return len(self.inverse)

    @property
    def k_unique(self) -> int:
        return max(self.inverse) + 1

    @property
    def names(self) -> tuple[str, ...]:
        return observables_for(self.moments)

    def sizes(self, k: int) -> dict[str, int]:
        return {name: len(component_table(name, k)) for name in self.names}

    def offsets(self, k: int) -> dict[str, int]:
        """Start column of each observable in a row for k inputs."""
        out, pos = {}, 0
        for name, size in self.sizes(k).items():
            out[name] = pos
            pos += size
        return out

    def width(self, k: int) -> int:
        return sum(self.sizes(k).values())

    def kernel_offsets(self) -> np.ndarray:
        """(7,) int64 offsets for the CPU kernel slots (G, GG, m2, m4, m22, GGG, m6); -1 = not measured."""
        off = np.full(7, -1, dtype=np.int64)
        for name, start in self.offsets(self.k_unique).items():
            off[_KERNEL_SLOT[name]] = start
        return off

    @cached_property
    def gather(self) -> np.ndarray:
        """(width(k),) int64: column of the distinct-input row that each full-row column copies."""
        inv = np.asarray(self.inverse)
        off_u = self.offsets(self.k_unique)
        cols = []
        for name in self.names:
            for row in component_table(name, self.k):
                cols.append(off_u[name] + _unique_column(name, row, inv, self.k_unique))
        return np.array(cols, dtype=np.int64)

    def expand(self, rows: np.ndarray) -> np.ndarray:
        """(..., width(k_u)) distinct-input rows -> (..., width(k)) rows for all inputs."""
        return rows[..., self.gather]

    def split(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """(..., width(k)) full rows -> {name: (..., n_components)} views."""
        out = {}
        for name, start in self.offsets(self.k).items():
            out[name] = rows[..., start:start + self.sizes(self.k)[name]]
        return out


def distinct_inputs(x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    """(k_u, n_0) distinct rows of x in order of first appearance, and inverse (k,) labels."""
    _, first, inverse = np.unique(x, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)  # distinct rows by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return x[np.sort(first)], tuple(int(r) for r in rank[np.ravel(inverse)])
