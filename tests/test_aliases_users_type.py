"""Issue 18 item 3: the names users type (Ollama library tags, renamed and quantized Hub ids, an id papers name)
resolve to the right card in `llmpick audit` (a manifest and a --scan) and `llmpick show`."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from conftest import FIXTURE_CATALOG, write_card

from llmpick import load_catalog
from llmpick.catalog.resolve import Resolution, resolve
from tests.audit_helpers import catalog, shared_cache, warm_cache
from tests.conftest import run

__all__ = ["catalog", "shared_cache", "warm_cache"]  # fixtures

NAMES = {
    # Ollama library names (sources listed in each card)
    "llama3.1:8b": "llama-3.1-8b-instruct",  # Ollama serves the instruct model under the bare size tag
    "llama3.1": "llama-3.1-8b-instruct",  # README model table: `ollama run llama3.1` is the 8B
    "qwen2.5:7b": "qwen2.5-7b-instruct",
    "gemma3:12b": "gemma-3-12b-it",
    "gemma3": "gemma-3-4b-it",  # README: `ollama run gemma3` is the 4B
    # since the R1-0528 update the 8b tag serves the Qwen3-8B distill (it was DeepSeek-R1-Distill-Llama-8B before)
    "deepseek-r1:8b": "deepseek-r1-0528-qwen3-8b",
    "deepseek-r1:7b": "deepseek-r1-distill-qwen-7b",
    "phi4": "phi-4",
    "mistral": "mistral-7b-instruct-v0.3",  # Ollama: v0.3 is `latest`
    "mistral:7b-instruct-v0.3-q4_K_M": "mistral-7b-instruct-v0.3",
    "qwen3:14b": "qwen3-14b",
    "gpt-oss:20b": "gpt-oss-20b",
    "gemma3n:e4b": "gemma-3n-e4b-it",
    "qwen3.5:9b": "qwen3.5-9b",
    "llama3.3": "llama-3.3-70b-instruct",
    # renamed Hub ids (Meta renamed Meta-Llama-3.1-* to Llama-3.1-* on 2024-09-25; the Hub redirects)
    "meta-llama/Meta-Llama-3.1-8B-Instruct": "llama-3.1-8b-instruct",
    "meta-llama/Meta-Llama-3.1-70B": "llama-3.1-70b",
    # quantized re-uploads of the old id
    "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF": "llama-3.1-8b-instruct",
    "mlx-community/Meta-Llama-3.1-8B-Instruct-4bit": "llama-3.1-8b-instruct",
    "unsloth/Meta-Llama-3.1-8B-Instruct-bnb-4bit": "llama-3.1-8b-instruct",
    # what code and papers name, though facebook never put the 175B weights on the Hub (metaseq request form)
    "facebook/opt-175b": "opt-175b",
}
HUB = [name for name in NAMES if "/" in name]
OLLAMA = [name for name in NAMES if name not in HUB]


@pytest.mark.parametrize(("name", "card_id"), NAMES.items())
def test_resolves_as_audit_and_show_read_it(catalog, name, card_id):
    assert resolve(catalog, name, "id").card_id == card_id
    kind = "hf" if name in HUB else "ollama"
    assert resolve(catalog, name, kind).card_id == card_id


def test_audit_manifest_resolves_every_form(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "llmpick.yaml").write_text("models:\n" + "".join(f"  - {name}\n" for name in NAMES))
    result = run("audit", "--manifest", "llmpick.yaml", "--format", "json", "--warn-only")
    assert result.exit_code == 0, result.output
    found = {name: model["card_id"] for model in json.loads(result.stdout)["data"]["models"]
             for name in model["names"]}
    assert found == NAMES


def test_audit_scan_resolves_hub_ids_in_code_and_ollama_tags_in_modelfiles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("from transformers import AutoModelForCausalLM\n" + "".join(
        f'm{i} = AutoModelForCausalLM.from_pretrained("{name}")\n' for i, name in enumerate(HUB)))
    for i, name in enumerate(OLLAMA):
        (tmp_path / f"Modelfile.{i}").write_text(f"FROM {name}\n")
    result = run("audit", "--scan", ".", "--format", "json", "--warn-only")
    assert result.exit_code == 0, result.output
    found = {name: model["card_id"] for model in json.loads(result.stdout)["data"]["models"]
             for name in model["names"]}
    assert found == NAMES


@pytest.mark.parametrize(("name", "card_id"), NAMES.items())
def test_show_resolves(name, card_id):
    result = run("show", name, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"]["id"] == card_id


def test_no_alias_is_shared_by_two_cards(catalog):
    owners = defaultdict(set)
    for card in catalog:
        for alias in card.aliases:
            owners[alias.lower()].add(card.id)
        for repo in card.hf_repos:
            owners[repo.lower()].add(card.id)
    assert {name: ids for name, ids in owners.items() if len(ids) > 1} == {}


def test_hub_id_alias_never_hides_a_repo(tmp_path):
    """A Hub id in `aliases` is tried after hf_repos and the quantized-fork rule, so a real repo always wins."""
    write_card(tmp_path, id="held-back", hf_repos=[], aliases=["lab/big-7b"])
    write_card(tmp_path, id="real", hf_repos=["lab/Big-7B-hf"])
    cat = load_catalog([FIXTURE_CATALOG, tmp_path], builtin=False)
    assert resolve(cat, "lab/big-7b", "hf") == Resolution("held-back", "hub id alias")
    assert resolve(cat, "LAB/Big-7B", "id") == Resolution("held-back", "hub id alias")
    assert resolve(cat, "TheBloke/Big-7B-GGUF", "hf") == Resolution("real", "quantized fork (GGUF)")
    assert resolve(cat, "someone/big-7b", "hf") == Resolution(None, "no rule matched")
