"""Card records: the plain facts about a card that the advisor's rules, memory estimates and scores read."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .cards import Architecture, Card, OpennessLevels
    from .licenses import EffectiveLicense


class CardRecord(NamedTuple):
    """Fields named like the Card's, so a rule or an estimate takes either.

    Cached with the catalog: a tuple of plain values unpickles many times faster than a pydantic Card.
    """

    id: str
    name: str
    publisher: str
    family: str
    released: dt.date
    context_length: int
    languages: tuple[str, ...]
    modalities: tuple[str, ...]
    tasks: tuple[str, ...]
    openness: OpennessLevels
    architecture: Architecture
    mmlu: float | None  # the card's headline MMLU score, if it has one (tables show it)
    effective: EffectiveLicense
    specialty: str | None = None

    @property
    def params_b(self) -> float:
        return self.architecture.params_b


def record_of(card: Card, effective: EffectiveLicense, shared: dict[Any, Any] | None = None) -> CardRecord:
    """The record of `card`; equal values are stored once through `shared` (cards share architectures)."""
    pool: dict[Any, Any] = {} if shared is None else shared

    def one(value: Any) -> Any:  # by type too: a LineageStep equals a plain tuple of the same strings
        return pool.setdefault((type(value), value), value)

    mmlu = headline_score(card, "mmlu")
    effective = effective._replace(chain=one(tuple(map(one, effective.chain))), conditions=one(effective.conditions),
                        provenance=one(effective.provenance))
    return CardRecord(card.id, card.name, one(card.publisher), one(card.family), one(card.released),
                      card.context_length, one(tuple(card.languages)), one(tuple(card.modalities)),
                      one(tuple(card.tasks)), one(card.openness), one(card.architecture),
                      mmlu, effective, card.specialty)


def headline_score(card: Card, benchmark: str) -> float | None:
    """The figure a table shows for `benchmark`: an independent one if any, else the publisher's; the first
    listed of those (cards list the newest first)."""
    figures = card.benchmarks.get(benchmark)
    if not figures:
        return None
    return min(figures, key=lambda f: f.evaluator != "independent").score
