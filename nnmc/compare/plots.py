"""Plots of a Comparison (DESIGN.md s.6): matplotlib is optional and imported only here, lazily.

* ``<file stem>_vs_layer.png``: per quantity (G, V, R4, R6) and component, Monte Carlo value vs layer with the
  reference curve (EFT or exact, as in the rows);
* several files: ``extrapolation_<quantity>_l<layer>.png``: V_exact = n Cov Ghat vs 1/n with the fit and the
  EFT's V at 1/n = 0, and n (G - K) vs 1/n with the fit and the EFT's G1 (K from the EFT).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from nnmc.compare.result import Comparison, Extrapolation, FileComparison
from nnmc.components import label


def _pyplot():
    """matplotlib.pyplot with a file-only backend, or None when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _grid(plt, count: int, title: str):
    cols = min(count, 4)
    rows = -(-count // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.8 * rows), squeeze=False)
    fig.suptitle(title)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, axes.flat


def _vs_layer(plt, f: FileComparison, folder: Path) -> Path:
    series = defaultdict(list)
    for r in f.rows:
        if len(set(r.component)) <= 2:
            series[(r.quantity, r.component)].append(r)
    fig, axes = _grid(plt, len(series), f"{f.path.name}: widths {list(f.widths)}")
    for ax, ((quantity, component), rows) in zip(axes, series.items()):
        layers = [r.layer for r in rows]
        ax.errorbar(layers, [r.value for r in rows], [r.error for r in rows], fmt="o", ms=3, label="Monte Carlo")
        ax.plot(layers, [r.reference for r in rows], "-", label="reference")
        ax.set_title(label(quantity, component), fontsize=9)
        ax.set_xlabel("layer")
    axes[0].legend(fontsize=7)
    path = folder / f"{f.path.stem}_vs_layer.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _extrapolation_panel(ax, e: Extrapolation) -> None:
    n = np.asarray(e.n, dtype=float)
    grid = np.linspace(0.0, 1.0 / n.min(), 50)[1:]
    y, err = np.asarray(e.y), np.asarray(e.error)
    if e.quantity == "V":
        ax.errorbar(1 / n, y, err, fmt="o", ms=3)
        ax.plot(grid, e.fit(1 / grid), "-", label="fit")
        ax.plot([0.0], [e.eft[0]], "s", label="EFT V")
        ax.set_ylabel("n Cov Ghat")
    else:
        ax.errorbar(1 / n, n * (y - e.eft[0]), n * err, fmt="o", ms=3)
        grid = grid[grid >= 0.5 / n.max()]
        ax.plot(grid, (e.fit(1 / grid) - e.eft[0]) / grid, "-", label="fit")
        ax.axhline(e.eft[1], color="C1", label="EFT G1")
        ax.set_ylabel("n (G - K_EFT)")
    ax.set_xlabel("1/n")
    ax.set_title(f"layer {e.layer} {label(e.quantity, e.component)}", fontsize=9)


def _extrapolations(plt, comparison: Comparison, folder: Path) -> list[Path]:
    groups = defaultdict(list)
    for e in comparison.extrapolations:
        if len(set(e.component)) <= 2:
            groups[(e.quantity, e.layer)].append(e)
    paths = []
    for (quantity, layer), fits in groups.items():
        fig, axes = _grid(plt, len(fits), f"width extrapolation, {quantity}, layer {layer}")
        for ax, e in zip(axes, fits):
            _extrapolation_panel(ax, e)
        axes[0].legend(fontsize=7)
        path = folder / f"extrapolation_{quantity}_l{layer}.png"
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths


def write_plots(comparison: Comparison, folder: str | Path) -> tuple[list[Path], str]:
    """Write the PNGs into ``folder`` (created); returns (paths, message). Without matplotlib: ([], why)."""
    plt = _pyplot()
    if plt is None:
        return [], "plots skipped: matplotlib is not installed (pip install 'nnmc[plot]')"
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [_vs_layer(plt, f, folder) for f in comparison.files] + _extrapolations(plt, comparison, folder)
    return paths, f"wrote {len(paths)} plots to {folder}"
