"""Terminal tables: ``format_comparison`` (MC vs EFT) and ``format_theory`` (EFT alone, ``nnmc theory``).

For k > 2 inputs the terminal shows the components with at most two distinct input labels; the JSON has all.
"""

from __future__ import annotations

import math

import numpy as np

from nnmc.analysis.analyse import format_value
from nnmc.compare.exact import EXACT_KINDS
from nnmc.compare.result import Comparison, Extrapolation, FileComparison
from nnmc.compare.rows import component_labels
from nnmc.components import label
from nnmc.theory import EFTResult

POOR_FIT_P = 0.01  # fits with a smaller p-value are flagged '!': the 1/n model does not describe the points


def _shown(component: tuple[int, ...]) -> bool:
    return len(set(component)) <= 2


def _number(x: float, spec: str = "+.2f") -> str:
    return format(x, spec) if math.isfinite(x) else "-"


def _file_table(f: FileComparison) -> list[str]:
    lines = [f"{f.path}: widths {list(f.widths)}, {f.networks} networks",
             f"{'layer':>5} {'n_in':>5} {'quantity':<15} {'Monte Carlo':>20} {'reference':>14} {'pull':>7}  kind"]
    for r in f.rows:
        if _shown(r.component):
            lines.append(f"{r.layer:>5} {r.n_in:>5} {label(r.quantity, r.component):<15} "
                         f"{format_value(r.value, r.error):>20} {r.reference:>14.8g} {_number(r.pull):>7}  "
                         f"{r.reference_kind}")
    return lines


def _exact_summary(f: FileComparison) -> str:
    pulls = np.array([r.pull for r in f.rows if r.reference_kind in EXACT_KINDS and math.isfinite(r.pull)])
    worst = f"max |pull| {np.max(np.abs(pulls)):.2f}" if pulls.size else "none with an error"
    return f"{f.path} (widths {list(f.widths)}, {f.networks} networks): {pulls.size} rows with exact references, {worst}"


def _fit_line(e: Extrapolation) -> str:
    values, errors = e.fit.params, e.fit.errors
    slope = format_value(values[1], errors[1]) if e.quantity == "G" else ""
    eft_slope = f"{e.eft[1]:.6g}" if e.quantity == "G" else ""
    return (f"{e.layer:>5} {label(e.quantity, e.component):<15} {format_value(values[0], errors[0]):>18} "
            f"{e.eft[0]:>12.6g} {_number(e.pulls[0]):>7} {slope:>16} {eft_slope:>12} {_number(e.pulls[1]):>7} "
            f"{_number(e.fit.chi2_per_dof, '.2f'):>8} {_number(e.fit.p_value, '.3f'):>6}"
            f"{' !' if e.fit.p_value < POOR_FIT_P else ''}")


def format_comparison(comparison: Comparison) -> str:
    """Readable table: per-file rows (one file) or the width extrapolation (several files), then the notes."""
    if not comparison.extrapolations:
        lines = _file_table(comparison.files[0])
    else:
        widths = ", ".join(str(n) for n in comparison.extrapolations[0].n)
        lines = [_exact_summary(f) for f in comparison.files] + [
            "", f"width extrapolation over n = n_(l-1) = {widths}: V(n) = V + a/n [+ b/n^2] vs EFT V; "
            "G(n) = K + G1/n [+ c/n^2] vs EFT K, G1",
            f"{'layer':>5} {'quantity':<15} {'n -> inf':>18} {'EFT':>12} {'pull':>7} {'1/n coeff':>16} {'EFT G1':>12} "
            f"{'pull':>7} {'chi2/dof':>8} {'p':>6}"]
        lines += [_fit_line(e) for e in comparison.extrapolations if _shown(e.component)]
        if any(e.fit.p_value < POOR_FIT_P for e in comparison.extrapolations):
            lines.append(f"'!': p < {POOR_FIT_P}: the model misses higher orders in 1/n (add larger widths, or a "
                         "4th width for the 1/n^2 term); its intercept is biased, do not read its pull as a test")
    return "\n".join(lines + [f"note: {note}" for note in comparison.notes])


def format_theory(theory: EFTResult, note: str = "") -> str:
    """Per-layer EFT table: K, Theta, G1, V (and A, B, D, F diagonals where computed), one line per quantity."""
    k = theory.K.shape[1]
    labels = component_labels(k)
    pairs = labels["G"]
    quads = [c for c in labels["V"] if _shown(c)]
    diagonal = [(a, a, a, a) for a in range(k)]
    columns = [("K", pairs), ("Theta", pairs), ("G1", pairs), ("V", quads)] + [
        (name, diagonal) for name in ("A", "B", "D", "F")]
    lines = ([note] if note else []) + [f"{'layer':>5} {'n_in':>5}  {'quantity':<6} components"]
    for l in range(1, theory.depth + 1):
        for name, comps in columns:
            values = getattr(theory, name)
            if values is None:
                continue
            text = "  ".join(f"{label('', c).strip()}={values[l - 1][c]:.8g}" for c in comps)
            lines.append(f"{l:>5} {theory.widths[l - 1]:>5}  {name:<6} {text}")
    lines.append("1/n objects (V, G1, A, B, D, F) at layer l are coefficients of 1/n_(l-1) (theory.md s.0)")
    return "\n".join(lines)
