"""Command line: ``python -m benchmarks run [--quick] [--sections ...] [--no-record]``.

``run`` measures the suite (``benchmarks.suite``), prints the table and, unless ``--no-record``, appends a
dated entry to ``benchmarks/RESULTS.md`` with the raw JSON in ``benchmarks/results/`` and the sweep plot in
``benchmarks/sweeps.png``. ``p3-analyse`` is internal (a fresh interpreter for P3's memory figure).
"""
from __future__ import annotations

import argparse
import json
import sys

from .machine import ROOT, machine_info

RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"
RESULTS_JSON = ROOT / "benchmarks" / "results"
SWEEP_PLOT = ROOT / "benchmarks" / "sweeps.png"


def cmd_run(args) -> int:
    from .report import format_result, record
    from .suite import SECTIONS, Sizes, run_suite

    sizes = Sizes.quick() if args.quick else Sizes.full()
    if args.no_nt:
        sizes = Sizes(**{**sizes.__dict__, "nt_samples": None})
    sections = args.sections or list(SECTIONS)
    machine = machine_info()
    result = run_suite(sizes, sections, plot_path=None if args.no_record else SWEEP_PLOT)
    print(format_result(result))
    if not args.no_record:
        path = record(result, machine, RESULTS_MD, RESULTS_JSON)
        print(f"\nappended to {RESULTS_MD}; raw figures in {path}")
    return 0


def cmd_p3_analyse(args) -> int:
    from .p3 import analyse_here

    print(json.dumps(analyse_here(args.file, args.bins)))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description="nnmc benchmarks against peers and floors")
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="measure the suite, print the table, append to benchmarks/RESULTS.md")
    run.add_argument("--quick", action="store_true", help="shorter timings, smaller P3 and sweeps")
    run.add_argument("--sections", nargs="+", choices=["normals", "p1", "p3", "sweeps", "activations"],
                     help="only these sections (default: all)")
    run.add_argument("--no-nt", action="store_true", help="skip the neural-tangents baseline")
    run.add_argument("--no-record", action="store_true", help="print only; do not touch RESULTS.md")
    run.set_defaults(func=cmd_run)
    p3 = sub.add_parser("p3-analyse", help="(internal) analyse one file, print seconds and peak RSS as JSON")
    p3.add_argument("file")
    p3.add_argument("--bins", type=int, default=1000)
    p3.set_defaults(func=cmd_p3_analyse)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
