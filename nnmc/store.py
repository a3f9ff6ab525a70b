"""The HDF5 ensemble file (DESIGN.md s.5): append-only whole blocks with a commit marker.

Layout (schema 1):

  /                    attributes: schema_version, config_json (fully resolved config), config_sha256
                       (ensemble hash, nnmc.config.Config.ensemble_hash), seed, rng, nnmc_version,
                       git_commit, backend, device, dtype, created, conventions, estimator,
                       table_<kind> (component index tables), and the commit marker blocks_complete
  /layers              (n_layers,) int64   measured layer numbers l (1-based)
  /n_in                (n_layers,) int64   fan-in width n_{l-1} of each measured layer
  /observables/<name>  (n_blocks, n_layers, n_components) float64, chunked, resizable along blocks;
                       block means over accepted networks; attributes ``table`` (the component index
                       table), ``table_kind``, ``description``
  /blocks/first_network, /blocks/networks, /blocks/rejected   (n_blocks,) int64
  /blocks/wall_time    (n_blocks,) float64 seconds spent sampling the block

Finished blocks are committed together at most ``COMMIT_SECONDS`` apart (and when the writer
closes, also on Ctrl-C): their rows are written and flushed, and only then counted in
``blocks_complete`` (flushed again). Readers and ``--resume`` ignore rows beyond the marker, so a
crash (even SIGKILL) loses at most the blocks of the last ``COMMIT_SECONDS``. Committing every block
separately cost ~10 ms of HDF5 flushes per block, more than sampling a block of small networks.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np

from . import __version__
from .config import Config, differing_fields, ensemble_part
from .errors import StoreError
from .measurements import TABLES, Layout, component_table
from .sampling import BlockMeans

SCHEMA_VERSION = 1
RNG_DESCRIPTION = ("Philox4x32-10 (Random123); key = (seed mod 2^32, seed >> 32); counter = (group, "
                   "layer << 8 | purpose, network mod 2^32, network >> 32); normals by Box-Muller on word "
                   "pairs, curand convention, float64 (nnmc.rng)")
CONVENTIONS = ("theory.md s.0: z^(l+1) = b + W sigma(z^(l)), W ~ N(0, C_W/n_l), b ~ N(0, C_b); "
               "Ghat^(l) = C_b + (C_W/n_{l-1}) sigma^T sigma; V at layer l = n_{l-1} Cov(Ghat^(l)); "
               "input x.x normalised by n_0 in Ghat^(1)")
ESTIMATOR = ("G, GG, GGG: products of the stochastic metric (Rao-Blackwellised); m2, m4, m22, m6: raw neuron "
             "averages of the sampled preactivations; block means over accepted (finite) networks")
_DESCRIPTIONS = {
    "G": "Ghat_ab", "m2": "(1/n) sum_i z_ia z_ib", "GG": "Ghat_P Ghat_Q (P <= Q pair indices)",
    "m4": "(1/n) sum_i z_ia z_ib z_ic z_id", "m22": "sum_{i!=j} z_ia z_ib z_jc z_jd / (n(n-1)); NaN if n = 1",
    "GGG": "Ghat_P Ghat_Q Ghat_R", "m6": "(1/n) sum_i z_ia ... z_if"}
BLOCK_FIELDS = ("first_network", "networks", "rejected")
COMMIT_SECONDS = 1.0


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


class EnsembleWriter:
    """Appends blocks to an ensemble file. Use ``create`` or ``resume``; close (or use ``with``) when done."""

    def __init__(self, handle: h5py.File, layout: Layout):
        self._f = handle
        self.layout = layout
        self.path = Path(handle.filename)
        self._pending: list[tuple[BlockMeans, float]] = []
        self._last_commit = time.monotonic()

    # ---- opening ----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, config: Config, layout: Layout, backend: str, device: str,
               overwrite: bool = False) -> "EnsembleWriter":
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path} is a folder; give a file name for the ensemble (e.g. {path / 'ensemble.h5'})")
        if path.exists() and not overwrite:
            raise StoreError(f"{path} exists; pass --resume to continue it or --overwrite to replace it")
        if path.exists():
            _check_replaceable(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # HDF5 1.8 file format: dense attribute storage, so the component tables (k > 12 inputs) may exceed
        # 64 kB; not the 1.10 format, whose "open for write" superblock flag makes a file killed mid-run
        # unreadable until h5clear (the crash-safety contract, DESIGN.md s.5, forbids that)
        f = h5py.File(path, "w", libver=("v108", "v108"))
        try:
            cls._write_header(f, config, layout, backend, device)
        except BaseException:
            f.close()
            path.unlink(missing_ok=True)
            raise
        return cls(f, layout)

    @staticmethod
    def _write_header(f: h5py.File, config: Config, layout: Layout, backend: str, device: str) -> None:
        """Root attributes, index tables and the empty (resizable) datasets of a new file (module docstring)."""
        attrs = f.attrs
        attrs["schema_version"] = SCHEMA_VERSION
        attrs["config_json"] = config.to_json()
        attrs["config_sha256"] = config.ensemble_hash
        attrs["seed"] = config.sampling["seed"]
        attrs["rng"] = RNG_DESCRIPTION
        attrs["nnmc_version"] = __version__
        attrs["git_commit"] = _git_commit()
        attrs["backend"] = backend
        attrs["device"] = device
        attrs["dtype"] = config.sampling["dtype"]
        attrs["created"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        attrs["conventions"] = CONVENTIONS
        attrs["estimator"] = ESTIMATOR
        attrs["inputs"] = np.asarray(config.inputs)
        attrs["blocks_complete"] = 0
        k = layout.k
        for kind in sorted({TABLES[name] for name in layout.names}):
            name = next(n for n in layout.names if TABLES[n] == kind)
            attrs[f"table_{kind}"] = component_table(name, k)
        f.create_dataset("layers", data=np.array(config.layers, dtype=np.int64))
        f.create_dataset("n_in", data=np.array([config.widths[l - 1] for l in config.layers], dtype=np.int64))
        n_layers = len(config.layers)
        obs = f.create_group("observables")
        for name, size in layout.sizes(k).items():
            per_block = n_layers * size * 8
            chunk_blocks = int(max(1, min(4096, (1 << 18) // per_block)))
            ds = obs.create_dataset(name, shape=(0, n_layers, size), maxshape=(None, n_layers, size),
                                    dtype=np.float64, chunks=(chunk_blocks, n_layers, size))
            ds.attrs["table"] = component_table(name, k)
            ds.attrs["table_kind"] = TABLES[name]
            ds.attrs["description"] = _DESCRIPTIONS[name]
        blocks = f.create_group("blocks")
        for field in BLOCK_FIELDS:
            blocks.create_dataset(field, shape=(0,), maxshape=(None,), dtype=np.int64, chunks=(4096,))
        blocks.create_dataset("wall_time", shape=(0,), maxshape=(None,), dtype=np.float64, chunks=(4096,))
        f.flush()

    @classmethod
    def resume(cls, path: str | Path, config: Config, layout: Layout) -> "EnsembleWriter":
        """Reopen ``path`` for appending; refuses a file of another ensemble (config hash)."""
        path = Path(path)
        if not path.exists():
            raise StoreError(f"{path} does not exist; nothing to resume (drop --resume to start it)")
        try:
            f = h5py.File(path, "r+")
        except OSError as exc:
            raise StoreError(f"{path} cannot be opened for appending: {exc}") from None
        try:
            _check_schema(f, path)
            stored = f.attrs["config_sha256"]
            if stored != config.ensemble_hash:
                fields = differing_fields(ensemble_part(json.loads(f.attrs["config_json"])), config.ensemble_dict())
                raise StoreError(
                    f"{path} holds a different ensemble (differs in {', '.join(fields) or 'its config hash'}); "
                    "only sampling.networks and sampling.backend may change on --resume")
            if config.sampling["networks"] > json.loads(f.attrs["config_json"])["sampling"]["networks"]:
                f.attrs["config_json"] = config.to_json()  # same ensemble, extended: record the new target
            n = int(f.attrs["blocks_complete"])
            for ds in list(f["observables"].values()) + list(f["blocks"].values()):
                ds.resize(n, axis=0)  # drop a block that was in flight when the writer stopped
            f.flush()
        except Exception:
            f.close()
            raise
        return cls(f, layout)

    # ---- state --------------------------------------------------------------------------------
    @property
    def blocks_complete(self) -> int:
        """Blocks committed to the file (pending ones not counted)."""
        return int(self._f.attrs["blocks_complete"])

    @property
    def next_network(self) -> int:
        """Index of the first network not yet stored or pending (blocks are consecutive)."""
        if self._pending:
            last = self._pending[-1][0]
            return last.first_network + last.networks
        n = self.blocks_complete
        if n == 0:
            return 0
        blocks = self._f["blocks"]
        return int(blocks["first_network"][n - 1] + blocks["networks"][n - 1])

    # ---- writing ------------------------------------------------------------------------------
    def append(self, block: BlockMeans, wall_time: float) -> None:
        """Queue one finished block; commit the queue when COMMIT_SECONDS have passed since the last commit."""
        self._pending.append((block, wall_time))
        if time.monotonic() - self._last_commit >= COMMIT_SECONDS:
            self.commit()

    def commit(self) -> None:
        """Write the queued blocks, flush, then advance blocks_complete and flush again."""
        if not self._pending:
            return
        n, m = self.blocks_complete, len(self._pending)
        blocks = [b for b, _ in self._pending]
        for name in self.layout.names:
            ds = self._f["observables"][name]
            ds.resize(n + m, axis=0)
            ds[n:n + m] = np.stack([b.means[name] for b in blocks])
        columns = {"first_network": [b.first_network for b in blocks], "networks": [b.networks for b in blocks],
                   "rejected": [b.rejected for b in blocks], "wall_time": [w for _, w in self._pending]}
        for field, values in columns.items():
            ds = self._f["blocks"][field]
            ds.resize(n + m, axis=0)
            ds[n:n + m] = values
        self._f.flush()
        self._f.attrs["blocks_complete"] = n + m
        self._f.flush()
        self._pending.clear()
        self._last_commit = time.monotonic()

    def close(self) -> None:
        """Commit what is queued and close the file."""
        if self._f.id.valid:
            try:
                self.commit()
            finally:
                self._f.close()

    def __enter__(self) -> "EnsembleWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_lock_error(exc: OSError) -> bool:
    """HDF5's refusal because another process holds the file ('unable to lock file, errno = 11')."""
    text = str(exc).lower()
    return "unable to lock" in text or "errno = 11" in text


def _check_replaceable(path: Path) -> None:
    """Before --overwrite: the file must be HDF5 and not open for writing elsewhere (nothing is touched)."""
    if not h5py.is_hdf5(path):
        raise StoreError(f"{path} exists and is not an HDF5 file; --overwrite replaces only ensemble files")
    try:
        h5py.File(path, "r+").close()  # takes (and releases) the write lock a running writer holds
    except OSError as exc:
        if _is_lock_error(exc):
            raise StoreError(f"{path} is being written by another process; --overwrite refuses to replace it "
                             "(stop that run first)") from None
        raise StoreError(f"{path} cannot be replaced: {exc}") from None
    path.unlink()


def _check_schema(f: h5py.File, path: Path) -> None:
    version = f.attrs.get("schema_version")
    if version is None or "config_json" not in f.attrs:
        raise StoreError(f"{path} is not an nnmc ensemble file (no schema_version/config_json attributes)")
    if int(version) != SCHEMA_VERSION:
        raise StoreError(f"{path} has schema version {version}; this nnmc reads version {SCHEMA_VERSION}")


class EnsembleReader:
    """Read access to a stored ensemble; only committed blocks are visible.

    ``block_stats()`` gives the per-block counts; ``iter_observable(name, blocks_per_read)`` streams
    (rows, n_layers, n_components) float64 slabs so memory does not grow with the ensemble.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.exists():
            raise StoreError(f"{self.path} does not exist")
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder, not an ensemble file")
        try:
            self._f = h5py.File(self.path, "r")
        except OSError as exc:
            reason = ("it is locked by a process writing it (wait for that run, or set HDF5_USE_FILE_LOCKING=FALSE "
                      "to read a snapshot)" if _is_lock_error(exc) else f"not a readable HDF5 file: {exc}")
            raise StoreError(f"{self.path}: {reason}") from None
        _check_schema(self._f, self.path)
        try:
            self.config = Config.from_dict(json.loads(self._f.attrs["config_json"]))
        except (json.JSONDecodeError, TypeError) as exc:
            self._f.close()
            raise StoreError(f"{self.path}: its config_json attribute is not valid JSON ({exc})") from None
        self.n_blocks = int(self._f.attrs["blocks_complete"])
        self.layers = self._f["layers"][()]
        self.n_in = self._f["n_in"][()]
        self.names = tuple(self._f["observables"].keys())

    @property
    def attrs(self) -> dict:
        return {key: self._f.attrs[key] for key in self._f.attrs}

    @property
    def k(self) -> int:
        return int(self.config.inputs.shape[0])

    def block_stats(self) -> dict[str, np.ndarray]:
        """first_network, networks, rejected (int64) and wall_time (float64), each (n_blocks,)."""
        return {key: self._f["blocks"][key][: self.n_blocks] for key in self._f["blocks"]}

    def iter_observable(self, name: str, blocks_per_read: int = 4096):
        """Yield (start, slab) with slab = blocks start.. of observable ``name``, (m, n_layers, n_comp)."""
        ds = self._f["observables"][name]
        for start in range(0, self.n_blocks, blocks_per_read):
            yield start, ds[start: min(start + blocks_per_read, self.n_blocks)]

    def table(self, name: str) -> np.ndarray:
        return self._f["observables"][name].attrs["table"]

    def close(self) -> None:
        if self._f.id.valid:
            self._f.close()

    def __enter__(self) -> "EnsembleReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
