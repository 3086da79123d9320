"""Every notebook in notebooks/ runs top to bottom, offline, against the bundled local server.

The notebooks are their own source: they are edited in Jupyter (or any editor) and saved with
their outputs. These tests run each one in a fresh kernel through `notebooks/run.py` (the
runner behind `make notebooks`), a few at a time, with no MiniMax key or base URL in the
kernel's environment, so each notebook starts the local server itself. They check what a
reader relies on, and nothing Jupyter rewrites on save (cell ids, metadata, execution counts
of a later run, the outputs themselves).
"""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
PARALLEL = 3
# The copy of a notebook as Jupyter would save it after an edit, also run (see `_as_saved_by_jupyter`).
EDITED = "edited-" + NOTEBOOKS[0].name


def _runner() -> ModuleType:
    """`notebooks/run.py`, the runner behind `make notebooks`."""
    spec = importlib.util.spec_from_file_location("_notebook_runner", NOTEBOOK_DIR / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _runner()


def _as_saved_by_jupyter(nb: Any) -> Any:
    """`nb` after an edit and a save in Jupyter, rerun in a kernel that had run other cells.

    Jupyter gives cells fresh ids and its own metadata, records timings, writes the notebook's
    language version, numbers executions from the kernel's counter (not from 1), and stores
    whatever the cells printed this time.
    """
    nb = copy.deepcopy(nb)
    nb.metadata["language_info"] = {
        "name": "python",
        "version": "3.12.4",
        "pygments_lexer": "ipython3",
    }
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"{number:04x}c0ffee-edited"
        cell.metadata["tags"] = ["edited"]
        cell.metadata["jupyter"] = {"source_hidden": False}
        if cell.cell_type == "markdown":
            cell.source += "\n\n(edited in Jupyter)"
        if cell.cell_type != "code":
            continue
        cell.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00.000000Z"}
        cell.metadata["scrolled"] = True
        if cell.execution_count is not None:
            cell.execution_count += 41
        for output in cell.outputs:
            if output.get("output_type") == "stream":
                output["text"] = output["text"].replace("e", "E") + "one more line\n"
        cell.outputs.append(nbformat.v4.new_output("display_data", {"text/plain": "extra"}))
    return nb


async def _execute(path: Path, kernel_dir: Path, gate: asyncio.Semaphore) -> Any:
    """The executed notebook, or the exception that stopped it."""
    async with gate:
        try:
            return await run.execute(path, kernel_dir)
        except Exception as exc:
            return exc


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every notebook and one Jupyter-edited copy, run once: name -> notebook or exception."""
    kernel_dir = tmp_path_factory.mktemp("kernels")
    run.write_kernel_spec(kernel_dir)
    edited = tmp_path_factory.mktemp("edited") / EDITED
    nbformat.write(_as_saved_by_jupyter(nbformat.read(NOTEBOOKS[0], as_version=4)), edited)
    paths = [*NOTEBOOKS, edited]

    async def run_all() -> list[Any]:
        gate = asyncio.Semaphore(PARALLEL)
        return await asyncio.gather(*(_execute(path, kernel_dir, gate) for path in paths))

    results = asyncio.run(run_all())
    return {path.name: result for path, result in zip(paths, results, strict=True)}


def _text(nb: Any) -> str:
    chunks = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                chunks.append(output.get("text", ""))
    return "".join(chunks)


def _first_code(nb: Any) -> int:
    return next(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")


def _code_cells(nb: Any) -> list[Any]:
    """The code cells that run (an empty cell is never executed, in Jupyter or here)."""
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def committed_problems(nb: Any, name: str) -> list[str]:
    """Why `nb` is not a notebook stored with the outputs of a clean top-to-bottom run."""
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        return [f"{name} is not a valid notebook: {exc.message}"]
    problems = []
    code = _code_cells(nb)
    counts = [c.execution_count for c in code]
    if None in counts or counts != sorted(set(counts)):
        problems.append(f"{name} was not run top to bottom (execution counts {counts})")
    for cell in code:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"{name} was stored with an error: {output.get('ename')}")
    return problems


def test_the_notebooks_are_there() -> None:
    """Every notebook is listed in the README, and every one the README lists exists."""
    names = {path.name for path in NOTEBOOKS}
    listed = set(re.findall(r"\]\(notebooks/([^)]+\.ipynb)\)", (ROOT / "README.md").read_text()))
    assert names == listed, "the notebooks in notebooks/ and those the README lists differ"
    assert len(names) >= 5


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS] + [EDITED])
def test_notebook_runs_offline(name: str, executed: dict[str, Any]) -> None:
    result = executed[name]
    if isinstance(result, BaseException):
        pytest.fail(f"{name} failed:\n{result}", pytrace=False)
    first = "".join(o.get("text", "") for o in result.cells[_first_code(result)].outputs)
    assert "bundled local MiniMax-compatible server" in first
    assert "Traceback" not in _text(result)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_with_outputs(path: Path) -> None:
    """The committed file holds the outputs of a clean top-to-bottom run."""
    nb = nbformat.read(path, as_version=4)
    assert committed_problems(nb, path.name) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_saved_by_jupyter_still_passes(path: Path, tmp_path: Path) -> None:
    """Edited and saved in Jupyter (ids, metadata, counts, outputs all changed), it still passes."""
    saved = tmp_path / path.name
    nbformat.write(_as_saved_by_jupyter(nbformat.read(path, as_version=4)), saved)
    assert committed_problems(nbformat.read(saved, as_version=4), path.name) == []


def test_the_committed_check_can_fail() -> None:
    """A cell stored unexecuted, out of order, or with an error is reported."""
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    unexecuted = copy.deepcopy(nb)
    _code_cells(unexecuted)[1].execution_count = None
    assert "not run top to bottom" in committed_problems(unexecuted, "n")[0]
    out_of_order = copy.deepcopy(nb)
    _code_cells(out_of_order)[0].execution_count = 1000
    assert "not run top to bottom" in committed_problems(out_of_order, "n")[0]
    failed = copy.deepcopy(nb)
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="boom", traceback=[])
    _code_cells(failed)[-1].outputs.append(error)
    assert committed_problems(failed, "n") == ["n was stored with an error: ValueError"]
