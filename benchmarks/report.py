"""Turn a suite result (``benchmarks.suite.run_suite``) into the terminal table and the RESULTS.md entry.

Every comparison is a ratio of figures measured in the same run (best of the repeats; medians in the JSON).
Goals (issue "Benchmarks against peers and against the physical floor"): P1 at >= 150x neural-tangents' Monte
Carlo NNGP throughput and >= 80 % of the normals floor on all cores; P3: a 10^8-network file analysed in
under a minute with memory independent of N.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

GOAL_NT_RATIO = 150.0
GOAL_FLOOR_FRACTION = 0.80
GOAL_P3_SECONDS = 60.0


def _si(x: float) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.3g}"


def _best(rates: dict, name: str) -> float:
    return rates[name]["best"]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _normals_lines(n: dict) -> list[str]:
    rates = n["rates"]
    numpy_name = next(k for k in rates if k.startswith("numpy"))
    ref = _best(rates, numpy_name)
    rows = [[name, _si(r["best"]), _si(r["median"]), f"{r['best'] / ref:.2f}"] for name, r in rates.items()]
    return ["### Normals (float64)", ""] + _table(["generator", "normals/s (best)", "median", "/ numpy 1 core"], rows)


def _p1_summary(p: dict) -> dict:
    """The headline ratios of the P1 section (None where a baseline was not measured)."""
    rates = p["rates"]
    all_name = next(k for k in rates if k.startswith("nnmc P1") and not k.endswith("1 core"))
    floor_all = next(k for k in rates if k.startswith("normals floor") and not k.endswith("1 core"))
    s = {"nnmc_all": _best(rates, all_name), "nnmc_1": _best(rates, "nnmc P1, 1 core"),
         "floor_all": _best(rates, floor_all), "floor_1": _best(rates, "normals floor, 1 core")}
    s["floor_fraction_all"] = s["nnmc_all"] / s["floor_all"]
    s["floor_fraction_1"] = s["nnmc_1"] / s["floor_1"]
    nt = p["neural_tangents"]
    s["nt_nngp_all"] = nt["all cores"]["nngp_networks_per_s"] if "all cores" in nt else None
    s["nt_ntk_all"] = nt["all cores"]["ntk_networks_per_s"] if "all cores" in nt else None
    s["nt_nngp_1"] = nt["1 core"]["nngp_networks_per_s"] if "1 core" in nt else None
    # the peer at its best on this machine: XLA's threads can make the one-core run the faster one
    s["nt_nngp_best"] = max(v for v in (s["nt_nngp_all"], s["nt_nngp_1"]) if v) if s["nt_nngp_all"] else None
    s["nt_ratio_all"] = s["nnmc_all"] / s["nt_nngp_all"] if s["nt_nngp_all"] else None
    s["nt_ratio_best"] = s["nnmc_all"] / s["nt_nngp_best"] if s["nt_nngp_best"] else None
    return s


def _p1_lines(p: dict) -> list[str]:
    s = _p1_summary(p)
    rows = [["nnmc P1, all cores", _si(s["nnmc_all"]), "1", f"{s['floor_fraction_all']:.0%} of the floor"],
            ["nnmc P1, 1 core", _si(s["nnmc_1"]), f"{s['nnmc_1'] / s['nnmc_all']:.2f}",
             f"{s['floor_fraction_1']:.0%} of the floor"],
            ["nnmc generate P1 into HDF5, all cores", _si(p["generate"]["networks_per_s"]),
             f"{p['generate']['networks_per_s'] / s['nnmc_all']:.2f}", f"{p['generate']['networks']} networks, end to end"],
            ["normals floor, all cores", _si(s["floor_all"]), f"{s['floor_all'] / s['nnmc_all']:.2f}",
             f"{p['normals_per_network']} normals per network"],
            ["normals floor, 1 core", _si(s["floor_1"]), f"{s['floor_1'] / s['nnmc_all']:.2f}", ""]]
    for label, r in p["naive_numpy"].items():
        rows.append([f"naive NumPy explicit weights, {label}", _si(r["networks_per_s"]),
                     f"{r['networks_per_s'] / s['nnmc_all']:.4f}", f"nnmc all cores is {s['nnmc_all'] / r['networks_per_s']:.0f}x"])
    nt = p["neural_tangents"]
    if "skipped" in nt:
        rows.append(["neural-tangents monte_carlo_kernel_fn", "-", "-", f"skipped: {nt['skipped']}"])
    else:
        for label, r in nt.items():
            for get in ("nngp", "ntk"):
                rate = r[f"{get}_networks_per_s"]
                rows.append([f"neural-tangents MC get='{get}', {label}", _si(rate), f"{rate / s['nnmc_all']:.5f}",
                             f"nnmc all cores is {s['nnmc_all'] / rate:.0f}x"])
    lines = [f"### P1: {p['workload']} ({p['cores']} cores, numba {p['numba_threads']} threads)", ""]
    lines += _table(["what", "networks/s (best)", "/ nnmc all cores", "note"], rows)
    lines += ["", "Where the time goes (all cores; one change each):", ""]
    base = next(iter(p["variants"].values()))["best"]
    lines += _table(["variant", "networks/s", "/ P1"],
                    [[name, _si(r["best"]), f"{r['best'] / base:.2f}"] for name, r in p["variants"].items()])
    lines += ["", f"P2 (exact NTK): {next(iter(p['p2'].values()))}", f"GPU: {next(iter(p['gpu'].values()))}"]
    return lines


def _p3_lines(p3: dict) -> list[str]:
    rows = [[_si(r["networks"]), str(r["blocks"]), f"{r['file_mb']:.0f}", f"{r['write_s']:.1f}",
             f"{r['seconds']:.2f}", f"{r['peak_rss_mb']:.0f}", f"{r['analysis_mb']:.0f}"] for r in p3["runs"]]
    return ([f"### P3: analysis of stored ensembles ({p3['workload']}, {p3['bins']} jackknife bins)", ""]
            + _table(["networks", "blocks", "file MiB", "write s", "analyse s", "peak RSS MiB",
                      "RSS growth in analysis MiB"], rows))


def _sweep_lines(sw: dict) -> list[str]:
    rows = []
    for name, s in sw["series"].items():
        points = ", ".join(f"{x}: {t * 1e6:.3g}" for x, t in zip(s["x"], s["seconds_per_network"]))
        x, t = s["x"], s["seconds_per_network"]
        last = math.log(t[-1] / t[-2]) / math.log(x[-1] / x[-2])
        rows.append([name, points, f"{s['exponent']:.2f}", f"{last:.2f}", f"{sw['expected_exponent'][name]:g}"])
    lines = [f"### Sweeps (microseconds per network, all cores; base {sw['base']})", ""]
    lines += _table(["variable", "x: us/network", "fitted exponent (upper half)", "last two points",
                     "expected (large x)"], rows)
    if "plot" in sw:
        lines += ["", f"Plot: `{Path(sw['plot']).name}` (beside this file)"]
    return lines


def _activation_lines(a: dict) -> list[str]:
    ns, nets = a["ns_per_element"], a["p1_networks"]
    relu = nets["relu"]["best"]
    rows = [[name, f"{ns[f'{name} nnmc']:.2f}", f"{ns[f'{name} libm']:.2f}",
             f"{ns[f'{name} libm'] / ns[f'{name} nnmc']:.1f}x", _si(nets[name]["best"]),
             f"{nets[name]['best'] / relu:.2f}"] for name in nets if name != "relu"]
    return ([f"### Activations ({a['elements']} N(0, 1.5^2) elements a call, one core; P1 networks/s: P1 "
             f"({a['workload']}) with the activation swapped in (C_W = 1, C_b = 0), all cores; with ReLU "
             f"{_si(relu)})", ""]
            + _table(["activation", "nnmc ns/element", "libm loop ns/element", "libm / nnmc", "P1 networks/s",
                      "/ ReLU P1"], rows))


def goals(result: dict) -> list[str]:
    """One line per goal: met or missed, by how much."""
    out = []
    if "p1" in result:
        s = _p1_summary(result["p1"])
        f = s["floor_fraction_all"]
        out.append(f"P1 >= {GOAL_FLOOR_FRACTION:.0%} of the normals floor (all cores): {f:.0%} "
                   f"({'met' if f >= GOAL_FLOOR_FRACTION else f'missed by {GOAL_FLOOR_FRACTION / f:.2f}x'})")
        if s["nt_ratio_all"] is None:
            out.append(f"P1 >= {GOAL_NT_RATIO:.0f}x neural-tangents MC NNGP: not measured (baseline skipped)")
        else:
            for label, r in (("all cores each", s["nt_ratio_all"]), ("nnmc all cores vs NT at its best", s["nt_ratio_best"])):
                out.append(f"P1 >= {GOAL_NT_RATIO:.0f}x neural-tangents MC NNGP ({label}): {r:.0f}x "
                           f"({'met' if r >= GOAL_NT_RATIO else f'missed by {GOAL_NT_RATIO / r:.2f}x'})")
    if "p3" in result:
        big = [r for r in result["p3"]["runs"] if r["networks"] >= 10**8]
        if big:
            t = big[-1]["seconds"]
            out.append(f"P3 10^8 networks analysed in < {GOAL_P3_SECONDS:.0f} s: {t:.1f} s "
                       f"({'met' if t < GOAL_P3_SECONDS else 'missed'})")
        else:
            out.append("P3 10^8 networks: not run at this size")
        mem = [r["analysis_mb"] for r in result["p3"]["runs"]]
        out.append(f"P3 analysis memory against N: {', '.join(f'{m:.0f}' for m in mem)} MiB")
    return out


def format_result(result: dict) -> str:
    sections = {"normals": _normals_lines, "p1": _p1_lines, "p3": _p3_lines, "sweeps": _sweep_lines,
                "activations": _activation_lines}
    lines = []
    for name, render in sections.items():
        if name in result:
            lines += render(result[name]) + [""]
    reached = goals(result)
    lines += ["Goals:", ""] + [f"- {g}" for g in reached] if reached else []
    return "\n".join(lines)


def record(result: dict, machine: dict, results_md: str | Path, json_dir: str | Path) -> Path:
    """Append a dated entry to ``results_md`` and write the full JSON beside it; returns the JSON path."""
    json_dir = Path(json_dir)
    json_dir.mkdir(parents=True, exist_ok=True)
    stamp = machine["date"].replace(" ", "T").replace(":", "")[:17]
    json_path = json_dir / f"{stamp}.json"
    json_path.write_text(json.dumps({"machine": machine, "result": result}, indent=1) + "\n")
    git = machine["git"]
    head = [f"## {machine['date']}: `{machine['command']}`", "",
            f"Machine: {machine['cpu_model']}, {machine['usable_cores']} usable cores ({machine['logical_cores']} "
            f"logical), {machine['memory_gb']} GiB, {machine['os']}; Python {machine['python']}, NumPy "
            f"{machine['numpy']}, numba {machine['numba']} ({machine['numba_threads']} threads), h5py {machine['h5py']}; "
            f"nnmc {machine['nnmc']} at {git['commit'][:12]}{' (uncommitted changes)' if git['dirty'] else ''}. "
            f"Raw figures: `{json_path.relative_to(Path(results_md).parent)}`.", "", ""]
    path = Path(results_md)
    previous = path.read_text() if path.exists() else RESULTS_HEADER
    path.write_text(previous.rstrip("\n") + "\n\n" + "\n".join(head) + format_result(result) + "\n")
    return json_path


RESULTS_HEADER = """# Benchmark results

Entries are appended by `python -m benchmarks run` (newest last). Every ratio compares figures measured in the
same run, timed in alternation, best of the repeats (the machine is shared and noisy). Read the method in
`benchmarks/suite.py`; the workloads in `benchmarks/workloads.py`, `p3.py`, `sweeps.py`.
"""
