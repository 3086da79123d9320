"""Instruction counts under callgrind: the stable measure the verdicts are judged on.

A worker started by `command()` runs under `valgrind --tool=callgrind --instr-atstart=no`, so
importing, building and warming up run uninstrumented (a few times slower, not a hundred).
`section(label)` then switches instrumentation on around the measured calls only and dumps the
count to a file of its own, read back at once.

Switching is done with callgrind's client requests, the documented in-process protocol: a fixed
sequence of no-op instructions that valgrind recognises while translating code, with the request
in a small array whose address is in `rax`. Python cannot emit that sequence itself, so it is
written as 32 bytes of x86-64 machine code into an executable page and called through `ctypes`
(no compiler needed; `callgrind_control -i on/off` would also work, but it acts whenever the
process next polls, so a slice of unrelated work lands in the count). Run natively, the same
bytes do nothing and every request answers 0.
"""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import os
import platform
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

_REQUEST_X86_64 = bytes.fromhex(
    "4889f8"  # mov rax, rdi       (the request array)
    "31d2"  # xor edx, edx         (the answer when not under valgrind)
    "48c1c703"  # rol rdi, 3   \
    "48c1c70d"  # rol rdi, 13   | the preamble valgrind recognises
    "48c1c73d"  # rol rdi, 61   | (128 bits of rotation: rdi unchanged)
    "48c1c733"  # rol rdi, 51  /
    "4887db"  # xchg rbx, rbx      (the client request itself)
    "4889d0"  # mov rax, rdx       (valgrind's answer)
    "c3"  # ret
)
_RUNNING_ON_VALGRIND = 0x1001
_CALLGRIND = 0x43540000  # VG_USERREQ_TOOL_BASE('C', 'T')
_ZERO_STATS = _CALLGRIND + 1
_DUMP_STATS_AT = _CALLGRIND + 3
_START_INSTRUMENTATION = _CALLGRIND + 4
_STOP_INSTRUMENTATION = _CALLGRIND + 5

OUT_ENV = "BENCH_CALLGRIND_OUT"
"""The worker finds the dump files' base name here (set by `command()`)."""


class _Requests:
    def __init__(self) -> None:
        self._page = mmap.mmap(
            -1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC
        )
        self._page.write(_REQUEST_X86_64)
        address = ctypes.addressof(ctypes.c_char.from_buffer(self._page))
        prototype = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.POINTER(ctypes.c_uint64))
        self._call = prototype(address)

    def __call__(self, request: int, argument: int = 0) -> int:
        return int(self._call((ctypes.c_uint64 * 6)(request, argument, 0, 0, 0, 0)))


_requests: _Requests | None = None


def _request(request: int, argument: int = 0) -> int:
    global _requests
    if _requests is None:
        _requests = _Requests()
    return _requests(request, argument)


def supported() -> str | None:
    """None if instruction counts can be taken here, else why not."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return f"callgrind client requests are only written for x86-64, not {platform.machine()}"
    if shutil.which("valgrind") is None:
        return "valgrind is not installed (Debian package `valgrind`)"
    return None


def active() -> bool:
    """True inside a process run by `command()`."""
    return OUT_ENV in os.environ and _request(_RUNNING_ON_VALGRIND) > 0


def command(out_base: Path, *argv: str) -> list[str]:
    """The command line running `argv` under callgrind, instrumentation off until asked."""
    return [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out_base}",
        "--quiet",
        *argv,
    ]


_dumps = 0


@contextlib.contextmanager
def section(label: str) -> Iterator[list[int]]:
    """Count the instructions executed inside the block; the count is in the list on exit."""
    global _dumps
    result: list[int] = []
    name = ctypes.create_string_buffer(label.encode())
    _request(_ZERO_STATS)
    _request(_START_INSTRUMENTATION)
    try:
        yield result
    finally:
        _request(_STOP_INSTRUMENTATION)
        _request(_DUMP_STATS_AT, ctypes.addressof(name))
        _dumps += 1
        path = Path(f"{os.environ[OUT_ENV]}.{_dumps}")
        result.append(_totals(path.read_text(errors="replace")))
        path.unlink()


def _totals(dump: str) -> int:
    match = re.search(r"^totals:\s*(\d+)", dump, re.MULTILINE)
    if match is None:
        raise RuntimeError("callgrind dump without a totals line")
    return int(match.group(1))
