"""How the cost grows: time per network against width n, inputs k, depth L and ensemble size N.

The conditional sampler costs O(L n k^2) per network (theory.md s.6): k normals per neuron and layer, the
k x k metric from the activations (n k^2 / 2 products) and the draw z = F xi (n k^2 / 2 multiply-adds).
The raw fourth-moment measurement m4 adds n C(k+3, 4) = O(n k^4) per layer, so the k sweep is run with
``moments = 2`` (the sampler) and ``moments = 4`` (sampler + m4, m22); at small k the O(n k) normals dominate,
so the local exponent in k rises from 1 towards 2 (4) only at large k. The N sweep times the whole
``nnmc.generate`` pipeline (blocks, reduction, HDF5) and should be flat per network.

Each point is the best of ``repeats`` calls (``benchmarks.timing``) on all cores; the reported exponent is the
least-squares slope of log(time per network) against log(variable) over the upper half of the points
(where fixed per-network and per-layer overheads no longer dominate).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

import nnmc

from .timing import calibrate, measure
from .workloads import Sampler, generate_seconds, mlp_config

BASE = {"hidden": 256, "depth": 6, "k": 4, "moments": 2}
GRIDS = {
    "full": {"n": [32, 64, 128, 256, 512, 1024, 2048], "k": [1, 2, 4, 8, 16], "L": [2, 3, 5, 9, 17],
             "N": [2_000, 20_000, 200_000]},
    "quick": {"n": [64, 256, 1024], "k": [1, 4, 16], "L": [2, 5, 17], "N": [2_000, 20_000]},
    "tiny": {"n": [8, 16], "k": [1, 2], "L": [2, 3], "N": [200, 400]},
}
EXPECTED = {"n": 1.0, "k (moments 2)": 2.0, "k (moments 4)": 4.0, "L": 1.0, "N (generate, per network)": 0.0}


def _sampler_seconds(cfg: nnmc.Config, target_s: float, repeats: int) -> float:
    work = Sampler(cfg)
    return 1.0 / measure(work, calibrate(work, target_s, 16), repeats).best


def slope(x, seconds) -> float:
    """Least-squares slope of log(seconds) on log(x) over the upper half of the points (>= 2)."""
    x, y = np.log(np.asarray(x, float)), np.log(np.asarray(seconds, float))
    start = (len(x) - 1) // 2  # 7 points: the last 4; 5: the last 3; 3: the last 2; 2: both
    return float(np.polyfit(x[start:], y[start:], 1)[0])


def run_sweeps(scale: str, target_s: float, repeats: int, plot_path: str | Path | None = None) -> dict:
    """All four sweeps at ``scale`` ("full", "quick", "tiny"); seconds per network and fitted exponents."""
    grid = GRIDS[scale]
    b = dict(BASE) if scale != "tiny" else {"hidden": 16, "depth": 3, "k": 2, "moments": 2}
    series = {
        "n": (grid["n"], [mlp_config(n, b["depth"], b["k"], b["moments"]) for n in grid["n"]]),
        "k (moments 2)": (grid["k"], [mlp_config(b["hidden"], b["depth"], k, 2) for k in grid["k"]]),
        "k (moments 4)": (grid["k"], [mlp_config(b["hidden"], b["depth"], k, 4) for k in grid["k"]]),
        "L": (grid["L"], [mlp_config(b["hidden"], L, b["k"], b["moments"]) for L in grid["L"]]),
    }
    out = {"base": b, "expected_exponent": EXPECTED, "series": {}}
    for name, (xs, cfgs) in series.items():
        seconds = [_sampler_seconds(cfg, target_s, repeats) for cfg in cfgs]
        out["series"][name] = {"x": xs, "seconds_per_network": seconds, "exponent": slope(xs, seconds)}
    block = max(min(grid["N"]) // 2, 1)
    seconds = [generate_seconds(mlp_config(b["hidden"], b["depth"], b["k"], b["moments"], networks=N,
                                            block_size=block), max(repeats // 2, 1)) for N in grid["N"]]
    out["series"]["N (generate, per network)"] = {"x": grid["N"], "seconds_per_network": seconds,
                                                  "exponent": slope(grid["N"], seconds), "block_size": block}
    if plot_path is not None:
        out["plot"] = plot_sweeps(out, plot_path)
    return out


def plot_sweeps(result: dict, path: str | Path) -> str:
    """Log-log panels of seconds per network with the expected power drawn through the last point."""
    try:
        import matplotlib
    except ImportError:
        return "matplotlib not installed: no plot (pip install -e '.[plot]')"
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    series = result["series"]
    fig, axes = plt.subplots(1, len(series), figsize=(3.3 * len(series), 3.0), squeeze=False)
    for ax, (name, s) in zip(axes[0], series.items()):
        x, y = np.asarray(s["x"], float), np.asarray(s["seconds_per_network"]) * 1e6
        ax.loglog(x, y, "o-", ms=4, label=f"measured (slope {s['exponent']:.2f})")
        power = result["expected_exponent"][name]
        ax.loglog(x, y[-1] * (x / x[-1]) ** power, "--", color="grey", label=f"x^{power:g}")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
        if power == 0:
            ax.set_yscale("linear")  # flat in N: a linear axis shows the per-network overhead
        ax.set_xlabel(name)
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("microseconds per network")
    fig.suptitle(f"nnmc conditional sampler, ReLU, base n={result['base']['hidden']}, L={result['base']['depth']}, "
                 f"k={result['base']['k']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return str(path)
