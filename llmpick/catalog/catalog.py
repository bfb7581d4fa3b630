"""The Catalog: cards and licenses by id, where each card came from, lineage and the records the advisor reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import NotFoundError, suggest
from .store import CardStore

if TYPE_CHECKING:
    from .benchmarks import BenchmarkInfo
    from .cards import Card
    from .licenses import EffectiveLicense, License
    from .overrides import Override
    from .quality import QualityModel
    from .records import CardRecord


@dataclass
class Catalog:
    cards: CardStore = field(default_factory=CardStore)
    licenses: dict[str, License] = field(default_factory=dict)
    benchmarks: dict[str, BenchmarkInfo] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # card id -> file it came from (str: cheap to unpickle)
    gpu_files: list[Path] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)  # user entries replacing earlier (built-in) ones
    records: dict[str, CardRecord] = field(default_factory=dict, repr=False, compare=False)  # by card id
    quality: QualityModel | None = field(default=None, repr=False, compare=False)  # built with the catalog
    _memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def origin(self, card_id: str) -> Path:
        """The file the card came from."""
        return Path(self.origins[self.get(card_id).id])

    def __iter__(self) -> Iterator[Card]:
        return iter(self.cards.values())

    def __len__(self) -> int:
        return len(self.cards)

    def get(self, card_id: str) -> Card:
        card = self.cards.get(card_id) or self.cards.get(card_id.lower())
        if card is None:
            card = self.by_hf_repo(card_id)
        if card is None:
            raise NotFoundError("model", card_id, suggest(card_id, list(self.cards)))
        return card

    def by_hf_repo(self, repo: str) -> Card | None:
        card_id = self._repo_index().get(repo.lower())
        return None if card_id is None else self.cards.get(card_id)

    def lineage(self, card_id: str) -> list[Card]:
        """The card, then its base, its base's base, ... (cycles are rejected at load time)."""
        chain = [self.get(card_id)]
        while chain[-1].base_model and chain[-1].base_model in self.cards and len(chain) <= len(self.cards):
            chain.append(self.cards[chain[-1].base_model])
        return chain

    def effective_license(self, card_id: str) -> EffectiveLicense:
        return self.record(card_id).effective

    def record(self, card_id: str, shared: dict[Any, Any] | None = None) -> CardRecord:
        """The plain facts the advisor reads; computed when the catalog is built, so cached with it."""
        found = self.records.get(card_id)
        if found is None:
            from .licenses import effective_license
            from .records import record_of

            card = self.get(card_id)
            found = self.records.get(card.id)
            if found is None:
                found = self.records[card.id] = record_of(card, effective_license(self.lineage(card.id), self.licenses), shared)
        return found

    def license(self, license_id: str) -> License:
        lic = self.licenses.get(license_id)
        if lic is None:
            raise NotFoundError("license", license_id, suggest(license_id, list(self.licenses)))
        return lic

    def _repo_index(self) -> dict[str, str]:
        if "repos" not in self._memo:
            self._memo["repos"] = {repo.lower(): card.id for card in self.cards.values() for repo in card.hf_repos}
        return self._memo["repos"]
