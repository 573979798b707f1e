"""The declared minimum versions as a pip constraints file: every direct dependency pinned to its
lower bound, so that CI can install exactly the oldest versions pyproject.toml claims to support
and run the quick tests on them (./bootstrap test, when CI=true)::

    python tests/lower_bounds.py > lower-bounds.txt
    pip install -c lower-bounds.txt ".[dev]"

pip has no "lowest versions" resolution of its own; pinning each dependency to its bound is what
tells whether the bound is true. A dependency without a lower bound is an error: nothing would say
which version it needs.
"""

import pathlib
import re
import sys
import tomllib

PYPROJECT = pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml"
REQUIREMENT = re.compile(r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?P<spec>[^;#]*)")


def lower_bounds(pyproject: pathlib.Path = PYPROJECT, extras: tuple[str, ...] = ("dev",)) -> dict[str, str]:
    """{distribution name: lowest version allowed} for the dependencies and the given extras."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    bounds = {}
    for requirement in requirements:
        m = REQUIREMENT.match(requirement)
        spec = {op: version for op, version in re.findall(r"(>=|==|~=)\s*([^,\s]+)", m["spec"])}
        low = spec.get("==") or spec.get(">=") or spec.get("~=")
        if low is None:
            raise ValueError(f"{pyproject}: {requirement!r} has no lower bound (>=, ~= or ==)")
        bounds[m["name"]] = low
    return bounds


if __name__ == "__main__":
    for name, version in lower_bounds().items():
        sys.stdout.write(f"{name}=={version}\n")
