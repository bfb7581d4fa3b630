"""`catalog gaps`: the Hub's most-used models that no card answers to, for maintainers deciding what to add."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..catalog.resolve import resolve, split_fork
from ..core.report import Report

if TYPE_CHECKING:
    from ..catalog.catalog import Catalog
    from .client import HubClient, ListedModel

SORTS = {"downloads": "downloads", "likes": "likes", "trending": "trending_score"}


@dataclass(frozen=True)
class Gap:
    model: ListedModel
    card_id: str | None  # the card the repo resolves to, None for a gap
    rule: str  # the resolver's rule, or why nothing matched
    fork_of: str | None  # for a quantized re-upload with no card: the model name it converts


def find_gaps(catalog: Catalog, client: HubClient, *, sort: str, limit: int, pipeline_tag: str | None) -> list[Gap]:
    """Every listed model with the card it resolves to (by the resolver `audit` uses), in the Hub's order."""
    gaps = []
    for model in client.list_models(sort=SORTS[sort], limit=limit, pipeline_tag=pipeline_tag):
        found = resolve(catalog, model.repo_id, "hf")
        base, removed = split_fork(model.repo_id.rpartition("/")[2])
        gaps.append(Gap(model, found.card_id, found.rule, base if removed and found.card_id is None else None))
    return gaps


def gaps_report(gaps: list[Gap], *, sort: str, show_known: bool) -> Report:
    """The gaps (with `show_known`, every listed model) as a table; JSON always holds every listed model."""
    entries = [{"rank": rank, "repo": g.model.repo_id, "downloads": g.model.downloads, "likes": g.model.likes,
                "trending": g.model.trending,
                "created_at": g.model.created_at.isoformat() if g.model.created_at else None,
                "pipeline_tag": g.model.pipeline_tag, "card": g.card_id, "rule": g.rule, "converts": g.fork_of}
               for rank, g in enumerate(gaps, 1)]
    missing = sum(g.card_id is None for g in gaps)
    rows = [{**e, "created": (e["created_at"] or "")[:10],
             "card": e["card"] or (f"none (converts {e['converts']})" if e["converts"] else "none"),
             "next": "" if e["card"] else f"llmpick import {e['repo']}"}
            for e in entries if show_known or e["card"] is None]
    data = {"sort": sort, "listed": len(gaps), "without_card": missing, "models": entries}
    columns = [("rank", "#"), ("repo", "Hub repo"), ("downloads", "Downloads"), ("likes", "Likes"),
               ("trending", "Trending"), ("created", "Created"), ("card", "Card"), ("next", "Next step")]
    notes = [f"{missing} of the top {len(gaps)} models by {sort} have no card (quantized re-uploads of a carded "
             "model count as covered; `--all` lists the covered ones too)."]
    return Report("gaps", columns, rows, data, title=f"Hub models by {sort} without a card", notes=notes)
