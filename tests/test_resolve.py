import pytest
from conftest import FIXTURE_CATALOG, write_card
from hypothesis import given
from hypothesis import strategies as st

from llmpick import load_catalog
from llmpick.catalog.resolve import Resolution, resolve, split_fork


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    """The fixture catalog plus cards shaped to exercise each rule, including names two cards share."""
    extra = tmp_path_factory.mktemp("cards")
    write_card(extra, id="llama-2-7b", family="llama", hf_repos=["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b"],
               aliases=["llama2:7b-text"])
    write_card(extra, id="llama-2-7b-chat", family="llama", hf_repos=["meta-llama/Llama-2-7b-chat-hf"],
               aliases=["llama2:7b", "llama2"])
    write_card(extra, id="twin-a", hf_repos=["alpha/Twin-7B"], aliases=["twin:7b"])
    write_card(extra, id="twin-b", hf_repos=["beta/twin_7b"], aliases=["TWIN:7b"])
    write_card(extra, id="gated-175b", hf_repos=[], aliases=["acme/gated-175b"])
    return load_catalog([FIXTURE_CATALOG, extra], builtin=False)


@pytest.mark.parametrize(("name", "expected"), [
    ("huggyllama/llama-7b", Resolution("llama-7b", "hf_repos")),
    ("HuggyLlama/LLaMA-7B", Resolution("llama-7b", "hf_repos")),
    ("huggyllama/llama-7b@8416d3fefb0cb3ff5775a7b13c1692d10ff1aa16", Resolution("llama-7b", "hf_repos")),
    ("https://huggingface.co/mistralai/Mistral-7B-v0.1", Resolution("mistral-7b-v0.1", "hf_repos")),
    ("bert-base-uncased", Resolution("bert-base-uncased", "hub id without owner")),
    ("TheBloke/Llama-2-7B-GGUF", Resolution("llama-2-7b", "quantized fork (GGUF)")),
    ("TheBloke/Llama-2-7B-Chat-GPTQ", Resolution("llama-2-7b-chat", "quantized fork (GPTQ)")),
    ("someone/llama-2-7b.AWQ", Resolution("llama-2-7b", "quantized fork (AWQ)")),
    ("TheBloke/Llama-2-7B-fp16", Resolution("llama-2-7b", "quantized fork (fp16)")),
    ("unsloth/llama-2-7b-bnb-4bit", Resolution("llama-2-7b", "quantized fork (bnb, 4bit)")),
    ("turboderp/Llama2-7B-exl2-4.0bpw", Resolution("llama-2-7b", "quantized fork (exl2, 4.0bpw)")),
    ("mlx-community/Mistral-7B-v0.1-4bit", Resolution("mistral-7b-v0.1", "quantized fork (4bit)")),
    ("bartowski/Mixtral-8x7B-v0.1-Q4_K_M-GGUF", Resolution("mixtral-8x7b-v0.1", "quantized fork (Q4_K_M, GGUF)")),
    ("NousResearch/Llama-2-7b-chat-hf", Resolution("llama-2-7b-chat", "quantized fork (hf)")),
    ("TheBloke/llama-7b", Resolution("llama-7b", "re-published by TheBloke")),
    ("ACME/Gated-175B", Resolution("gated-175b", "alias")),  # a Hub id a card lists as an alias, not in hf_repos
    ("https://huggingface.co/acme/gated-175b@main", Resolution("gated-175b", "alias")),
])
def test_hub_repos(catalog, name, expected):
    assert resolve(catalog, name, "hf") == expected


@pytest.mark.parametrize("name", [
    "someone/llama-7b",  # same name as a card's repo, but not a known re-publisher and not converted: any model
    "acme-corp/internal-llm-7b",
    "TheBloke/Llama-2-13B-GGUF",  # no 13B card: a fork is never matched to a near name
    "TheBloke/Llama-2-7B-Instruct-GGUF",
    "llama-7b",  # the catalog's repo is huggyllama/llama-7b; "llama-7b" alone is not a Hub id of it
])
def test_unknown_repos_are_not_guessed(catalog, name):
    assert resolve(catalog, name, "hf") == Resolution(None, "no rule matched")


def test_names_shared_by_two_cards_are_ambiguous(catalog):
    found = resolve(catalog, "TheBloke/Twin-7B-GGUF", "hf")
    assert found.card_id is None
    assert found.rule == "ambiguous: quantized fork (GGUF) matches twin-a, twin-b"
    assert resolve(catalog, "twin:7b", "ollama") == Resolution(None, "ambiguous: ollama alias matches twin-a, twin-b")
    assert resolve(catalog, "alpha/twin-7b", "hf") == Resolution("twin-a", "hf_repos")  # exact still works


@pytest.mark.parametrize(("name", "expected"), [
    ("llama2:7b", Resolution("llama-2-7b-chat", "ollama alias")),
    ("LLAMA2:7B", Resolution("llama-2-7b-chat", "ollama alias")),
    ("llama2:7b-text", Resolution("llama-2-7b", "ollama alias")),
    ("library/llama2:7b-text", Resolution("llama-2-7b", "ollama alias")),
    ("registry.ollama.ai/library/llama2:7b", Resolution("llama-2-7b-chat", "ollama alias")),
    ("llama2", Resolution("llama-2-7b-chat", "ollama alias")),
    ("llama2:latest", Resolution("llama-2-7b-chat", "ollama alias, default tag")),
    ("llama2:7b-text-q4_K_M", Resolution("llama-2-7b", "ollama alias, quantization tag q4_K_M")),
    ("llama2:7b-fp16", Resolution("llama-2-7b-chat", "ollama alias, quantization tag fp16")),
    ("hf.co/TheBloke/Llama-2-7B-GGUF:Q4_K_M", Resolution("llama-2-7b", "quantized fork (GGUF)")),
    ("llama2:13b", Resolution(None, "no rule matched")),
    ("llama2:7b-chat-q4_0", Resolution(None, "no rule matched")),  # 7b-chat is not an alias: no guess
    ("someone/llama2:7b", Resolution(None, "no rule matched")),
])
def test_ollama_names(catalog, name, expected):
    assert resolve(catalog, name, "ollama") == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("llama-7b", Resolution("llama-7b", "catalog id")),
    ("Mistral-7B-v0.1", Resolution("mistral-7b-v0.1", "catalog id")),
    ("lmsys/vicuna-13b-delta-v1.1", Resolution("vicuna-13b-v1.1", "hf_repos")),
    ("llama2:7b", Resolution("llama-2-7b-chat", "ollama alias")),
    ("no-such-model", Resolution(None, "no rule matched")),
    ("no/such-model", Resolution(None, "no rule matched")),
])
def test_manifest_ids(catalog, name, expected):
    assert resolve(catalog, name, "id") == expected


def test_unknown_kind_is_a_programming_error(catalog):
    with pytest.raises(ValueError, match="unknown reference kind 'pip'"):
        resolve(catalog, "x", "pip")


def test_issue_models_resolve_in_the_builtin_catalog():
    builtin = load_catalog()
    expected = {
        "huggyllama/llama-7b": "llama-7b",
        "lmsys/vicuna-13b-v1.5": "vicuna-13b-v1.5",
        "mistralai/Mistral-7B-v0.1": "mistral-7b-v0.1",
        "databricks/dolly-v2-12b": "dolly-v2-12b",
        "facebook/opt-66b": "opt-66b",
        "TheBloke/Llama-2-7B-GGUF": "llama-2-7b",
        "acme-corp/internal-llm-7b": None,
    }
    assert {name: resolve(builtin, name, "hf").card_id for name in expected} == expected


def test_no_two_builtin_cards_share_a_fork_name():
    """Ambiguity would make the fork rule silently useless for those cards."""
    from llmpick.catalog.resolve import _index

    shared = {name: ids for name, ids in _index(load_catalog(), "forks").items() if len(ids) > 1}
    assert shared == {}


@pytest.mark.parametrize(("name", "base", "removed"), [
    ("Llama-2-7B-GGUF", "Llama-2-7B", ["GGUF"]),
    ("Mistral-7B-Instruct-v0.2-4bit", "Mistral-7B-Instruct-v0.2", ["4bit"]),
    ("vicuna-13b-v1.5", "vicuna-13b-v1.5", []),  # a version is not a quantization
    ("Qwen2.5-7B-Instruct-GPTQ-Int4", "Qwen2.5-7B-Instruct", ["Int4", "GPTQ"]),
])
def test_split_fork(name, base, removed):
    assert split_fork(name) == (base, removed)


@given(name=st.text(max_size=60) | st.from_regex(r"[A-Za-z]{1,8}/[A-Za-z0-9.\-_]{1,20}(@\w+)?", fullmatch=True),
       kind=st.sampled_from(["hf", "ollama", "id"]))
def test_resolve_never_raises(catalog, name, kind):
    found = resolve(catalog, name, kind)
    assert (found.card_id is None) == (found.rule == "no rule matched" or found.rule.startswith("ambiguous"))


def test_every_builtin_repo_and_its_gguf_fork_resolve_to_their_card():
    builtin = load_catalog()
    for card in builtin:
        for repo in card.hf_repos:
            assert resolve(builtin, repo.upper(), "hf") == Resolution(card.id, "hf_repos")
            fork = f"TheBloke/{split_fork(repo.split('/')[1])[0]}-GGUF"
            assert resolve(builtin, fork, "hf").card_id == card.id, fork
        for alias in card.aliases:
            assert resolve(builtin, alias, "ollama").card_id == card.id, alias
