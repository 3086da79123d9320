"""Each adapter names the extra to install when its framework is missing."""

from __future__ import annotations

import importlib

__all__ = ["require_extra"]


def require_extra(module: str, extra: str, adapter: str) -> None:
    """Import `module`, or raise an ImportError that says which extra installs it.

    Only the framework itself being absent is translated; any other import failure inside
    it propagates as it is.
    """
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing != module and not module.startswith(f"{missing}."):
            raise  # something inside the framework is missing, not the framework
        raise ImportError(
            f"{adapter} needs {module}, which is not installed: "
            f'pip install "minimax-agents[{extra}]"'
        ) from exc
