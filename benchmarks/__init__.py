"""Side-by-side overhead benchmarks: our adapters against raw httpx, the frameworks' own floors
and the generic OpenAI adapters, all against the local MiniMax-compatible server.

Run everything with `python -m benchmarks` (or `make bench`); it regenerates the tables of
`benchmarks/RESULTS.md`. Verdicts are judged on instruction counts under callgrind (Debian
`valgrind`), CPU time is shown beside them. `python -m benchmarks.profile` profiles our two
adapters' hot paths with py-spy or pyinstrument.

Layout: `_common` (prompts, settings, CPU/RSS helpers), `_server` (the server process and its
control endpoints), `_floors` (the trivial LangChain / LlamaIndex models), `_clients` (one small
adapter per client and the three family drivers), `_worker` (all measurements of one client, in
its own process, optionally under callgrind), `_callgrind` (switching callgrind on around the
measured calls), `_report` (the tables of RESULTS.md), `__main__` (the orchestration).
"""
