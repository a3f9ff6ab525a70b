"""The ``nnmc`` command line (DESIGN.md s.1): generate, analyse, info, theory, compare, run.

User errors (``NnmcError``: bad config, unreadable file, unavailable backend) print one line
``nnmc: error: ...`` and exit with status 2, without a traceback. Ctrl-C keeps every block already
written and says how to resume (status 130); a closed output pipe ends quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .errors import NnmcError


def _overrides(args) -> dict:
    sampling = {}
    if getattr(args, "networks", None) is not None:
        sampling["networks"] = args.networks
    if getattr(args, "backend", None) is not None:
        sampling["backend"] = args.backend
    return {"sampling": sampling} if sampling else {}


def _print_generate(report) -> None:
    rate = f", {report.networks_per_second:,.0f} networks/s" if report.added else ""
    print(f"{report.path}: {report.networks} networks in {report.blocks} blocks "
          f"(+{report.added} now, {report.rejected} rejected, {report.seconds:.1f} s{rate})")
    if not report.added and report.networks >= report.requested:
        print(f"{report.path}: already holds {report.networks} >= the {report.requested} networks asked for; nothing "
              "sampled (raise --networks to extend it)")


def cmd_generate(args) -> int:
    from .config import load_config
    from .generate import generate_scan

    config = load_config(args.config, _overrides(args))
    for report in generate_scan(config, args.output, resume=args.resume, overwrite=args.overwrite):
        _print_generate(report)
    return 0


def cmd_analyse(args) -> int:
    from .analysis.analyse import analyse, format_table

    if args.bins < 2:
        raise NnmcError(f"--bins: got {args.bins}; allowed: an integer >= 2 (errors come from resampling over bins)")
    if args.seed < 0:
        raise NnmcError(f"--seed: got {args.seed}; allowed: an integer >= 0")
    outputs = _json_outputs(args.files, args.json)
    for path, out in zip(args.files, outputs):
        result = analyse(path, method=args.method, bins=args.bins, n_boot=args.n_boot, seed=args.seed)
        print(format_table(result))
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            result.write_json(out)
            print(f"wrote {out}")
    return 0


def _json_outputs(files: list[str], json_arg: str | None) -> list[Path | None]:
    """``--json OUT``: the file OUT for one input, else OUT/<stem>.json per input (distinct names required)."""
    if not json_arg:
        return [None] * len(files)
    if len(files) == 1 and not Path(json_arg).is_dir():
        return [Path(json_arg)]
    outputs = [Path(json_arg) / (Path(f).stem + ".json") for f in files]
    clash = [str(o) for o in outputs if outputs.count(o) > 1]
    if clash:
        raise NnmcError(f"--json {json_arg}: several inputs would write {clash[0]} (the same file name twice); "
                        "analyse them separately with one --json file each")
    return outputs


def cmd_info(args) -> int:
    from .info import describe

    for path in args.files:
        print(describe(path))
    return 0


def cmd_theory(args) -> int:
    import json

    from .compare import eft_for_config, format_theory, theory_member
    from .compare.spec import criticality, format_criticality
    from .config import load_config

    config = load_config(args.config)
    member, note = theory_member(config)
    theory = eft_for_config(config)
    critical = criticality(config)
    print(format_theory(theory, note))
    if critical:
        print(format_criticality(critical))
    if args.json:
        document = {"config": member.data, **({"note": note} if note else {}), "criticality": critical,
                    **theory.to_dict()}
        Path(args.json).write_text(json.dumps(document, indent=1) + "\n")
        print(f"wrote {args.json}")
    return 0


def _report_comparison(paths, json_path, plot_dir) -> None:
    from .compare import compare, format_comparison, write_plots

    comparison = compare(paths)
    print(format_comparison(comparison))
    if json_path:
        comparison.write_json(json_path)
        print(f"wrote {json_path}")
    if plot_dir:
        print(write_plots(comparison, plot_dir)[1])


def cmd_compare(args) -> int:
    import importlib.util

    if args.plot and importlib.util.find_spec("matplotlib") is None:
        raise NnmcError(f"--plot {args.plot}: matplotlib is not installed (pip install 'nnmc[plot]')")
    _report_comparison(args.files, args.json, args.plot)
    return 0


def cmd_run(args) -> int:
    from .analysis.analyse import analyse, format_table
    from .config import load_config
    from .generate import generate, scan_paths

    config = load_config(args.config, _overrides(args))
    stem = Path(args.config).stem
    out_dir = Path(args.output) if args.output else Path("runs") / stem
    members = scan_paths(config, out_dir) if config.scan else [(config, out_dir / f"{stem}.h5")]
    networks, block_size = config.sampling["networks"], config.sampling["block_size"]
    if networks <= block_size:
        raise NnmcError(f"sampling.networks = {networks} with sampling.block_size = {block_size} gives one block; "
                        "the analysis of 'run' resamples over blocks and needs at least two (20 or more for "
                        "reliable errors): raise networks or lower block_size")
    from .compare import eft_for_config

    # the comparison's EFT before any sampling, so that what it cannot compute (singular kernels of kinked
    # activations, too many inputs) is refused first; scan members differ only in widths, which do not matter here
    eft_for_config(config, "four_point")
    for member, path in members:
        report = generate(member, path, resume=args.resume, overwrite=args.overwrite)
        _print_generate(report)
    for member, path in members:
        result = analyse(path)
        print()
        print(format_table(result))
        json_path = path.with_suffix(".json")
        result.write_json(json_path)
        print(f"wrote {json_path}")
    print()
    _report_comparison([path for _, path in members], out_dir / "compare.json", out_dir)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nnmc", description="Monte Carlo ensembles of random neural networks "
                                     "and the finite-width effective field theory.")
    parser.add_argument("--version", action="version", version=f"nnmc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def add_generation_options(p, output_help):
        p.add_argument("config", help="TOML config file (see README)")
        p.add_argument("-o", "--output", help=output_help, required=p.prog.endswith("generate"))
        p.add_argument("--networks", type=int, help="number of networks (overrides sampling.networks)")
        p.add_argument("--backend", choices=["auto", "cpu", "cupy"], help="overrides sampling.backend")
        mode = p.add_mutually_exclusive_group()
        mode.add_argument("--resume", action="store_true", help="continue an existing file after its last block")
        mode.add_argument("--overwrite", action="store_true", help="replace an existing file")

    p = sub.add_parser("generate", help="sample an ensemble into an HDF5 file")
    add_generation_options(p, "output file (a folder for a config with [scan])")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("analyse", aliases=["analyze"], help="jackknife/bootstrap analysis of stored ensembles")
    p.add_argument("files", nargs="+")
    p.add_argument("--method", choices=["jackknife", "bootstrap"], default="jackknife")
    p.add_argument("--bins", type=int, default=1000, help="at most this many resampling bins (default 1000)")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicas (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--json", help="write the results as JSON (a folder when several files are given)")
    p.set_defaults(func=cmd_analyse)

    p = sub.add_parser("info", help="what an ensemble file holds")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("theory", help="analytic EFT values (K, V, G1, Theta, A, B, D, F) for a config")
    p.add_argument("config", help="TOML config file (a [scan] config: its first member's widths)")
    p.add_argument("--json", help="write {config, layers: [{layer, K, V, G1, Theta, ...}]} (DESIGN.md s.9)")
    p.set_defaults(func=cmd_theory)

    p = sub.add_parser("compare", help="Monte Carlo vs EFT: pulls; several files of a width scan: extrapolation")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", help="write the comparison as JSON")
    p.add_argument("--plot", help="folder for PNG plots (needs matplotlib)")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("run", help="generate + analyse + compare with the EFT")
    add_generation_options(p, "output folder (default runs/<config name>)")
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except NnmcError as exc:
        print(f"nnmc: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nnmc: interrupted; every completed block is stored, continue with --resume", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which has exited: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # files the user named: folders, permissions, locks
        print(f"nnmc: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
