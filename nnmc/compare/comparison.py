"""``compare(paths)``: Monte Carlo ensembles against the analytic EFT (DESIGN.md s.1, s.6).

One file: every measured component against its reference (``nnmc.compare.rows``). Several files: they must
form a width scan (``nnmc.compare.scan``); each gets its rows and, per layer and component, the width
extrapolation is fitted and compared with the EFT.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nnmc.analysis.analyse import analyse
from nnmc.compare.fit import MODEL_RULE
from nnmc.compare.result import Comparison
from nnmc.compare.rows import REFERENCE_NOTE, file_rows
from nnmc.compare.scan import check_scan, extrapolate, hidden_width
from nnmc.compare.spec import eft_for_config
from nnmc.config import Config


def compare(paths: Sequence[str | Path], method: str = "jackknife") -> Comparison:
    """Compare the ensembles stored at ``paths`` with the EFT (module docstring).

    ``method``: resampling of ``nnmc.analyse`` ("jackknife" or "bootstrap"). Several files must differ only
    in their (equal) hidden widths and seeds, else ``IncompatibleEnsembles``; they are ordered by width.
    """
    if not paths:
        raise ValueError("compare() needs at least one file")
    analyses = [analyse(path, method=method) for path in paths]
    configs = [Config.from_dict(a.config) for a in analyses]
    notes = [REFERENCE_NOTE, "Monte Carlo: Rao-Blackwellised estimators (DESIGN.md s.4), "
             f"{method} errors; EFT: nnmc.theory with the files' own architecture and inputs"]
    if configs[0].data["network"]["weights"] != "gaussian":
        notes.append(f"network.weights = '{configs[0].data['network']['weights']}': the EFT assumes Gaussian "
                     "weights; expect (mu_W - 3) terms of order 1/fan-in from every layer below (1/n_0 from the "
                     "first), in R4 and in V and G beyond leading order (theory.md s.6)")
    extrapolations = []
    if len(analyses) > 1:
        check_scan(configs, paths)
        widths = [hidden_width(c, p) for c, p in zip(configs, paths)]
        order = sorted(range(len(paths)), key=lambda j: widths[j])
        analyses, configs, widths = ([seq[j] for j in order] for seq in (analyses, configs, widths))
        extrapolations, skipped = extrapolate(analyses, widths, eft_for_config(configs[0], "four_point"))
        notes += [MODEL_RULE, "fit errors from the weighted least-squares covariance (files are independent "
                  "ensembles); pulls against the EFT ignore its quadrature error", *skipped]
    files = tuple(file_rows(a, c, eft_for_config(c, "four_point")) for a, c in zip(analyses, configs))
    return Comparison(configs[0].data, files, tuple(extrapolations), tuple(notes))
