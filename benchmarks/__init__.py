"""Side-by-side overhead benchmarks: our adapters against raw httpx, the frameworks' own floors
and the generic OpenAI adapters, all against the local MiniMax-compatible server.

Run everything with `python -m benchmarks` (or `make bench`); it regenerates
`benchmarks/RESULTS.md` and `benchmarks/cpu_per_chunk.png`. `python -m benchmarks.profile`
profiles our two adapters' hot paths with pyinstrument.

Layout: `_common` (prompts, settings, CPU/RSS helpers), `_server` (the server process and its
control endpoints), `_floors` (the trivial LangChain / LlamaIndex models), `_clients` (one small
adapter per client and the three family drivers), `_worker` (all measurements of one client, in
its own process), `_report` (RESULTS.md and the chart), `__main__` (the orchestration).
"""
