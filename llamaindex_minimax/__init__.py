"""MiniMax models for LlamaIndex, with the reasoning chain kept intact across agent turns.

```python
from llamaindex_minimax import MiniMax

llm = MiniMax(model="MiniMax-M2.7")
```
"""

from minimax_core.adapter_kit import require_extra as _require_extra

_require_extra("llama_index.core", "llamaindex", "llamaindex_minimax")

from minimax_core import AdaptiveRateLimiter

from ._messages_out import file_block
from .base import MiniMax

__all__ = ["AdaptiveRateLimiter", "MiniMax", "file_block"]
