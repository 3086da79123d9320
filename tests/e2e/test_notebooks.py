"""Every notebook in notebooks/ runs top to bottom, offline, against the bundled local server.

The notebooks start the local server themselves when `MINIMAX_API_KEY` is not set, so each
runs in a kernel whose environment has no MiniMax key or base URL. The kernels run this
interpreter, through a kernelspec written to a temporary directory (nothing is installed into
the user's Jupyter folders). They run a few at a time, so the whole set takes seconds.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL_NAME = "minimax-agents-test"
CELL_TIMEOUT = 90
PARALLEL = 3


def _build_module() -> ModuleType:
    """`notebooks/_build.py`, where the notebooks' cells are written."""
    spec = importlib.util.spec_from_file_location("_notebook_build", NOTEBOOK_DIR / "_build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _offline_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MINIMAX_API_KEY", "MINIMAX_BASE_URL")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


async def _run(path: Path, kernel_dir: Path, gate: asyncio.Semaphore) -> Any:
    """The executed notebook, or the exception that stopped it."""
    async with gate:
        nb = nbformat.read(path, as_version=4)
        km = AsyncKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)]),
        )
        client = nbclient.NotebookClient(
            nb,
            km=km,
            timeout=CELL_TIMEOUT,
            resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
        )
        try:
            await client.async_execute(env=_offline_env())
        except Exception as exc:
            return exc
        finally:
            if km.has_kernel:
                await km.shutdown_kernel(now=True)
        return nb


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every notebook, run once for this module: name -> executed notebook or exception."""
    kernel_dir = tmp_path_factory.mktemp("kernels")
    spec = kernel_dir / KERNEL_NAME
    spec.mkdir()
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "minimax-agents (tests)",
                "language": "python",
            }
        )
    )

    async def run_all() -> list[Any]:
        gate = asyncio.Semaphore(PARALLEL)
        return await asyncio.gather(*(_run(path, kernel_dir, gate) for path in NOTEBOOKS))

    results = asyncio.run(run_all())
    return {path.name: result for path, result in zip(NOTEBOOKS, results, strict=True)}


def _text(nb: Any) -> str:
    chunks = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                chunks.append(output.get("text", ""))
    return "".join(chunks)


def test_the_notebooks_are_there() -> None:
    names = {path.name for path in NOTEBOOKS}
    assert names == set(_build_module().NOTEBOOKS), "notebooks/_build.py and notebooks/ differ"
    assert len(names) >= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_offline(path: Path, executed: dict[str, Any]) -> None:
    result = executed[path.name]
    if isinstance(result, BaseException):
        pytest.fail(f"{path.name} failed:\n{result}", pytrace=False)
    first = "".join(o.get("text", "") for o in result.cells[_first_code(result)].outputs)
    assert "bundled local MiniMax-compatible server" in first
    assert "Traceback" not in _text(result)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_with_outputs(path: Path) -> None:
    """The committed file matches `_build.py` and holds the outputs of a clean run."""
    nb = nbformat.read(path, as_version=4)
    built = _build_module().build(path.name)
    assert [c.source for c in nb.cells] == [c.source for c in built.cells], (
        f"{path.name} differs from notebooks/_build.py: run `.venv/bin/python notebooks/_build.py`"
    )
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name} was not run top to bottom"
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"{path.name} was stored with an error"


def _first_code(nb: Any) -> int:
    return next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
