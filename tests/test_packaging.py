"""The house rules of the layout: public names listed, frameworks kept apart, types shipped.

(`__all__` order is kept by ruff's RUF022.)
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "name",
    [
        "minimax_core",
        "minimax_core.adapter_kit",
        "minimax_server",
        "langchain_minimax",
        "llamaindex_minimax",
    ],
)
def test_all_lists_every_public_name(name: str) -> None:
    module = importlib.import_module(name)
    public = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_") and not isinstance(value, types.ModuleType)
    } - {"annotations"}
    assert set(module.__all__) == public


@pytest.mark.parametrize(
    "name", ["minimax_core", "minimax_server", "langchain_minimax", "llamaindex_minimax"]
)
def test_py_typed_is_shipped(name: str) -> None:
    assert (ROOT / name / "py.typed").exists()


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("minimax_core", ("langchain_core", "langchain", "llama_index", "minimax_server")),
        ("minimax_server", ("langchain_core", "langchain", "llama_index", "minimax_core")),
        ("langchain_minimax", ("llama_index",)),
        ("llamaindex_minimax", ("langchain_core", "langchain")),
    ],
)
def test_one_framework_never_pulls_in_the_other(package: str, forbidden: tuple[str, ...]) -> None:
    code = (
        f"import sys, {package}\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == ""


def _core_modules_imported(path: Path) -> list[str]:
    """Every `minimax_core` module (or name) an adapter module imports, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [
            f"{name} (line {node.lineno})" for name in names if name.startswith("minimax_core")
        ]
    return found


@pytest.mark.parametrize("package", ["langchain_minimax", "llamaindex_minimax"])
def test_adapters_import_only_public_core_modules(package: str) -> None:
    """The adapters build on `minimax_core`'s public modules (`adapter_kit` above all) only."""
    private = [
        f"{path.name}: {name}"
        for path in sorted((ROOT / package).glob("**/*.py"))
        for name in _core_modules_imported(path)
        if any(part.startswith("_") for part in name.split(" ")[0].split(".")[1:])
    ]
    assert private == []


@pytest.mark.parametrize(
    ("package", "framework", "blocked", "extra"),
    [
        ("langchain_minimax", "langchain_core", "langchain_core", "langchain"),
        ("llamaindex_minimax", "llama_index.core", "llama_index", "llamaindex"),
        ("llamaindex_minimax", "llama_index.core", "llama_index.core", "llamaindex"),
    ],
)
def test_a_missing_framework_names_the_extra_to_install(
    package: str, framework: str, blocked: str, extra: str
) -> None:
    # `None` in sys.modules makes the import fail as if the framework were not installed.
    code = f"import sys; sys.modules[{blocked!r}] = None\nimport {package}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert last == (
        f"ImportError: {package} needs {framework}, which is not installed: "
        f'pip install "minimax-agents[{extra}]"'
    )


def test_lowest_constraints_pin_every_runtime_requirement() -> None:
    """`make test-lowest` installs these; a requirement without a lower bound cannot hide."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from lowest_constraints import lowest_pins
    finally:
        sys.path.pop(0)
    pins = dict(pin.split("==") for pin in lowest_pins(ROOT / "pyproject.toml"))
    assert set(pins) == {
        "httpx",
        "pydantic",
        "orjson",
        "langchain-core",
        "langchain",
        "llama-index-core",
    }
    core = dict(pin.split("==") for pin in lowest_pins(ROOT / "pyproject.toml", extras=()))
    assert set(core) == {"httpx", "pydantic", "orjson"}


def test_license_file_matches_the_declared_license() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert 'license = { text = "MIT" }' in (ROOT / "pyproject.toml").read_text()
