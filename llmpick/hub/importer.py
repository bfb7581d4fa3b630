"""Draft a model card from Hugging Face Hub metadata, validate it, and write it atomically."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..core.errors import CatalogError, Problem, UsageError, validation_message
from .config import config_shape, context_length, params_b, significant

if TYPE_CHECKING:
    from ..catalog.catalog import Catalog
    from .client import HubClient, HubModel

# Hub pipeline tags -> card tasks; a tag missing here leaves `tasks` for the reviewer
PIPELINE_TASKS = {
    "text-generation": "completion",
    "translation": "translation",
    "summarization": "summarization",
    "fill-mask": "fill-mask",
    "question-answering": "question-answering",
    "text-classification": "classification",
    "zero-shot-classification": "classification",
    "feature-extraction": "embedding",
    "sentence-similarity": "embedding",
    "image-text-to-text": "vision",
}
PIPELINE_MODALITIES = {"image-text-to-text": ["text", "image"], "audio-text-to-text": ["text", "audio"]}
# Hub license tags that mean "see license_name / license_link" rather than a license of their own
HUB_LICENSE_PLACEHOLDERS = ("other", "unknown")
# fields a card cannot do without; when one cannot be filled from the Hub nothing is written
REQUIRED = ("id", "name", "family", "publisher", "released", "license", "architecture.params_b", "context_length",
            "languages", "tasks", "openness", "sources", "verified")
ALWAYS_REVIEW = {
    "released": "the Hub repository's creation day; use the publisher's announcement day if it differs",
    "family": "config.json model_type (the architecture family); catalog families are model lines, e.g. llama-2",
    "publisher": "the Hub namespace; write the organisation's name",
    "openness": "weights from the gate; code and data are 'closed' unless you find them published",
}


@dataclass
class Draft:
    """A draft card and what a reviewer must look at."""

    data: dict[str, Any]
    missing: list[str] = field(default_factory=list)  # "field: why it could not be filled"
    review: list[str] = field(default_factory=list)  # "field: what it was derived from"


def draft_card(model: HubModel, catalog: Catalog, today: dt.date) -> Draft:
    """The card the Hub metadata supports; nothing is guessed, unfillable fields are listed in `missing`."""
    from ..catalog.cards import slugify

    draft = Draft({})
    data = draft.data
    name = model.repo_id.split("/", 1)[1]
    config = model.config or {}
    data["id"] = slugify(name)
    data["name"] = name
    if config.get("model_type"):
        data["family"] = slugify(str(config["model_type"]))
    else:
        draft.missing.append("family: config.json has no model_type")
    data["publisher"] = model.repo_id.split("/", 1)[0]
    if model.created_at:
        data["released"] = model.created_at.date()
    else:
        draft.missing.append("released: the Hub gives no creation date for the repository")
    _base_model(model, catalog, draft)
    _license(model, catalog, draft)
    architecture = _architecture(model, draft)
    if architecture:
        data["architecture"] = architecture
    _context(config, draft)
    _languages(model, draft)
    if model.pipeline_tag in PIPELINE_MODALITIES:
        data["modalities"] = PIPELINE_MODALITIES[model.pipeline_tag]
    _tasks(model, draft)
    data["openness"] = {"weights": "restricted" if model.gated else "open", "code": "closed", "data": "closed"}
    data["hf_repos"] = [model.repo_id]
    if model.card_data.get("license_link"):
        data["links"] = {"license": _absolute(str(model.card_data["license_link"]), model)}
    data["sources"] = [model.url()] + ([model.url("config.json")] if model.config else [])
    data["verified"] = today
    draft.review[:0] = [f"{key}: {why}" for key, why in ALWAYS_REVIEW.items() if key in data]
    data["notes"] = (f"Draft imported from the Hugging Face Hub by llmpick at revision {model.sha or 'main'} "
                     f"on {today.isoformat()}; not reviewed yet. To check against the sources: "
                     + "; ".join(draft.review) + ".")
    return draft


class HubLicense(NamedTuple):
    id: str | None  # the registry id, or None when the registry has no match
    said: str  # the Hub's own words for it, for messages
    named: bool  # the Hub names a license (tag or license_name), rather than only linking to a file


def hub_license(card_data: dict[str, Any], catalog: Catalog) -> HubLicense:
    """The registry license for a repo's license metadata (`license`, `license_name`, `license_link`)."""
    tags = card_data.get("license") or ""
    if isinstance(tags, list) and len(tags) != 1:
        return HubLicense(None, "several licenses: " + ", ".join(str(t) for t in tags) if tags else "no license",
                          False)
    tag = str(tags[0] if isinstance(tags, list) else tags).strip()
    name = str(card_data.get("license_name") or "").strip()
    link = str(card_data.get("license_link") or "").strip()
    if tag and tag.lower() not in HUB_LICENSE_PLACEHOLDERS:
        return HubLicense(_license_id(tag, catalog.licenses.values()), tag, True)
    found = (_license_id(name, catalog.licenses.values()) if name else None) or next(
        (lic.id for lic in catalog.licenses.values() if link and _same_url(lic.url, link)), None)
    return HubLicense(found, name or link or tag or "no license", bool(name))


def _license_id(word: str, licenses) -> str | None:
    key = word.lower()
    for lic in licenses:
        if key == lic.id or key in (n.lower() for n in lic.hf_names) or (lic.spdx and key == lic.spdx.lower()):
            return lic.id
    return None


def _same_url(a: str, b: str) -> bool:
    def norm(url: str) -> str:
        return url.lower().split("://", 1)[-1].rstrip("/").replace("/resolve/", "/blob/")

    # a relative link names a file in the repo itself, which says nothing about which registry license it is
    return b.startswith(("http://", "https://")) and norm(a) == norm(b)


def _license(model: HubModel, catalog: Catalog, draft: Draft) -> None:
    from ..catalog.cards import slugify

    license_id, said, named = hub_license(model.card_data, catalog)
    if license_id:
        draft.data["license"] = license_id
        if license_id != said:
            draft.review.append(f"license: Hub says {said!r}, read as catalog license {license_id!r}")
        return
    if not named:
        draft.missing.append(f"license: the repo's card metadata names no license ({said}); read its LICENSE file")
        return
    draft.data["license"] = slugify(said)  # kept so the reviewer sees it; `llmpick validate` flags the unknown id
    draft.review.insert(0, f"license: {said!r} is not in the license registry; add it to licenses.yaml "
                           "(read the LICENSE file) or correct the id")


def _base_model(model: HubModel, catalog: Catalog, draft: Draft) -> None:
    base = model.card_data.get("base_model")
    bases = [str(b) for b in ([base] if isinstance(base, str) else base if isinstance(base, list) else [])]
    if not bases:
        return
    if len(bases) > 1:
        draft.missing.append(f"base_model: several bases on the Hub ({', '.join(bases)}); pick the one that decides "
                             "the license")
        return
    card = catalog.by_hf_repo(bases[0])
    if card is None:
        draft.missing.append(f"base_model: {bases[0]} has no card in the catalog; import it first")
    else:
        draft.data["base_model"] = card.id


def _languages(model: HubModel, draft: Draft) -> None:
    from ..core.vocab import language_code

    given = model.card_data.get("language") or []
    given = [given] if isinstance(given, str) else list(given)
    codes = [language_code(str(item)) for item in given]
    known = list(dict.fromkeys(code for code in codes if code))
    dropped = [str(item) for item, code in zip(given, codes, strict=True) if not code]
    if known:
        draft.data["languages"] = known
    if dropped:
        draft.review.append(f"languages: left out {', '.join(dropped)} (not ISO 639-1)")
    if not known:
        draft.missing.append("languages: the repo's card metadata lists no ISO 639-1 language")


def _tasks(model: HubModel, draft: Draft) -> None:
    tasks = [PIPELINE_TASKS[model.pipeline_tag]] if model.pipeline_tag in PIPELINE_TASKS else []
    if "conversational" in model.tags and "chat" not in tasks:
        tasks.append("chat")
    if tasks:
        draft.data["tasks"] = tasks
    else:
        draft.missing.append(f"tasks: pipeline tag {model.pipeline_tag or 'none'!r} does not say which tasks")


def _context(config: dict[str, Any], draft: Draft) -> None:
    found = context_length(config)
    if found:
        draft.data["context_length"] = found[1]
        draft.review.append(f"context_length: config.json {found[0]}; the trained or extended context in the "
                            "model card may differ")
    else:
        draft.missing.append("context_length: config.json gives no maximum positions" if config
                             else "context_length: no config.json was read")


def _architecture(model: HubModel, draft: Draft) -> dict[str, Any] | None:
    from ..catalog.cards import Architecture

    shape = config_shape(model.config or {}) if model.config else {}
    if model.config is None:
        draft.missing.append(f"architecture.layers: {model.config_problem or 'no config.json was read'}")
    elif not shape:
        draft.missing.append(f"architecture.layers: config shape {model.config.get('model_type')!r} is not known "
                             "to the importer; copy them from config.json")
    total = params_b(model)
    if total is None and shape.get("intermediate_size"):
        computed = Architecture.model_construct(**shape, params_b=1.0).computed_params()
        if computed:
            total = significant(computed)
            draft.review.append("architecture.params_b: no safetensors count on the Hub; computed from config.json")
    if total is None:
        draft.missing.append("architecture.params_b: no safetensors parameter count on the Hub")
        return None
    arch = {"type": shape.pop("type", "decoder"), "params_b": total, **shape}
    if arch["type"] == "moe-decoder":
        active = _active_params(arch, model)
        if active:
            arch["active_params_b"] = active
        else:
            draft.missing.append("architecture.active_params_b: cannot be derived from this MoE config")
    return arch


def _active_params(arch: dict[str, Any], model: HubModel) -> float | None:
    # every layer is MoE with equal experts: the unused experts' feed-forward weights are not active
    needed = ("layers", "hidden_size", "intermediate_size", "experts", "experts_per_token")
    if not model.params_total or not all(arch.get(key) for key in needed):
        return None
    idle = arch["experts"] - arch["experts_per_token"]
    matrices = 3 if arch.get("ffn", "gated") == "gated" else 2
    per_expert = matrices * arch["hidden_size"] * arch["intermediate_size"]
    return significant((model.params_total - arch["layers"] * idle * per_expert) / 1e9)


def _absolute(link: str, model: HubModel) -> str:
    # license_link is often relative to the repo ("LICENSE" or "/org/repo/blob/main/LICENSE")
    if link.startswith(("http://", "https://")):
        return link
    if link.startswith("/"):
        return model.endpoint + link
    return model.url(link)


@dataclass
class Imported:
    path: Path
    draft: Draft
    existing: str | None  # a catalog card that already lists this repo


def import_card(repo_id: str, out_dir: Path, catalog: Catalog, client: HubClient, *, revision: str | None = None,
                force: bool = False, overrides: dict[str, Any] | None = None, today: dt.date | None = None) -> Imported:
    """Fetch `repo_id`, draft its card, validate it and write `<out_dir>/<id>.yaml`; nothing is written on error."""
    from ..catalog.cards import slugify

    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out {out_dir} is a file, not a directory")
    name = repo_id.rsplit("/", 1)[-1]
    target = out_dir / f"{(overrides or {}).get('id') or slugify(name)}.yaml"
    _refuse_overwrite(target, force)  # before any request: no point reading the Hub to be refused
    model = client.model(repo_id, revision)
    draft = draft_card(model, catalog, today or dt.date.today())
    for key, value in (overrides or {}).items():
        _set(draft.data, key, value)
        draft.missing = [m for m in draft.missing if not _covers(key, m.split(": ", 1)[0])]
    card = _validated(draft, repo_id)
    target = out_dir / f"{card.id}.yaml"
    _refuse_overwrite(target, force)
    from ..core.atomic import write_text

    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, card_yaml(draft.data))
    existing = catalog.by_hf_repo(model.repo_id)
    return Imported(target, draft, existing.id if existing else None)


def _covers(key: str, name: str) -> bool:
    return name == key or name.startswith(key + ".") or key.startswith(name + ".")


def _refuse_overwrite(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise UsageError(f"{target} already exists", "pass --force to replace it, or --out another directory")


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise UsageError(f"--set {dotted}: {key} is not a mapping")
    node[keys[-1]] = value


def _validated(draft: Draft, repo_id: str):
    from pydantic import ValidationError

    from ..catalog.cards import Card

    where = f"draft card for {repo_id}"
    problems = [Problem(where, None, name, f"{why}; give it with --set {name}=...")
                for name, why in (entry.split(": ", 1) for entry in draft.missing) if name in REQUIRED]
    try:
        card = Card.model_validate(draft.data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            name = ".".join(str(part) for part in error["loc"])
            if error["type"] == "missing" and any(p.field and p.field.startswith(name) for p in problems):
                continue
            problems.append(Problem(where, None, name or None, validation_message(error, list(Card.model_fields))))
    if problems:
        raise DraftError(repo_id, problems)
    return card


class DraftError(CatalogError):
    """The draft is incomplete or invalid, so nothing was written."""

    def __init__(self, repo_id: str, problems: list[Problem]) -> None:
        super().__init__(problems)
        count = len(problems)
        self.message = (f"the draft card for {repo_id} has {count} problem{'s' if count != 1 else ''}; "
                        "nothing was written")


def card_yaml(data: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """--set key=value pairs; each value is read as YAML, so `languages=[en, fr]` is a list."""
    from ..core import yamlio

    result: dict[str, Any] = {}
    for item in items or ():
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {item!r} is not KEY=VALUE", "e.g. --set 'languages=[en, fr]'")
        try:
            result[key.strip()] = yamlio.parse(text, f"--set {key.strip()}")
        except yamlio.YamlProblem as exc:
            raise UsageError(str(exc.problem)) from None
    return result
