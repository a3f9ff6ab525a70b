"""Width scans: which files form one, and the extrapolation n -> infinity (DESIGN.md s.6, theory.md s.10).

Files form a width scan when their ensembles differ only in the hidden widths n_1..n_{L-1} (all equal within a
file), the seed and the block size: ``Config.ensemble_dict()`` without those (and without ``scan_origin``) must
be equal. Every file needs its own seed: the random stream of network i does not depend on the width, so two
widths sampled with one seed share their random numbers, their results are correlated (about 0.5-0.7 for G
at layers 2-4) and the fit, which treats the points as independent, would overstate its p-values.
Per layer l >= 2 and component, with n = n_{l-1} the file's hidden width, ``extrapolate`` fits
V_exact(n) = V + a/n (+ b/n^2) and G(n) = K + G1/n (+ c/n^2) (model rule in ``nnmc.compare.fit``) and sets
the intercepts against the EFT's V and K and the 1/n coefficient of G against G1 (theory.md s.0, s.3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nnmc.analysis.analyse import Analysis
from nnmc.compare.fit import fit_inverse_powers, model_order
from nnmc.compare.result import Extrapolation
from nnmc.compare.rows import component_labels
from nnmc.config import Config, differing_fields, flatten
from nnmc.errors import NnmcError
from nnmc.theory import EFTResult


class IncompatibleEnsembles(NnmcError):
    """Files given together to ``compare`` do not form a width scan of one ensemble definition."""


def _scan_key(config: Config) -> dict:
    """``ensemble_dict()`` without the hidden widths, seed, block size and ``scan_origin`` (dotted keys)."""
    d = config.ensemble_dict()
    d["network"]["widths"] = [d["network"]["widths"][0], d["network"]["widths"][-1]]
    d["sampling"].pop("seed")
    d["sampling"].pop("block_size")
    d.pop("scan_origin", None)
    return flatten(d)


def hidden_width(config: Config, path: Path | str) -> int:
    """The common hidden width n_1 = ... = n_{L-1} of one file (IncompatibleEnsembles if there is none)."""
    hidden = set(config.widths[1:-1])
    if len(hidden) != 1:
        raise IncompatibleEnsembles(
            f"{path}: widths {config.widths}: a width scan needs L >= 2 and equal hidden widths n_1 = ... = n_(L-1) "
            "in every file (the fit variable is n = n_(l-1))")
    return hidden.pop()


def check_scan(configs: Sequence[Config], paths: Sequence[Path | str]) -> None:
    """Raise IncompatibleEnsembles unless the files are independent ensembles of one width scan (module docstring)."""
    reference = _scan_key(configs[0])
    seen = {}
    for config, path in zip(configs, paths):
        key = _scan_key(config)
        differing = differing_fields(reference, key)
        if differing:
            shown = ", ".join(f"{f}: {reference.get(f)!r} vs {key.get(f)!r}" for f in differing[:4])
            raise IncompatibleEnsembles(
                f"{path} and {paths[0]} differ in more than hidden widths, seed and block size ({shown}); "
                "give files of one width scan (e.g. the members of one [scan] config)")
        width, seed = hidden_width(config, path), config.sampling["seed"]
        if seed in seen:
            other, other_width = seen[seed]
            what = "hold the same ensemble" if other_width == width else "share a seed"
            raise IncompatibleEnsembles(
                f"{path} and {other} {what} (hidden widths {other_width} and {width}, seed {seed}); the fit needs "
                "independent ensembles: give every width its own seed (a [scan] config derives one per width)")
        seen[seed] = (path, width)
    if len({w for _, w in seen.values()}) < 2:
        raise IncompatibleEnsembles(f"all files have hidden width {width}; a width extrapolation needs at least "
                                    "two different widths")


def extrapolate(analyses: Sequence[Analysis], widths: Sequence[int], theory: EFTResult
                ) -> tuple[list[Extrapolation], list[str]]:
    """Fits per layer >= 2 and component (module docstring) and notes on skipped ones.

    analyses : one Analysis per file of a checked scan; widths : their hidden widths n; theory : the EFT
    (width-independent for equal hidden widths). Components with a zero or non-finite error are skipped.
    """
    n = np.asarray(widths, dtype=float)
    order = model_order(n)
    k = theory.K.shape[1]
    labels = component_labels(k)
    fits, skipped = [], []
    for i, layer in enumerate(analyses[0].layers):
        l = int(layer)
        if l < 2:
            continue  # n_0 is not scanned
        for quantity in ("G", "V"):
            if quantity not in analyses[0].estimates:
                continue
            for c in labels[quantity]:
                y = np.array([a.estimates[quantity].value[(i, *c)] for a in analyses])
                error = np.array([a.estimates[quantity].error[(i, *c)] for a in analyses])
                if not (np.all(error > 0) and np.all(np.isfinite(y))):
                    skipped.append(f"layer {l} {quantity}{c}")
                    continue
                fit = fit_inverse_powers(n, y, error, order)
                eft = (theory.K[l - 1][c], theory.G1[l - 1][c]) if quantity == "G" else (theory.V[l - 1][c], math.nan)
                fits.append(Extrapolation(l, quantity, c, tuple(int(w) for w in widths), tuple(y.tolist()),
                                          tuple(error.tolist()), fit, (float(eft[0]), float(eft[1]))))
    notes = [f"not fitted (zero or undefined errors): {', '.join(skipped)}"] if skipped else []
    return fits, notes
