"""Analysis of one stored ensemble: bin the blocks, resample, derive (DESIGN.md s.6, s.9).

``analyse(path)`` streams the block means of every observable from the file into at most ``bins``
resampling bins (consecutive blocks; memory independent of the number of networks), builds one
``Resampler`` over the bins and returns an ``Analysis`` with an ``Estimate`` per derived quantity
(nnmc.analysis.observables): Rao-Blackwellised G, m4, m22, connected parts, V, R4 (R6), and the raw
neuron-average versions (suffix "_raw") beside them, plus the consistency check raw - RB.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..components import label
from ..errors import StoreError
from ..store import EnsembleReader
from .observables import RAW_SUFFIX, estimate_all
from .resample import Estimate, Resampler

DEFAULT_MAX_BINS = 1000
FEW_BINS = 20  # fewer resampling bins than this: the table warns that the errors are unreliable
# Same-neuron moments: from Ghat they assume Gaussian rows given the layer below, which holds for Gaussian
# weights only (theory.md s.6: i.i.d. weights with fourth moment mu_W add (C_W^2/n)(mu_W - 3)<sigma^4>).
SAME_NEURON = ("m4", "m4_conn", "R4", "m6", "R6")
NON_GAUSSIAN_NOTE = ("network.weights is not Gaussian: m4, m4_conn, R4, m6, R6 are the raw neuron averages "
                     "(from Ghat they would assume Gaussian weights, theory.md s.6); G, m22, V stay Rao-Blackwellised")
ESTIMATOR_NOTE = ("G, m4, m22, V from the stochastic metric Ghat (Rao-Blackwellised, DESIGN.md s.4); "
                  "*_raw from neuron averages of the sampled preactivations (the sampler's check); "
                  "V = n_{l-1} (E[Ghat_ab Ghat_cd] - G_ab G_cd) (theory.md s.0)")


@dataclass(frozen=True)
class Analysis:
    """Resampled results of one ensemble.

    ``estimates``: name -> Estimate with axes (n_layers, k, ...): G (L, k, k); m4, m22, m4_conn,
    m22_conn, V (L, k, k, k, k); R4 (L, k); same names + "_raw"; "<name>_raw_minus_rb" differences.
    ``layers``, ``n_in``, ``n`` (n_layers,) int: layer numbers, fan-in widths n_{l-1}, widths n_l.
    """

    path: Path
    config: dict
    networks: int
    rejected: int
    blocks: int
    bins: int
    method: str
    layers: np.ndarray
    n_in: np.ndarray
    n: np.ndarray
    estimates: dict
    resampling: dict  # {"method", "bins"} and, for the bootstrap, {"n_boot", "seed"}: enough to reproduce
    estimator: str    # which estimator each quantity uses

    def to_dict(self) -> dict:
        """The JSON document of DESIGN.md s.9 (NaN -> null)."""
        layers = []
        for i, layer in enumerate(self.layers):
            entry = {"layer": int(layer), "n_in": int(self.n_in[i]), "n": int(self.n[i])}
            for name, est in self.estimates.items():
                entry[name] = {"value": _json_array(est.value[i]), "error": _json_array(est.error[i]),
                               "bias": _json_array(est.bias[i])}
            layers.append(entry)
        return {"config": self.config, "file": str(self.path), "networks": self.networks,
                "rejected": self.rejected, "blocks": self.blocks, "bins": self.bins, "method": self.method,
                "resampling": self.resampling, "estimator": self.estimator, "layers": layers}

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n")


def _json_array(a: np.ndarray):
    """Nested lists with NaN/inf replaced by None (JSON has no NaN)."""
    out = np.asarray(a, dtype=object)
    out[~np.isfinite(np.asarray(a, dtype=float))] = None
    return out.tolist()


def bin_sums(reader: EnsembleReader, bins: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Accepted counts (n_bins,) and per-observable bin sums (n_bins, n_layers, n_comp), float64.

    Block b goes to bin floor(b * n_bins / n_blocks): consecutive blocks, equal numbers per bin up to
    one. A sum is count x mean over the bin's blocks; blocks without accepted networks add nothing.
    """
    stats = reader.block_stats()
    accepted = (stats["networks"] - stats["rejected"]).astype(np.float64)
    n_blocks = reader.n_blocks
    n_bins = min(bins, n_blocks)
    bin_of = (np.arange(n_blocks) * n_bins) // max(n_blocks, 1)
    counts = np.bincount(bin_of, weights=accepted, minlength=n_bins)
    sums = {}
    for name in reader.names:
        total = None
        for start, slab in reader.iter_observable(name):
            w = accepted[start:start + len(slab)]
            weighted = np.where(w[:, None, None] > 0, slab * w[:, None, None], 0.0)
            part = np.zeros((n_bins,) + slab.shape[1:])
            np.add.at(part, bin_of[start:start + len(slab)], weighted)
            total = part if total is None else total + part
        sums[name] = total
    return counts, sums


def analyse(path: str | Path, method: str = "jackknife", bins: int = DEFAULT_MAX_BINS, n_boot: int = 1000,
            seed: int = 0) -> Analysis:
    """Resampled analysis of the ensemble stored at ``path`` (see module docstring)."""
    with EnsembleReader(path) as reader:
        counts, sums = bin_sums(reader, bins)
        stats = reader.block_stats()
        config = reader.config
        layers, n_in = reader.layers, reader.n_in
        n_blocks = reader.n_blocks
    networks, rejected = int(stats["networks"].sum()), int(stats["rejected"].sum())
    if networks and rejected == networks:
        raise StoreError(f"{path}: all {networks} networks were rejected as non-finite; nothing to analyse "
                         "(an overflow? try sampling.dtype = 'float64' or smaller C_W)")
    if n_blocks < 2:
        raise StoreError(f"{path} holds {n_blocks} block(s); the errors come from resampling over blocks and need "
                         "at least two (extend it with generate --resume --networks N)")
    resampler = Resampler(counts, method=method, n_boot=n_boot, seed=seed)
    k = config.inputs.shape[0]
    estimates = estimate_all(resampler, sums, k, n_in)
    estimator = ESTIMATOR_NOTE
    if config.data["network"]["weights"] != "gaussian":
        estimator = f"{ESTIMATOR_NOTE}; {NON_GAUSSIAN_NOTE}"
        for name in SAME_NEURON:
            if name + RAW_SUFFIX in estimates:
                estimates[name] = estimates[name + RAW_SUFFIX]
    for name in [n for n in estimates if n.endswith(RAW_SUFFIX)]:
        rb = estimates.get(name[: -len(RAW_SUFFIX)])
        if rb is not None and rb is not estimates[name]:
            raw = estimates[name]
            estimates[f"{name}_minus_rb"] = resampler.estimate(raw.value - rb.value, raw.replicas - rb.replicas)
    widths = np.array(config.widths)
    return Analysis(Path(path), config.data, networks, rejected,
                    n_blocks, resampler.n_bins, method, layers, n_in, widths[layers], estimates,
                    _resampling_record(resampler), estimator)


def _resampling_record(resampler: Resampler) -> dict:
    record = {"method": resampler.method, "bins": resampler.n_bins}
    if resampler.method == "bootstrap":
        record |= {"n_boot": int(resampler.n_boot), "seed": int(resampler.seed)}
    return record


def format_value(value: float, error: float) -> str:
    """'0.51284(55)'-style text with two significant digits of the error."""
    if not (math.isfinite(value) and math.isfinite(error)):
        return "nan" if not math.isfinite(value) else f"{value:.6g}(?)"
    if error <= 0:
        return f"{value:.10g}(0)"
    digits = max(0, 1 - int(math.floor(math.log10(error))))
    if digits > 12:
        return f"{value:.6g}({error:.1g})"
    return f"{value:.{digits}f}({round(error * 10 ** digits):d})"


ROUND_OFF = 1e-12  # relative to the component's natural scale: below it a value or error is float64 round-off


def without_round_off(value: float, error: float, scale: float) -> tuple[float, float]:
    """(value, error) with an error, and then a value, below ROUND_OFF x scale set to 0 (e.g. layer-1 V, which
    is exactly 0, comes out as E[Ghat Ghat] - G G = 1e-14 from float64 cancellation)."""
    if not (math.isfinite(value) and math.isfinite(error)) or error > ROUND_OFF * scale:
        return value, error
    return (0.0 if abs(value) <= ROUND_OFF * scale else value), 0.0


def natural_scale(result: Analysis, i: int, quantity: str, component: tuple[int, ...]) -> float:
    """The scale of ``quantity``'s ``component`` at the i-th measured layer for ``without_round_off``:
    sqrt(G_aa G_bb) for G_ab, n_in sqrt(G_aa G_bb G_cc G_dd) for V_(ab)(cd), 1 for R4 and R6."""
    if quantity in ("R4", "R6"):
        return 1.0
    diag = np.abs(np.diagonal(result.estimates["G"].value[i]))
    scale = math.sqrt(float(np.prod(diag[list(component)])))
    return scale * float(result.n_in[i]) if quantity == "V" else scale


def format_table(result: Analysis) -> str:
    """Readable per-layer table: G, V, R4 with errors, the raw check and its pull.

    For k >= 2 inputs only the components with at most two distinct labels are shown for V
    ((aa)(aa), (aa)(bb), (ab)(ab)); the JSON output has every component. Values and errors at float64
    round-off of the component's scale (sqrt(G_aa G_bb) for G, n_in sqrt(G_aa G_bb G_cc G_dd) for V, 1 for R4)
    print as 0.
    """
    k = len(result.config["inputs"]["values"])
    est = result.estimates
    lines = [f"{result.path}: {result.networks} networks ({result.rejected} rejected) in {result.blocks} blocks, "
             f"{result.bins} {result.method} bins",
             f"{'layer':>5} {'n_in':>5} {'quantity':<16} {'Rao-Blackwellised':>22} {'raw':>22} {'(raw-RB)/err':>12}"]
    for i, layer in enumerate(result.layers):
        rows = []
        for a in range(k):
            for b in range(a, k):
                rows.append(("G", (a, b), (i, a, b)))
        for a in range(k):
            for b in range(a, k):
                rows.append(("V", (a, a, b, b), (i, a, a, b, b)))
                if a != b:
                    rows.append(("V", (a, b, a, b), (i, a, b, a, b)))
        if "R4" in est:
            for a in range(k):
                rows.append(("R4", (a,), (i, a)))
        for name, component, idx in rows:
            if name not in est:
                continue
            scale = natural_scale(result, i, name, component)
            rb = format_value(*without_round_off(est[name].value[idx], est[name].error[idx], scale))
            raw_name = name + RAW_SUFFIX
            raw, pull = "", ""
            if raw_name in est:
                raw = format_value(*without_round_off(est[raw_name].value[idx], est[raw_name].error[idx], scale))
            if f"{raw_name}_minus_rb" in est:  # absent where the reported value is the raw one
                diff = est[f"{raw_name}_minus_rb"]
                d, e = diff.value[idx], diff.error[idx]
                pull = f"{d / e:+.2f}" if e > 0 and math.isfinite(d / e) else ("0" if d == 0 else "")
            lines.append(f"{int(layer):>5} {int(result.n_in[i]):>5} {label(name, component):<16} {rb:>22} {raw:>22} "
                         f"{pull:>12}")
    if result.bins < FEW_BINS:
        lines.append(f"warning: only {result.bins} resampling bins: error bars from so few are unreliable (use at "
                     f"least {FEW_BINS} blocks; theory.md s.10)")
    lines.append(f"estimators: {result.estimator}")
    return "\n".join(lines)


def estimate_of(result: Analysis, name: str) -> Estimate:
    """The Estimate of a derived quantity (KeyError lists the available names)."""
    if name not in result.estimates:
        raise KeyError(f"{name!r} not in analysis; available: {sorted(result.estimates)}")
    return result.estimates[name]
