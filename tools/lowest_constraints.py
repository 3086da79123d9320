"""Print `name==lowest` pins for every runtime requirement in pyproject.toml.

`make test-lowest` installs with these as constraints, so the declared lower bounds are the
versions the tests run against: a bound that is too low fails there, not on a user's machine.
Runtime requirements are `[project].dependencies` and the framework extras (`langchain`,
`llamaindex`); each must have a `>=` lower bound.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as vendored by pip
    from pip._vendor import tomli as tomllib

EXTRAS = ("langchain", "llamaindex")
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$")
_LOWER = re.compile(r">=\s*([0-9][0-9A-Za-z.\-]*)")


def lowest_pins(pyproject: Path, extras: tuple[str, ...] = EXTRAS) -> list[str]:
    """`name==version` for each runtime requirement's `>=` bound, in pyproject order."""
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    pins = []
    for requirement in requirements:
        match = _REQUIREMENT.match(requirement)
        if match is None or match.group(1) == project["name"]:
            continue
        lower = _LOWER.search(match.group(2))
        if lower is None:
            raise SystemExit(f"{requirement!r} in pyproject.toml has no >= lower bound")
        pins.append(f"{match.group(1)}=={lower.group(1)}")
    return pins


def main(argv: list[str]) -> None:
    """`--core`: only `[project].dependencies`; `--except NAME`: leave NAME to the resolver."""
    root = Path(__file__).resolve().parent.parent
    extras = () if "--core" in argv else EXTRAS
    left = {argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--except"}
    pins = [
        pin
        for pin in lowest_pins(root / "pyproject.toml", extras)
        if pin.split("==")[0] not in left
    ]
    sys.stdout.write("".join(f"{pin}\n" for pin in pins))


if __name__ == "__main__":
    main(sys.argv[1:])
