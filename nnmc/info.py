"""``nnmc info FILE``: a readable summary of what an ensemble file holds."""

from __future__ import annotations

from pathlib import Path

from .store import EnsembleReader


def describe(path: str | Path) -> str:
    """Multi-line text: provenance, architecture, inputs, measurements, blocks and throughput."""
    with EnsembleReader(path) as r:
        a = r.attrs
        cfg = r.config
        stats = r.block_stats()
        shapes = {name: next(iter(r.iter_observable(name, 1)), (0, None))[1] for name in r.names}
        lines = [
            f"file          {r.path}",
            f"schema        {a['schema_version']}  (nnmc {a['nnmc_version']}, git {a['git_commit'][:12]}, "
            f"created {a['created']})",
            f"ensemble      sha256 {a['config_sha256']}",
            f"seed          {a['seed']}   rng {a['rng']}",
            f"backend       {a['backend']} on {a['device']}, sampling dtype {a['dtype']}, "
            f"sampler {cfg.sampling['sampler']}, weights {cfg.data['network']['weights']}",
            f"widths        {cfg.widths}",
            f"activations   {cfg.activations or '(none: L = 1)'}",
            f"C_W           {cfg.C_W}",
            f"C_b           {cfg.C_b}",
            f"inputs        k = {cfg.inputs.shape[0]}, n_0 = {cfg.inputs.shape[1]}  ({cfg.data['inputs']['source']})",
            f"layers        {r.layers.tolist()}  (fan-in n_in {r.n_in.tolist()})",
            "observables   " + ", ".join(f"{n} {('x'.join(map(str, s.shape[1:])) if s is not None else '-')}"
                                         for n, s in shapes.items()),
            f"blocks        {r.n_blocks} complete, block size {cfg.sampling['block_size']}",
            f"networks      {int(stats['networks'].sum())} stored of {cfg.sampling['networks']} configured, "
            f"{int(stats['rejected'].sum())} rejected (non-finite)",
        ]
        wall = float(stats["wall_time"].sum())
        if wall > 0:
            lines.append(f"sampling time {wall:.1f} s  ({stats['networks'].sum() / wall:,.0f} networks/s)")
    return "\n".join(lines)
