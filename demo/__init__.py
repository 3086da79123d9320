"""A short, readable tour of minimax-agents: run it with `make demo` or `python -m demo`.

1. A LangChain agent (`create_agent`) with two tools, several steps, reasoning streamed live.
2. A LlamaIndex query engine over four small notes (`notebooks/data/`).
3. A LlamaIndex `FunctionAgent` with two tools, streaming `thinking_delta`.

Each step prints the model's reasoning (dimmed on a terminal), its tool calls and results, and
the clean answer; token usage comes at the end. Without `MINIMAX_API_KEY` it runs against the
bundled local MiniMax-compatible server (`minimax_server`), which it starts itself.
"""
