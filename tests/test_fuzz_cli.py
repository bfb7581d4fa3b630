"""Fuzzing through the public CLI: generated cards, registries, manifests, policies and flag combinations.

Whatever goes in, a command ends with a documented exit code (0, 1, 2, 3), never a traceback, and an --output file
is either untouched or complete. Derandomized, so a failure reproduces; small, so the suite stays fast."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmpick.catalog import builtin_catalog_dir
from tests.conftest import BASE_CARD, FIXTURE_CATALOG, run

EXIT_CODES = {0, 1, 2, 3}
SENTINEL = "untouched\n"
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# values a hostile or careless author writes: wrong types, non-finite and huge numbers, impossible dates, control
# and bidi characters, YAML 1.1 surprises, long strings
WEIRD_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", " ", "yes", "no", "1:30", "2025-02-30", "nan", ".inf", "-1", "1e400", "\x1b[31mred",
                     "\u202egnp.exe", "apache-2.0", "llama-1-research", "mistral-7b-v0.1", "x" * 5000,
                     "huggyllama/llama-7b", "TheBloke/Llama-2-7B-GGUF", "llama2:7b", "https://example.org"]),
    st.dates(dt.date(1900, 1, 1), dt.date(2200, 1, 1)),
    st.text(max_size=30),
)
WEIRD = st.recursive(WEIRD_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                            st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                     max_leaves=6)
# raw text that is not what yaml.safe_dump writes: anchors, tags, duplicate keys, broken syntax
RAW_YAML = st.sampled_from([
    "id: a\nid: b\n", "a: &x [*x]\n", "!!python/object/apply:os.system ['true']\n", "- [\n", ": :\n",
    "a: &a [1]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n", "\t- tab\n", "%YAML 1.1\n---\nx: 1\n", "\ufeffid: bom\n",
    "license: mit\nlicense: apache-2.0\n", "", "---\n---\n", "? [a]\n: b\n", "x: !!binary aGk=\n",
])


def _ok(result) -> None:
    text = (result.stdout or "") + (result.stderr or "")
    assert result.exit_code in EXIT_CODES, (result.exit_code, text[-2000:])
    assert "Traceback" not in text, text[-2000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def _complete_or_untouched(path: Path, fmt: str) -> None:
    text = path.read_text(encoding="utf-8")
    if text == SENTINEL:
        return
    if fmt == "json":
        json.loads(text)
    elif fmt == "html":
        assert text.rstrip().endswith("</html>"), text[-200:]
    else:
        assert text.endswith("\n"), text[-200:]


@pytest.fixture(scope="module")
def fuzz_catalog(tmp_path_factory) -> Path:
    """The small fixture catalog with the built-in GPU table, so that --gpu names resolve."""
    folder = tmp_path_factory.mktemp("fuzz-catalog") / "catalog"
    shutil.copytree(FIXTURE_CATALOG, folder)
    shutil.copy(builtin_catalog_dir() / "gpus.yaml", folder / "gpus.yaml")
    return folder


@pytest.fixture
def small(monkeypatch, fuzz_catalog) -> Path:
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    monkeypatch.setenv("LLMPICK_NO_CACHE", "1")
    monkeypatch.setenv("LLMPICK_CATALOG", str(fuzz_catalog))
    return fuzz_catalog


@st.composite
def card_text(draw) -> str:
    """A card: the fixture's, with some fields replaced, removed or added, dumped; or raw YAML text."""
    if draw(st.integers(0, 9)) == 0:
        return draw(RAW_YAML)
    data = dict(BASE_CARD)
    for key in draw(st.lists(st.sampled_from(sorted(BASE_CARD)), max_size=3, unique=True)):
        if draw(st.booleans()):
            data.pop(key)
        else:
            data[key] = draw(WEIRD)
    data.update(draw(st.dictionaries(st.sampled_from(["extra", "base_model", "specialty", "aliases", "notes"]),
                                     WEIRD, max_size=1)))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + draw(st.sampled_from(["", "", "id: again\n"]))


@st.composite
def registry_text(draw) -> tuple[str, str]:
    """A licenses.yaml or gpus.yaml of a user catalog: entries with weird fields, maybe redefining a known id."""
    name = draw(st.sampled_from(["licenses.yaml", "gpus.yaml", "benchmarks.yaml"]))
    if draw(st.integers(0, 4)) == 0:
        return name, draw(RAW_YAML)
    entry = {"id": draw(st.sampled_from(["apache-2.0", "llama-1-research", "rtx-4090", "mine", "mmlu"])),
             "name": "Mine", "url": "https://example.org", "source": "https://example.org", "summary": "s",
             "commercial": draw(WEIRD_SCALARS), "vendor": "nvidia", "kind": "discrete",
             "memory_gib": draw(WEIRD_SCALARS), "bandwidth_gbs": 100}
    if draw(st.booleans()):
        entry["override"] = draw(WEIRD_SCALARS)
    return name, yaml.safe_dump([entry], allow_unicode=True)


@FUZZ
@given(card=card_text(), registry=st.none() | registry_text(), fmt=st.sampled_from(["json", "csv", "markdown"]))
def test_generated_catalogs(small, tmp_path_factory, card, registry, fmt):
    folder = tmp_path_factory.mktemp("user")
    (folder / "card.yaml").write_text(card, encoding="utf-8")
    if registry:
        (folder / registry[0]).write_text(registry[1], encoding="utf-8")
    _ok(run("validate", folder))
    _ok(run("validate", folder, "--format", "json"))
    out = folder / f"out.{fmt}"
    out.write_text(SENTINEL)
    _ok(run("list", "--catalog", folder, "--format", fmt, "--output", out))
    _complete_or_untouched(out, fmt)


POLICY = st.fixed_dictionaries({}, optional={
    "require": WEIRD_SCALARS | st.sampled_from(["commercial", "any"]),
    "allow_licenses": WEIRD, "deny_licenses": WEIRD, "deny_conditions": WEIRD, "deny_provenance": WEIRD,
    "unknown_models": WEIRD_SCALARS | st.sampled_from(["fail", "warn", "ignore"]),
    "allow_overrides": WEIRD_SCALARS,
    "exceptions": st.lists(st.fixed_dictionaries({"model": WEIRD_SCALARS}, optional={
        "reason": WEIRD_SCALARS, "approver": WEIRD_SCALARS, "expires": WEIRD_SCALARS}), max_size=2),
    "surprise": WEIRD,
})


@FUZZ
@given(models=st.lists(WEIRD_SCALARS, max_size=4) | WEIRD, policy=st.none() | POLICY | WEIRD,
       raw=st.none() | RAW_YAML, fmt=st.sampled_from(["json", "sarif", "junit", "markdown", "text"]),
       separate=st.booleans())
def test_generated_manifests_and_policies(small, tmp_path_factory, models, policy, raw, fmt, separate):
    folder = tmp_path_factory.mktemp("project")
    manifest = folder / "llmpick.yaml"
    document = {"models": models} if policy is None or separate else {"models": models, "policy": policy}
    manifest.write_text(raw if raw is not None else yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    args = ["audit", "--manifest", manifest, "--format", fmt]
    if separate and policy is not None:
        (folder / "policy.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
        args += ["--policy", folder / "policy.yaml"]
    out = folder / "report"
    out.write_text(SENTINEL)
    _ok(run(*args, "--output", out))
    _complete_or_untouched(out, {"sarif": "json", "junit": "text"}.get(fmt, fmt))


FLAG_VALUES = st.one_of(
    st.sampled_from(["", " ", ",,,", "nan", "inf", "-1", "0", "1e400", "12", "24GB", "8k", "zh-CN", "zh_Hans",
                     "RTX 4090", "2x RTX 3090", "RTX 3090 +", "M3 Max", "q4_k_m", "fp16,q8_0", "q8_0", "code",
                     "quality", "mistral", "apache-2.0", "2024-01-01", "2025-02-30", "lora", "x" * 3000,
                     "\x1b[2J", "id,params,id", "-params", "mistral-7b-v0.1", "mistralai/Mistral-7B-v0.1"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)
VALUE_FLAGS = {
    "recommend": ["--vram", "--gpus", "--gpu", "--ram", "--quant", "--context", "--kv-type", "--parallel",
                  "--headroom", "--min-speed", "--mem-bandwidth", "--lang", "--task", "--modality", "--min-context",
                  "--min-params", "--max-params", "--family", "--released-after", "--prefer", "--top", "--why-not",
                  "--license", "--exclude-license"],
    "export": ["--columns", "--sort", "--lang", "--vram", "--gpus", "--gpu", "--quant", "--context", "--headroom",
               "--min-params", "--license"],
    "fit": ["--vram", "--gpus", "--gpu", "--ram", "--quant", "--context", "--kv-type", "--parallel", "--finetune",
            "--headroom"],
    "compare": ["--context"],
}
SWITCHES = {
    "recommend": ["--commercial", "--strict-license", "--cpu-only", "--auto", "--all", "--explain", "--open-weights",
                  "--fully-open", "--no-provenance-risk"],
    "export": ["--commercial", "--cpu-only", "--fully-open"],
    "fit": ["--cpu-only", "--context-sweep", "--explain"],
    "compare": ["--diff"],
}
POSITIONAL = {"recommend": [], "export": [], "fit": ["mistral-7b-v0.1"], "compare": ["mistral-7b-v0.1", "llama-7b"]}


@st.composite
def command_line(draw) -> tuple[list[str], str]:
    command = draw(st.sampled_from(sorted(VALUE_FLAGS)))
    args = [command, *POSITIONAL[command]]
    for flag in draw(st.lists(st.sampled_from(VALUE_FLAGS[command]), max_size=4)):
        args += [flag, draw(FLAG_VALUES)]
    args += draw(st.lists(st.sampled_from(SWITCHES[command]), max_size=2, unique=True))
    fmt = draw(st.sampled_from(["json", "csv", "markdown", "html", "table"]))
    return args + ["--format", fmt], fmt


@FUZZ
@given(line=command_line())
def test_generated_flag_combinations(small, tmp_path_factory, line):
    args, fmt = line
    out = tmp_path_factory.mktemp("out") / "result"
    out.write_text(SENTINEL)
    _ok(run(*args, "--output", out))
    _complete_or_untouched(out, fmt)
