"""ci/lowest.txt pins every direct requirement of pyproject.toml at its lower bound, so CI's second step
(.ci/run) tests the lowest versions that pyproject.toml claims to support. Regenerate it with
`python ci/lowest.py` when a bound changes (docs/development.md)."""

from __future__ import annotations

from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
DIRECT = [Requirement(line) for line in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]]
REGENERATE = "after changing a bound in pyproject.toml, regenerate ci/lowest.txt with `python ci/lowest.py`"


def key(req: Requirement) -> tuple[str, str]:
    return canonicalize_name(req.name), str(req.marker) if req.marker else ""


def lowest_pins() -> dict[tuple[str, str], Requirement]:
    pins: dict[tuple[str, str], Requirement] = {}
    for line in (ROOT / "ci" / "lowest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        pin = Requirement(line)
        [spec] = pin.specifier
        assert spec.operator == "==" and not pin.extras, f"ci/lowest.txt: {line!r} is not `name==version`"
        assert key(pin) not in pins, f"ci/lowest.txt pins {pin.name} twice"
        pins[key(pin)] = pin
    return pins


def test_every_direct_requirement_is_pinned_at_its_lower_bound():
    pins = lowest_pins()
    for req in DIRECT:
        bounds = [Version(spec.version) for spec in req.specifier if spec.operator in (">=", "==", "~=")]
        assert bounds, f"pyproject.toml: {req} has no lower bound"
        pin = pins.get(key(req))
        where = f" under the marker `{req.marker}`" if req.marker else ""
        assert pin is not None, f"ci/lowest.txt does not pin {req.name}{where}; {REGENERATE}"
        [spec] = pin.specifier
        assert Version(spec.version) == max(bounds), (
            f"pyproject.toml says {req}, ci/lowest.txt pins {pin}; {REGENERATE}")


def test_lowest_pins_nothing_that_is_not_a_direct_requirement():
    stale = set(lowest_pins()) - {key(req) for req in DIRECT}
    assert not stale, f"ci/lowest.txt pins {sorted(stale)}, which pyproject.toml does not ask for; {REGENERATE}"


def test_ci_installs_the_lowest_versions():
    assert "-c ci/lowest.txt" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
