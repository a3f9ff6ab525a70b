"""nnmc.kernel_cache: cached kernels are dropped exactly when a source file of the package changes."""

from nnmc import kernel_cache


def _package(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub" / "__pycache__").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "kernels.py").write_text("x = 1\n")
    (package / "sub" / "callee.py").write_text("y = 2\n")
    return package


def _cache_files(package):
    paths = {"__pycache__/kernels.f-1.py311.nbi", "__pycache__/kernels.f-1.py311.1.nbc",
             "sub/__pycache__/callee.g-3.py311.nbi", "__pycache__/kernels.cpython-311.pyc"}
    for p in paths:
        (package / p).write_bytes(b"cached")
    return paths


def test_unchanged_sources_keep_the_cache_and_a_changed_callee_drops_all_of_it(tmp_path):
    package = _package(tmp_path)
    _cache_files(package)
    assert kernel_cache.refresh(package)  # no recorded hash yet: treated as changed
    assert sorted(p.name for p in package.rglob("*.nb?")) == []
    assert (package / "__pycache__" / "kernels.cpython-311.pyc").exists()  # bytecode is Python's business

    _cache_files(package)
    assert not kernel_cache.refresh(package)  # same sources: the cache stays
    assert len(list(package.rglob("*.nb?"))) == 3

    (package / "sub" / "callee.py").write_text("y = 3\n")  # a callee in another file changes
    assert kernel_cache.refresh(package)
    assert list(package.rglob("*.nb?")) == []
    assert not kernel_cache.refresh(package)


def test_a_new_or_renamed_file_counts_as_a_change(tmp_path):
    package = _package(tmp_path)
    kernel_cache.refresh(package)
    before = kernel_cache.sources_hash(package)
    (package / "sub" / "callee.py").rename(package / "sub" / "other.py")
    assert kernel_cache.sources_hash(package) != before
