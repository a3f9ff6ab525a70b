"""Result objects of the Monte Carlo vs EFT comparison and their JSON form (DESIGN.md s.6, s.9).

Components are input-label tuples: G (a, b) with a <= b, V (a, b, c, d) meaning V_(ab)(cd) over the independent
pair pairs, R4 and R6 (a,). Every number that can be undefined (a pull against a zero error, a p-value at dof = 0)
is NaN in Python and null in JSON.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from nnmc.compare.fit import MODEL_RULE, PolyFit


ROUNDING = 1e-12


def pull(value: float, reference: float, error: float) -> float:
    """(value - reference) / error; NaN when the error is at rounding level (<= 1e-12 relative, e.g. the
    deterministic layer 1, whose resampled error is float noise) or not finite."""
    scale = max(abs(value), abs(reference))
    return (value - reference) / error if error > ROUNDING * scale and math.isfinite(error) else math.nan


def _json_number(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass(frozen=True)
class Row:
    """One measured component of one ensemble against its reference.

    ``reference_kind`` says which reference: "exact (...)" (must agree at this width), "EFT K + G1/n"
    (differs at O(1/n^2)), "EFT LO" or "EFT 1 + V/(n K^2)" (differ at O(1/n) resp. O(1/n^2)).
    """

    layer: int
    n_in: int
    quantity: str
    component: tuple[int, ...]
    value: float
    error: float
    reference: float
    reference_kind: str

    @property
    def pull(self) -> float:
        return pull(self.value, self.reference, self.error)

    def to_dict(self) -> dict:
        return {"layer": self.layer, "n_in": self.n_in, "quantity": self.quantity, "component": list(self.component),
                "value": _json_number(self.value), "error": _json_number(self.error),
                "reference": _json_number(self.reference), "reference_kind": self.reference_kind,
                "pull": _json_number(self.pull)}


@dataclass(frozen=True)
class FileComparison:
    """Rows of one ensemble file (``widths`` [n_0, ..., n_L], ``networks`` sampled)."""

    path: Path
    widths: tuple[int, ...]
    networks: int
    rows: tuple[Row, ...]

    def to_dict(self) -> dict:
        return {"file": str(self.path), "widths": list(self.widths), "networks": self.networks,
                "rows": [r.to_dict() for r in self.rows]}


@dataclass(frozen=True)
class Extrapolation:
    """Width extrapolation of one component at one layer: fit of y(n) = p_0 + p_1/n (+ p_2/n^2).

    quantity "V": y = V_exact(n) = n Cov Ghat, p_0 against the EFT's V (``eft[0]``; ``eft[1]`` NaN).
    quantity "G": y = E[Ghat], p_0 against K and p_1 against G1 (``eft`` = (K, G1)).
    n, y, error : (N,) the points (one per file; n = n_{l-1}).
    """

    layer: int
    quantity: str
    component: tuple[int, ...]
    n: tuple[int, ...]
    y: tuple[float, ...]
    error: tuple[float, ...]
    fit: PolyFit
    eft: tuple[float, float]

    @property
    def pulls(self) -> tuple[float, float]:
        """Pulls of the intercept and of the 1/n coefficient against the EFT (NaN where it has none)."""
        errors = self.fit.errors
        return (pull(self.fit.params[0], self.eft[0], errors[0]), pull(self.fit.params[1], self.eft[1], errors[1]))

    def to_dict(self) -> dict:
        errors = self.fit.errors
        names = ["intercept", "inv_n", "inv_n2"][: len(self.fit.params)]
        return {"layer": self.layer, "quantity": self.quantity, "component": list(self.component),
                "n": list(self.n), "y": [_json_number(v) for v in self.y],
                "error": [_json_number(v) for v in self.error],
                "params": {name: {"value": _json_number(v), "error": _json_number(e)}
                           for name, v, e in zip(names, self.fit.params, errors)},
                "chi2": _json_number(self.fit.chi2), "dof": self.fit.dof, "p_value": _json_number(self.fit.p_value),
                "eft": {"intercept": _json_number(self.eft[0]), "inv_n": _json_number(self.eft[1])},
                "pull": {"intercept": _json_number(self.pulls[0]), "inv_n": _json_number(self.pulls[1])}}


@dataclass(frozen=True)
class Comparison:
    """Monte Carlo vs EFT for one ensemble or a width scan (``compare``).

    ``files``: one FileComparison per input file, in order of increasing hidden width; ``extrapolations``:
    empty for one file; ``notes``: what the reader must know (reference kinds, skipped parts).
    """

    config: dict
    files: tuple[FileComparison, ...]
    extrapolations: tuple[Extrapolation, ...] = ()
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready document (NaN -> null)."""
        out = {"config": self.config, "files": [f.to_dict() for f in self.files], "notes": list(self.notes)}
        if self.extrapolations:
            out["model_rule"] = MODEL_RULE
            out["extrapolations"] = [e.to_dict() for e in self.extrapolations]
        return out

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n")
