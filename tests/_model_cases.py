"""The catalog cases both adapters' model tests run: which models, levels and ids."""

from __future__ import annotations

from minimax_core import MODELS

EFFORT_MODELS = sorted(name for name, info in MODELS.items() if info.effort_levels)
NO_EFFORT_MODELS = sorted(name for name, info in MODELS.items() if not info.effort_levels)
ALWAYS_THINKING = sorted(name for name, info in MODELS.items() if info.always_thinks)
THINKING_OFF = [False, "disabled", {"type": "disabled"}]
UNDOCUMENTED_LEVELS = ["none", "minimal", "MAX"]
UNKNOWN_IDS = ["MiniMax-M5", "MiniMaxAI/MiniMax-M4", "gateway/minimax-latest"]
LEVELS = "'low', 'medium', 'high', 'xhigh', 'max'"
"""How a refusal names the levels M4 and M3.1-Flash take."""
