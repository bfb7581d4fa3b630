"""Map a model reference (Hub repo, Ollama name, catalog id) to a catalog card.

The rules, tried in this order; the first that matches names the card, and none of them guesses:

Hugging Face repo ids (kind "hf"):
1. ``hf_repos``: the id, without an ``https://huggingface.co/`` prefix and a ``@revision`` suffix, equals
   one of a card's ``hf_repos``, ignoring case (``Huggyllama/LLaMA-7b@main`` -> llama-7b).
2. ``alias``: the id equals one of a card's ``aliases``, ignoring case: a Hub id recorded there because its repo
   does not hold the weights (``facebook/opt-175b`` -> opt-175b, whose weights are given out on request).
3. ``hub id without owner``: a legacy id with no owner (``bert-base-uncased``, ``gpt2``) equals the name of
   a card's repo owned by one of the organisations the Hub moved those models to (``LEGACY_OWNERS``:
   ``google-bert/bert-base-uncased``, ``openai-community/gpt2``, ...), which is where the Hub redirects it.
4. ``quantized fork``: the repo *name* without its quantization or conversion suffixes (``-GGUF``, ``-GGML``,
   ``-GPTQ``, ``-AWQ``, ``-EXL2``, ``-hf``, ``-fp16``, ``-bf16``, ``-4bit``, ``-bnb-4bit``, ``-Q4_K_M``,
   ``-4.0bpw``, ``-MLX``, ...) equals the name of the ``hf_repos`` of exactly one card, ignoring case and
   ``-``/``_``/``.`` differences, except a ``.`` between digits (``1.3b`` is not ``13b``):
   ``TheBloke/Llama-2-7B-GGUF`` -> llama-2-7b, through ``meta-llama/Llama-2-7b-hf``. It applies only when
   a suffix was removed or the owner is a known re-publisher of converted weights (``REPUBLISHERS``:
   TheBloke, mlx-community, unsloth, ...), so that ``someone/llama-7b``, which may be any model, stays
   unknown. A name matching several cards is reported as ambiguous, not resolved.
4. ``hub id alias``: the whole id (``owner/name``, ignoring case) equals one of a card's ``aliases``: an id that
   code and papers name but that holds none of the card's weights, so it is not in ``hf_repos`` (``facebook/opt-175b``,
   given out on request, never published on the Hub), or a catalog name of LM Studio (``google/gemma-3n-e2b``).
   Tried after rules 1-3, so that a real repo always wins.

Ollama names (kind "ollama"), matched against the cards' ``aliases``, ignoring case:
5. ``ollama alias``: ``name:tag`` equals an alias (``falcon:7b``); a ``registry.ollama.ai/library/`` or
   ``library/`` prefix is ignored, and a name without a tag means ``name:latest``, as in Ollama.
6. ``ollama alias, default tag``: ``name`` or ``name:latest`` equals an alias that is the bare ``name``
   (a card lists the bare name only when it is what Ollama's ``latest`` tag serves).
7. ``ollama alias, quantization tag``: the tag without its quantization suffix (``7b-q4_K_M`` -> ``7b``,
   ``40b-instruct-fp16`` -> ``40b-instruct``) gives an alias by rules 5-6.
8. ``hf.co/owner/name:quant`` (Ollama running a Hub GGUF repo) is resolved as the Hub repo ``owner/name``.

Catalog ids (kind "id", from a manifest): the card id, ignoring case (``catalog id``); otherwise the
name is tried as a Hub repo id (if it has a ``/``) and then as an alias.

An alias or name shared by several cards resolves to nothing (``ambiguous: ...``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cards import Card
    from .catalog import Catalog

# Organisations that received the Hub's legacy models without an owner (bert-base-uncased, gpt2, t5-small, ...)
LEGACY_OWNERS = frozenset({"google-bert", "openai-community", "facebookai", "distilbert", "google-t5"})
REPUBLISHERS = frozenset(name.lower() for name in (
    "TheBloke", "mlx-community", "unsloth", "bartowski", "lmstudio-community", "QuantFactory", "MaziyarPanahi",
    "second-state", "mradermacher", "NousResearch", "TechxGenus", "casperhansen", "neuralmagic",
))
_QUANT_TOKEN = (r"gguf|ggml|ggmlv3|gptq|awq|exl2|hqq|marlin|mlx|onnx|bnb|nf4|hf|fp16|bf16|fp32|fp8|f16|f32|"
                r"int4|int8|w4a16|w8a8|unsloth|imatrix|i1|\d+bits?|\d+(?:\.\d+)?bpw|q\d+(?:_k)?(?:_[a-z0-9]+)?")
_QUANT_SUFFIX = re.compile(rf"[-_.](?:{_QUANT_TOKEN})$", re.IGNORECASE)
_OLLAMA_QUANT_TAG = re.compile(r"-(?:q\d+(?:_k)?(?:_[a-z0-9]+)?|fp16|f16|bf16|fp32|f32|iq\d\w*)$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[-_]|(?<!\d)\.|\.(?!\d)")


@dataclass(frozen=True)
class Resolution:
    card_id: str | None  # None: unknown to the catalog
    rule: str  # the rule that matched (see the module docstring), or why nothing did


def resolve(catalog: Catalog, name: str, kind: str) -> Resolution:
    """The card `name` refers to, by the rules of this module's docstring."""
    name = name.strip()
    if kind == "hf":
        return _resolve_repo(catalog, name)
    if kind == "ollama":
        return _resolve_ollama(catalog, name)
    if kind == "id":
        if name.lower() in catalog.cards:
            return Resolution(name.lower(), "catalog id")
        found = _resolve_repo(catalog, name) if "/" in name else Resolution(None, "no rule matched")
        return found if found.card_id or "/" in name else _resolve_ollama(catalog, name)
    raise ValueError(f"unknown reference kind {kind!r}; expected hf, ollama or id")


def find(catalog: Catalog, reference: str) -> Card:
    """The card for a catalog id, a Hub repo id or URL (with an @revision), a quantized fork or an Ollama tag, as
    `audit` reads them; NotFoundError (with suggestions) otherwise."""
    from ..core.errors import NotFoundError

    try:
        return catalog.get(reference)
    except NotFoundError:
        found = resolve(catalog, reference, "id").card_id
        if found is None:
            raise
        return catalog.get(found)


def split_fork(repo_name: str) -> tuple[str, list[str]]:
    """A repo name without its quantization/conversion suffixes, and the suffixes removed (outermost first)."""
    removed = []
    while match := _QUANT_SUFFIX.search(repo_name):
        removed.append(match.group()[1:])
        repo_name = repo_name[:match.start()]
    return repo_name, removed


def _resolve_repo(catalog: Catalog, repo: str) -> Resolution:
    for prefix in ("https://huggingface.co/", "http://huggingface.co/", "hf://"):
        if repo.lower().startswith(prefix):
            repo = repo[len(prefix):].strip("/")
    repo = repo.split("@", 1)[0]
    card = catalog.by_hf_repo(repo)
    if card is not None:
        return Resolution(card.id, "hf_repos")
    if "/" in repo and repo.lower() in (aliased := _index(catalog, "aliases")):
        return _unique(aliased[repo.lower()], "alias")
    owner, _, repo_name = repo.rpartition("/")
    if not owner:
        return _unique(_index(catalog, "names").get(repo_name.lower(), set()), "hub id without owner")
    base, removed = split_fork(repo_name)
    if removed or owner.lower() in REPUBLISHERS:
        rule = f"quantized fork ({', '.join(reversed(removed))})" if removed else f"re-published by {owner}"
        found = _unique(_index(catalog, "forks").get(_normal(base), set()), rule)
        if found.card_id or found.rule.startswith("ambiguous"):
            return found
    return _unique(_index(catalog, "aliases").get(repo.lower(), set()), "hub id alias")


def _resolve_ollama(catalog: Catalog, name: str) -> Resolution:
    lowered = name.lower()
    for host in ("hf.co/", "huggingface.co/"):
        if lowered.startswith(host):
            return _resolve_repo(catalog, name[len(host):].split(":", 1)[0])
    for prefix in ("registry.ollama.ai/", "library/"):
        if name.lower().startswith(prefix):
            name = name[len(prefix):]
    model, _, written_tag = name.partition(":")
    model, tag = model.lower(), written_tag.lower()
    aliases = _index(catalog, "aliases")
    tags = [(tag or "latest", "ollama alias")]
    short = _OLLAMA_QUANT_TAG.sub("", tag)
    if short != tag:
        tags.append((short, f"ollama alias, quantization tag {written_tag[len(short) + 1:]}"))
    for candidate, rule in tags:
        if f"{model}:{candidate}" in aliases:
            return _unique(aliases[f"{model}:{candidate}"], rule)
        if candidate == "latest" and model in aliases:
            return _unique(aliases[model], "ollama alias, default tag" if tag else "ollama alias")
    return Resolution(None, "no rule matched")


def _unique(card_ids: set[str], rule: str) -> Resolution:
    if len(card_ids) == 1:
        return Resolution(next(iter(card_ids)), rule)
    if card_ids:
        return Resolution(None, f"ambiguous: {rule} matches {', '.join(sorted(card_ids))}")
    return Resolution(None, "no rule matched")


def _normal(repo_name: str) -> str:
    return _SEPARATORS.sub("", repo_name.lower())


def _index(catalog: Catalog, which: str) -> dict[str, set[str]]:
    """Lookup tables over the catalog, built once per catalog (kept in its memo)."""
    key = f"resolve:{which}"
    if key not in catalog._memo:
        table: dict[str, set[str]] = {}
        for card in catalog:
            if which == "aliases":
                keys = [alias.lower() for alias in card.aliases]
            elif which == "names":
                keys = [repo.partition("/")[2].lower() for repo in card.hf_repos
                        if repo.partition("/")[0].lower() in LEGACY_OWNERS]
            else:
                keys = [_normal(split_fork(repo.rpartition("/")[2])[0]) for repo in card.hf_repos]
            for item in keys:
                table.setdefault(item, set()).add(card.id)
        catalog._memo[key] = table
    return catalog._memo[key]
