"""Run notebooks top to bottom against the bundled local server, and save their outputs.

    make notebooks                                              # every notebook
    .venv/bin/python notebooks/run.py notebooks/03_*.ipynb      # some of them

The run is offline whatever the shell's environment: `MINIMAX_API_KEY` and `MINIMAX_BASE_URL`
are removed, so each notebook starts the local server itself. The kernel runs this interpreter
from a kernelspec written to a temporary folder (nothing is installed into Jupyter's folders).
`tests/e2e/test_notebooks.py` runs the notebooks through the same functions.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
KERNEL_NAME = "minimax-agents-notebooks"
CELL_TIMEOUT = 90


def offline_env() -> dict[str, str]:
    """This process's environment without a MiniMax key or URL, the repository importable."""
    env = {k: v for k, v in os.environ.items() if k not in ("MINIMAX_API_KEY", "MINIMAX_BASE_URL")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def write_kernel_spec(kernel_dir: Path) -> None:
    """A kernelspec in `kernel_dir` that runs this interpreter."""
    spec = kernel_dir / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec_json = {"argv": argv, "display_name": "minimax-agents", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(spec_json))


async def execute(path: Path, kernel_dir: Path) -> nbformat.NotebookNode:
    """The notebook at `path`, run top to bottom in its folder (raises on a failing cell)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)  # timings of an earlier run would be stale
    kernelspec = nb.metadata.get("kernelspec")
    km = AsyncKernelManager(
        kernel_name=KERNEL_NAME,
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)]),
    )
    client = NotebookClient(
        nb,
        km=km,
        timeout=CELL_TIMEOUT,
        coalesce_streams=True,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    try:
        await client.async_execute(env=offline_env())
    finally:
        if km.has_kernel:
            await km.shutdown_kernel(now=True)
    if kernelspec is not None:
        nb.metadata["kernelspec"] = kernelspec  # keep the reader's kernel, not the temporary one
    return nb


def main(argv: list[str]) -> int:
    """Run and save each notebook named in `argv` (default: every notebook here)."""
    paths = [Path(a) for a in argv] or sorted(Path(__file__).parent.glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as tmp:
        write_kernel_spec(Path(tmp))
        for path in paths:
            print("running", path, flush=True)
            nbformat.write(asyncio.run(execute(path, Path(tmp))), path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
