"""Ensemble generation: config -> blocks of networks -> HDF5 (DESIGN.md s.2, s.5).

Blocks are consecutive network ranges [first, first + block_size); the last one may be shorter.
Network i depends only on (config, seed, i), so a run cut into pieces by interruptions and
``resume=True`` stores exactly the blocks an uninterrupted run stores.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from .backends import select_backend
from .config import Config
from .errors import NnmcError
from .sampling import KernelInputs, reduce_block
from .store import EnsembleWriter


@dataclass(frozen=True)
class GenerateReport:
    """What one ``generate`` call did: file, networks now stored, networks added, seconds, throughput."""

    path: Path
    networks: int
    added: int
    blocks: int
    rejected: int
    seconds: float
    requested: int  # sampling.networks of the config: a resumed file may already hold as many or more

    @property
    def networks_per_second(self) -> float:
        return self.added / self.seconds if self.seconds > 0 else float("nan")


def generate(config: Config, output: str | Path, resume: bool = False, overwrite: bool = False,
             progress: bool | None = None) -> GenerateReport:
    """Sample ``config.sampling['networks']`` networks into ``output`` (one ensemble, no scan).

    With ``resume``, continue the file after its last complete block (the file must hold the same
    ensemble; ``networks`` may grow). ``progress`` None shows a tqdm bar only on a terminal.
    """
    if config.scan:
        raise ValueError("generate() takes one ensemble; use generate_scan() or Config.scan_members()")
    backend = select_backend(config.sampling["backend"])
    kin = KernelInputs.from_config(config)
    total = config.sampling["networks"]
    block_size = config.sampling["block_size"]
    if resume and Path(output).exists():
        writer = EnsembleWriter.resume(output, config, kin.layout)
    else:
        writer = EnsembleWriter.create(output, config, kin.layout, backend.name, backend.device, overwrite)
    show = sys.stderr.isatty() if progress is None else progress
    added = rejected = 0
    start_time = time.perf_counter()
    with writer, tqdm(total=total, initial=min(writer.next_network, total), unit="net", disable=not show,
                      desc=Path(output).name, dynamic_ncols=True) as bar:
        first = writer.next_network
        buffers = kin.new_rows(min(block_size, max(total - first, 1)))  # reused by every block
        while first < total:
            count = min(block_size, total - first)
            t0 = time.perf_counter()
            rows, finite = backend.sample_rows(kin, first, count, buffers)
            block = reduce_block(kin.layout, first, rows, finite)
            writer.append(block, time.perf_counter() - t0)
            added += count
            rejected += block.rejected
            first += count
            bar.update(count)
        writer.commit()
        blocks = writer.blocks_complete
        stored = writer.next_network
    return GenerateReport(Path(output), stored, added, blocks, rejected, time.perf_counter() - start_time, total)


def scan_paths(config: Config, output: str | Path) -> list[tuple[Config, Path]]:
    """(member config, file) per scan member: ``output`` is a file without a scan, a folder with one.

    Scan members are written to ``<output>/<stem>_w<n>.h5`` with ``stem`` the folder's name.
    """
    output = Path(output)
    if not config.scan:
        return [(config, output)]
    if output.suffix.lower() in (".h5", ".hdf5"):
        raise NnmcError(f"-o {output}: a [scan] config writes one file per width into a folder; give a folder name "
                        "(e.g. -o runs/scan)")
    return [(member, output / f"{output.name}_{label}.h5") for label, member in config.scan_members()]


def generate_scan(config: Config, output: str | Path, resume: bool = False, overwrite: bool = False,
                  progress: bool | None = None) -> list[GenerateReport]:
    """``generate`` for every scan member (or the single ensemble); see ``scan_paths`` for file names."""
    return [generate(member, path, resume=resume, overwrite=overwrite, progress=progress)
            for member, path in scan_paths(config, output)]
