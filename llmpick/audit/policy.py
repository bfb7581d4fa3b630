"""The audit policy and the project manifest: llmpick.yaml or [tool.llmpick] in pyproject.toml."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Field

from ..catalog.cards import Strict
from ..core import vocab
from ..core.errors import ConfigError, Problem, UsageError, suggest, unknown_choice

if TYPE_CHECKING:
    from ..catalog.catalog import Catalog

MANIFEST_NAMES = ("llmpick.yaml", "llmpick.yml")
PYPROJECT = "pyproject.toml"
TOOL_TABLE = ("tool", "llmpick")


def _one_of(kind: str, allowed: tuple[str, ...]) -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(unknown_choice(kind, value, allowed, f"choose from {', '.join(allowed)}"))
        return value

    return AfterValidator(check)


ConditionId = Annotated[str, _one_of("condition", vocab.LICENSE_CONDITIONS)]
ProvenanceFlag = Annotated[str, _one_of("provenance flag", vocab.PROVENANCE_FLAGS)]


class PolicyException(Strict):
    """A model allowed despite the rules, for a reason, by someone, until a date."""

    model: Annotated[str, Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1)]
    approver: Annotated[str, Field(min_length=1)]
    expires: dt.date


class Policy(Strict):
    """What the project may use. Every list is checked along the model's whole lineage."""

    require: Literal["commercial", "any"] = "commercial"
    allow_licenses: list[str] | None = None  # None: any license; a list: only these
    deny_licenses: list[str] = []
    allow_conditions: list[ConditionId] | None = None  # None: any condition; a list: only these
    deny_conditions: list[ConditionId] = []
    deny_provenance: list[ProvenanceFlag] = []
    unknown_models: Literal["fail", "warn", "ignore"] = "warn"
    exceptions: list[PolicyException] = []
    allow_overrides: bool = False  # a user catalog may replace built-in license entries (override: true)


class ManifestFile(Strict):
    """llmpick.yaml: the models the project uses and its policy."""

    models: list[Annotated[str, Field(min_length=1)]] = []
    policy: Policy | None = None


MANIFEST_KEYS = tuple(ManifestFile.model_fields)


@dataclass
class Source:
    """Where a policy or manifest came from, to point errors and findings at a line."""

    path: Path
    text: str
    prefix: tuple[str | int, ...]  # the location of the policy (or manifest) inside the file
    toml: bool = False

    def line(self, loc: tuple[str | int, ...] = ()) -> int | None:
        from ..core.yamlio import line_of

        full = self.prefix + loc
        return toml_line(self.text, full) if self.toml else line_of(self.text, full)


@dataclass
class ManifestModel:
    name: str
    kind: str  # "hf" for owner/name, "id" for a catalog id
    line: int | None


@dataclass
class Manifest:
    """What a manifest file says; `policy` is None when the file has none."""

    models: list[ManifestModel] = field(default_factory=list)
    policy: Policy | None = None
    source: Source | None = None  # of the manifest
    policy_source: Source | None = None  # of the policy, which --policy may place in another file


DEFAULT_POLICY = Policy()


def find_manifest(directory: Path) -> Path | None:
    """llmpick.yaml, else a pyproject.toml with a [tool.llmpick] table, in `directory`."""
    for name in MANIFEST_NAMES:
        if (directory / name).is_file():
            return directory / name
    pyproject = directory / PYPROJECT
    if pyproject.is_file():
        from ..core.files import Refused, read_regular

        try:
            if re.search(r"^\s*\[\[?\s*tool\.llmpick\b", read_regular(pyproject).decode("utf-8"), re.MULTILINE):
                return pyproject
        except (OSError, Refused, UnicodeDecodeError):
            return None
    return None


def load_manifest(path: Path) -> Manifest:
    """Read llmpick.yaml or pyproject.toml; raises ConfigError (located) or UsageError."""
    data, source = _read(path)
    if source.toml:
        data = _dig(data, TOOL_TABLE)
        source.prefix = TOOL_TABLE
        if data is None:
            raise UsageError(f"{path} has no [tool.llmpick] table", "add one, or use llmpick.yaml")
    return _manifest(data, source, "the manifest")


def load_policy(path: Path) -> Manifest:
    """--policy FILE: policy fields at the top level, or a manifest (llmpick.yaml, pyproject.toml) with a policy."""
    data, source = _read(path)
    if source.toml or (isinstance(data, dict) and set(data) & set(MANIFEST_KEYS)):
        manifest = load_manifest(path)
        if manifest.policy is None:
            raise UsageError(f"{path} has no policy", "add a policy: section, or run llmpick audit --init")
        return Manifest(policy=manifest.policy, policy_source=manifest.policy_source)
    if not isinstance(data, dict):
        raise ConfigError([Problem(path, 1, None, "a policy must be a mapping of fields such as require:")])
    return Manifest(policy=_validate(Policy, data, source, "the policy"), policy_source=source)


def _manifest(data: Any, source: Source, what: str) -> Manifest:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([Problem(source.path, source.line(), None, "expected a mapping with models: and policy:")],
                          what)
    parsed = _validate(ManifestFile, data, source, what)
    models = [ManifestModel(name.strip(), "hf" if "/" in name else "id", source.line(("models", index)))
              for index, name in enumerate(parsed.models)]
    policy_source = Source(source.path, source.text, source.prefix + ("policy",), source.toml)
    return Manifest(models, parsed.policy, source, policy_source if parsed.policy else None)


def _validate(model: type[Strict], data: dict, source: Source, what: str) -> Any:
    from pydantic import ValidationError

    from ..catalog.loading import located

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = sorted({*ManifestFile.model_fields, *Policy.model_fields, *PolicyException.model_fields})
        problems = located(exc, source.path, source.text, source.prefix, fields)
        if source.toml:  # located() found YAML lines; TOML needs its own search
            problems = [Problem(p.path, source.line(tuple(_loc(p.field))), p.field, p.message) for p in problems]
        raise ConfigError(problems, what) from None


def _loc(dotted: str | None) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in (dotted or "").split(".") if part]


def _read(path: Path) -> tuple[Any, Source]:
    from ..core.yamlio import YamlProblem, load_file, read_text

    if not path.is_file():
        raise UsageError(f"{path} does not exist" if not path.exists() else f"{path} is not a file")
    try:
        if path.suffix == ".toml":
            text = read_text(path)
            return _parse_toml(text, path), Source(path, text, (), toml=True)
        data, text = load_file(path)
    except YamlProblem as exc:
        raise ConfigError([exc.problem]) from None
    return data, Source(path, text, ())


def _parse_toml(text: str, path: Path) -> Any:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise ConfigError([Problem(path, int(line.group(1)) if line else None, None, f"TOML syntax: {exc}")]) from None


def _dig(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


_TABLE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\-\"' ]+?)\s*=")


def toml_line(text: str, loc: tuple[str | int, ...]) -> int | None:
    """The line of the deepest key of `loc` found in TOML text (tables, [[arrays]], dotted keys)."""
    lines = _toml_lines(text)
    wanted = tuple(str(part) for part in loc)
    for depth in range(len(wanted), 0, -1):
        if wanted[:depth] in lines:
            return lines[wanted[:depth]]
    return None


@lru_cache(maxsize=2)  # one pass over the file for all of its lines (a search per entry was quadratic)
def _toml_lines(text: str) -> dict[tuple[str, ...], int]:
    """The first line of every table, array entry and key of TOML text, by its full path."""
    lines: dict[tuple[str, ...], int] = {}
    table: list[str] = []
    seen_arrays: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if match := _TABLE.match(raw):
            table = _split(match.group(2))
            if match.group(1) == "[[":
                index = seen_arrays.get(".".join(table), -1) + 1
                seen_arrays[".".join(table)] = index
                table = [*table, str(index)]
            lines.setdefault(tuple(table), number)
        elif match := _KEY.match(raw):
            lines.setdefault((*table, *_split(match.group(1))), number)
    return lines


def _split(dotted: str) -> list[str]:
    return [part.strip().strip("\"'") for part in dotted.split(".")]


def check_licenses(policy: Policy, source: Source | None, catalog: Catalog) -> None:
    """License ids in the policy must be in the registry; a typo gets a "did you mean"."""
    problems = []
    for name in ("allow_licenses", "deny_licenses"):
        for index, license_id in enumerate(getattr(policy, name) or []):
            if license_id not in catalog.licenses:
                hint = suggest(license_id, list(catalog.licenses))
                message = f"unknown license id {license_id!r}" + (
                    f"; did you mean {hint[0]!r}?" if hint else "; see llmpick licenses")
                where = source.path if source else "policy"
                problems.append(Problem(where, source.line((name, index)) if source else None,
                                        f"{name}.{index}", message))
    if problems:
        raise ConfigError(problems)


STARTER = """\
# llmpick audit: the models this project uses and what its policy allows.
# Reference: docs/ci.md in the llmpick repository, or llmpick audit --help.
# Run: llmpick audit --scan .     (exit 0 compliant, 1 violations, 2 configuration error)

# Models used that a scan cannot see (catalog ids or Hugging Face repo ids).
models: []
#  - mistral-7b-v0.1
#  - Qwen/Qwen2.5-7B-Instruct

policy:
  # commercial: fail on models whose effective license (through the whole lineage) forbids
  # commercial use, such as LLaMA 1 fine-tunes; any: research projects.
  require: commercial

  # License ids from `llmpick licenses`. allow_licenses, when set, is the complete list.
  # allow_licenses: [apache-2.0, mit]
  deny_licenses: []

  # License conditions: attribution, notice, share-alike, copyleft, network-copyleft, user-cap,
  # revenue-cap, acceptable-use-policy, no-training-other-models, derivative-naming,
  # registration-required, research-only, non-commercial, hosting-restriction, region-restriction.
  # allow_conditions: [attribution, notice]
  deny_conditions: [research-only, non-commercial]

  # trained-on-proprietary-model-outputs, conflicting-license-statements, unofficial-weights
  deny_provenance: []

  # A model the catalog does not know: fail, warn or ignore.
  unknown_models: warn

  # A user catalog (--catalog, LLMPICK_CATALOG) that replaces a built-in license entry with
  # override: true fails the audit (LLMPICK011) unless this is true.
  allow_overrides: false

  # Allowed despite the rules, until a date; an expired exception fails the audit.
  exceptions: []
  #  - model: vicuna-13b-v1.5
  #    reason: internal evaluation only, never shipped
  #    approver: legal@example.com
  #    expires: 2026-06-30
"""
