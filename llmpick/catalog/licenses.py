"""The license model and the effective license of a lineage chain (pure: the catalog passes the chain in)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Literal, NamedTuple

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from ..core import vocab
from .cards import SLUG, Card, Strict, Url

# how restrictive a verdict is; the effective license is the most restrictive along the lineage
RESTRICTIVENESS = {"yes": 0, "conditional": 1, "no": 2}
VERDICT_WORDS = vocab.VERDICT_WORDS


def _yaml_boolean(value: object) -> object:
    # YAML 1.1 reads an unquoted yes/no as a boolean
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


Verdict = Annotated[Literal["yes", "conditional", "no"], BeforeValidator(_yaml_boolean)]
Condition = Literal[vocab.LICENSE_CONDITIONS]  # type: ignore[valid-type]


def _region(value: str) -> str:
    code = vocab.region_code(value)
    if code is None:
        raise ValueError(f"unknown region {value!r}: use an ISO 3166-1 alpha-2 country code (DE, GB, KR) or EU")
    return code


Region = Annotated[str, AfterValidator(_region)]


class License(Strict):
    id: Annotated[str, Field(pattern=SLUG)]
    name: str
    spdx: str | None = None
    url: Url
    commercial: Verdict
    conditions: list[Condition] = []
    user_cap: Annotated[int, Field(gt=0)] | None = None
    revenue_cap_usd: Annotated[int, Field(gt=0)] | None = None
    summary: str
    source: Url | None = None
    hf_names: list[str] = []  # license_name values seen on the Hub for this license
    override: bool = False  # replaces an entry of the same id in an earlier catalog (the built-in registry)
    # where the license grants no rights (Hunyuan's Territory leaves out the EU, the UK and South Korea), and to
    # which models of the license that applies (Llama 3.2/4 withhold only the multimodal models from the EU)
    excluded_regions: list[Region] = []
    excluded_regions_scope: Literal["all", "multimodal"] = "all"

    @model_validator(mode="after")
    def _regions_are_a_condition(self) -> License:
        if self.excluded_regions and "region-restriction" not in self.conditions:
            raise ValueError("excluded_regions needs the condition region-restriction")
        return self

    def excludes(self, region: str, modalities: Sequence[str]) -> str | None:
        """The excluded region that someone in `region` falls in, for a model with these input modalities."""
        if self.excluded_regions_scope == "multimodal" and not set(modalities) - {"text"}:
            return None
        return next((r for r in self.excluded_regions if vocab.region_within(region, r)), None)


class LineageStep(NamedTuple):
    card_id: str
    license_id: str
    commercial: str


class EffectiveLicense(NamedTuple):
    """The license that governs a model once its whole lineage is taken into account.

    Tuples (this and LineageStep): every cached card record holds one, and tuples unpickle faster than dataclasses.
    """

    license: License  # the most restrictive license on the chain
    decided_by: str  # the card whose license it is
    chain: tuple[LineageStep, ...]  # the model itself first, then its base, and so on
    conditions: tuple[str, ...]  # union of all conditions along the chain
    provenance: tuple[tuple[str, str], ...]  # (flag, card id) inherited along the chain

    @property
    def commercial(self) -> str:
        return self.license.commercial

    @property
    def inherited(self) -> bool:
        return self.decided_by != self.chain[0].card_id

    def explain(self) -> str:
        text = f"{self.license.id}: {VERDICT_WORDS[self.commercial]}"
        if self.inherited:
            text += f" (via base {self.decided_by})"
        return text


def effective_license(lineage: Sequence[Card], licenses: Mapping[str, License]) -> EffectiveLicense:
    """The most restrictive license along `lineage` (a model first, then its base, ...), with every condition and
    provenance flag met on the way; `licenses` holds each card's license by id."""
    chain: list[LineageStep] = []
    provenance: list[tuple[str, str]] = []
    conditions: list[str] = []
    worst: tuple[License, str] | None = None
    for card in lineage:
        lic = licenses[card.license]
        chain.append(LineageStep(card.id, lic.id, lic.commercial))
        conditions.extend(c for c in lic.conditions if c not in conditions)
        provenance.extend((flag, card.id) for flag in card.provenance if flag not in {f for f, _ in provenance})
        if worst is None or RESTRICTIVENESS[lic.commercial] > RESTRICTIVENESS[worst[0].commercial]:
            worst = (lic, card.id)
    assert worst is not None
    return EffectiveLicense(worst[0], worst[1], tuple(chain), tuple(conditions), tuple(provenance))
