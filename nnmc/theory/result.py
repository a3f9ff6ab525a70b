"""EFTResult: per-layer EFT objects of one architecture and input set, and their JSON form.

Arrays are float64 and indexed [layer - 1, input labels...] for layers 1..L (DESIGN.md s.9);
every 1/n object at layer l is the O(1) coefficient of 1/n_{l-1} (theory.md s.0).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

PER_LAYER_KEYS = ("K", "Theta", "V", "G1", "A", "B", "D", "F", "H1")


@dataclass(frozen=True)
class EFTResult:
    """Leading-order and 1/n EFT objects per layer.

    K, Theta, G1: (L, k, k).  V, A, B, D, F: (L, k, k, k, k) with V[l-1][a][b][c][d] = V_(ab)(cd),
    A, D likewise, B[l-1][p][q][r][s] = B_(pq)(rs), F likewise (theory.md s.7.3 / T15).
    H1: (L, k), the diagonal H^{1}_aa (single-input eq. 7.3 per input).
    chi_par, chi_perp: (L-1, k), susceptibilities of the map l -> l+1 at K^(l)_aa (with
    C_W^(l+1)), l = 1..L-1 (theory.md s.2.3).
    Fields not computed (``observables`` of ``eft``) are None.
    """

    widths: tuple[int, ...]
    K: np.ndarray
    Theta: np.ndarray
    V: np.ndarray | None = None
    G1: np.ndarray | None = None
    A: np.ndarray | None = None
    B: np.ndarray | None = None
    D: np.ndarray | None = None
    F: np.ndarray | None = None
    H1: np.ndarray | None = None
    chi_par: np.ndarray | None = None
    chi_perp: np.ndarray | None = None

    @property
    def depth(self) -> int:
        """Number of layers L."""
        return self.K.shape[0]

    def to_dict(self) -> dict:
        """JSON-ready ``{"layers": [{"layer": l, "n_in": n_{l-1}, "n": n_l, "K": ..., ...}]}``
        with nested lists indexed by input labels (DESIGN.md s.9); chi_par/chi_perp at layer l
        are those of the step l -> l+1 (absent at the last layer)."""
        layers = []
        for l in range(1, self.depth + 1):
            entry: dict = {"layer": l, "n_in": self.widths[l - 1], "n": self.widths[l]}
            for key in PER_LAYER_KEYS:
                value = getattr(self, key)
                if value is not None:
                    entry[key] = value[l - 1].tolist()
            if self.chi_par is not None and l < self.depth:
                entry["chi_par"] = self.chi_par[l - 1].tolist()
                entry["chi_perp"] = self.chi_perp[l - 1].tolist()
            layers.append(entry)
        return {"layers": layers}

    def max_abs_difference(self, other: EFTResult) -> dict[str, float]:
        """max |self - other| per computed field (e.g. for quadrature error estimates)."""
        return {f.name: float(np.max(np.abs(getattr(self, f.name) - getattr(other, f.name))))
                for f in fields(self)
                if f.name != "widths" and getattr(self, f.name) is not None}
