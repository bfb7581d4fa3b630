"""Every number in the JSON of every command says its unit in its key (docs/export.md, "Units in JSON"): memory
llmpick estimates is `*_gib`; `*_gb` is left only for the published sizes and publisher claims a card quotes."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from llmpick import load_catalog
from llmpick.catalog.loading import builtin_catalog_dir
from tests.conftest import run
from tests.test_detect import GIB, fake_nvml, fake_psutil

DOC = (Path(__file__).parent.parent / "docs" / "export.md").read_text(encoding="utf-8")
# the `*_gb` keys JSON may carry (path pattern -> how docs/export.md names the key)
ALLOWED_GB = {
    r"architecture\.checkpoint_gb": "architecture.checkpoint_gb",
    r"runtimes\.gguf\[\]\.files\.\w+\.size_gb": "runtimes.gguf[].files.*.size_gb",
    r"runtimes\.mlx\[\]\.size_gb": "runtimes.mlx[].size_gb",
    r"hardware_claims\[\]\.vram_gb": "hardware_claims[].vram_gb",
    r"hardware_claims\[\]\.ram_gb": "hardware_claims[].ram_gb",
}


def keys(value, path: str = ""):
    """(path, key) for every key of a JSON value; list items are `[]` in the path."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else key
            yield here, key
            yield from keys(item, here)
    elif isinstance(value, list):
        for item in value:
            yield from keys(item, path + "[]")


def payload(*args) -> dict:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["schema_version"] == 3, args
    return out


def gb_keys(out: dict) -> set[str]:
    """The paths of `*_gb` keys no documented pattern allows; fails on none, returns the allowed ones seen."""
    seen, wrong = set(), []
    for path, key in keys(out["data"]):
        if key.endswith("_gb"):
            allowed = [p for p in ALLOWED_GB if re.search(rf"(^|\.|\]){p}$", path)]
            if not allowed:
                wrong.append(path)
            seen.update(allowed)
    assert not wrong, f"{out['kind']}: GiB figures under a GB key (name them *_gib, docs/export.md): {wrong}"
    return seen


def cards_with_quoted_sizes() -> list[str]:
    """A built-in card for each kind of quoted size: a checkpoint, GGUF files, a publisher's VRAM and RAM claims."""
    catalog = load_catalog()
    wanted = {
        "checkpoint": lambda c: c.architecture.checkpoint_gb,
        "gguf": lambda c: c.runtimes and any(f.size_gb for g in c.runtimes.gguf for f in g.files.values()),
        "vram claim": lambda c: any(claim.vram_gb for claim in c.hardware_claims),
        "ram claim": lambda c: any(claim.ram_gb for claim in c.hardware_claims),
    }
    return [next(card.id for card in catalog if has(card)) for has in wanted.values()]


def mlx_card_with_size(tmp_path: Path) -> Path:
    """qwen3-14b with an MLX repo and its size (no built-in card records one)."""
    text = (builtin_catalog_dir() / "models" / "qwen3-14b.yaml").read_text(encoding="utf-8")
    repo = "mlx-community/Qwen3-14B-4bit"
    patched = text.replace("runtimes:\n", f"runtimes:\n  mlx: [{{repo: {repo}, bits: 4, size_gb: 8.32}}]\n", 1)
    patched = patched.replace("sources:\n", f"sources:\n  - https://huggingface.co/{repo}\n", 1)
    assert patched != text
    (tmp_path / "qwen3-14b.yaml").write_text(patched, encoding="utf-8")
    return tmp_path


COMMANDS = [
    ("list",), ("licenses",), ("quality", "qwen3-14b"), ("catalog", "stats"),
    ("recommend", "--vram", "12"),
    ("recommend", "--gpu", "RTX 4060", "--ram", "64", "--allow-offload", "--headroom", "1"),
    ("recommend", "--cpu-only", "--ram", "32"),
    ("recommend", "--vram", "12", "--why-not", "qwen3-14b"),
    ("fit", "llama-2-7b", "--gpu", "RTX 4060", "--ram", "32", "--context-sweep"),
    ("fit", "mistral-7b-v0.1", "--vram", "24", "--finetune", "qlora"),
    ("compare", "llama-2-7b", "qwen3-14b", "--diff"),
    ("export", "--columns", "id,memory_fp16,memory_q8_0,memory_q4_k_m,hardware_claims"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_gib_figure_under_a_gb_key(args):
    gb_keys(payload(*args))


def test_every_allowed_gb_key_is_documented_and_occurs(tmp_path):
    """The allow-list is the one docs/export.md gives, and each entry still occurs (else it would hide nothing and
    should go)."""
    seen: set[str] = set()
    for card in cards_with_quoted_sizes():
        seen |= gb_keys(payload("show", card))
    seen |= gb_keys(payload("show", "qwen3-14b", "--catalog", mlx_card_with_size(tmp_path)))
    assert seen == set(ALLOWED_GB)
    for name in ALLOWED_GB.values():
        assert f"`{name}`" in DOC or name.split(".", 1)[1] in DOC, f"{name} is not in docs/export.md's units table"


def test_memory_figures_are_gib_keys():
    """The keys of schema_version 3 hold what the tables show in GiB."""
    data = payload("recommend", "--vram", "12", "--top", "1")["data"]
    memory = data["recommendations"][0]["memory"]
    assert set(memory) >= {"total_gib", "weights_gib", "kv_cache_gib", "activations_gib", "overhead_gib",
                           "available_gib"}
    assert memory["available_gib"] == data["hardware"]["budget_gib"] == data["requirements"]["vram_gib"] == 12
    row = payload("fit", "llama-2-7b", "--vram", "12")["data"]["rows"][0]
    assert row["total_gib"] == pytest.approx(row["weights_gib"] + row["kv_cache_gib"] + row["activations_gib"]
                                             + row["overhead_gib"])


def test_hardware_json_in_gib(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_nvml(("NVIDIA GeForce RTX 4090", 24 * GIB, 20 * GIB)))
    monkeypatch.setitem(sys.modules, "psutil", fake_psutil())
    out = payload("hardware")
    gb_keys(out)
    assert out["data"]["gpus"][0]["total_gib"] == 24.0 and out["data"]["ram_free_gib"] == 40.0


def test_installed_sizes_in_bytes(tmp_path):
    pytest.importorskip("gguf")
    from tests.test_runtimes_installed import write_gguf

    found = write_gguf(tmp_path / "models" / "mistral-7b-v0.1.Q4_K_M.gguf")
    out = payload("installed", "--path", tmp_path / "models", "--source", "gguf")
    gb_keys(out)
    assert [m["size_bytes"] for m in out["data"]["models"]] == [found.stat().st_size]


def test_a_profile_with_a_schema_2_key_names_the_new_one(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("commercial: true\nvram_gb: 12\n")
    result = run("recommend", "--profile", profile)
    assert result.exit_code == 2, result.output
    assert f"{profile}:2: vram_gb: unknown key; did you mean 'vram_gib'?" in result.stderr
