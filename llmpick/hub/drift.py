"""Compare catalog cards with the Hugging Face Hub and report where they have drifted apart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from ..catalog.cards import PARAMS_TOLERANCE

if TYPE_CHECKING:
    from ..catalog.cards import Card
    from ..catalog.catalog import Catalog
    from ..core.report import Report
    from .client import HubClient, HubModel

# license, gate and size decide what a user may run: a difference there is drift. The context length and
# the last change are shown for review only: many cards deliberately record the trained or extended context
# rather than config.json's max_position_embeddings, and most Hub commits only touch the README.
DRIFT = "drift"
INFO = "info"


@dataclass(frozen=True)
class Difference:
    model: str
    repo: str
    field: str
    catalog: str
    hub: str
    severity: str  # DRIFT or INFO


def compare(card: Card, model: HubModel, catalog: Catalog) -> list[Difference]:
    """Every difference between one card and what the Hub says about its repository now."""
    from .config import config_shape, context_length, params_b
    from .importer import hub_license

    found: list[Difference] = []

    def differ(field: str, ours: object, theirs: object, severity: str = DRIFT) -> None:
        found.append(Difference(card.id, model.repo_id, field, str(ours), str(theirs), severity))

    license_id, said, _ = hub_license(model.card_data, catalog)
    if license_id != card.license:
        differ("license", card.license, license_id or f"{said} (not in the license registry)")
    if model.gated != (card.openness.weights == "restricted"):
        differ("gated", f"weights: {card.openness.weights}", "gated" if model.gated else "not gated")
    hub_params = params_b(model)
    if hub_params and abs(hub_params - card.params_b) > PARAMS_TOLERANCE * card.params_b:
        differ("params_b", card.params_b, hub_params)
    if model.config is None:
        differ("context_length", card.context_length, f"not read: {model.config_problem}", INFO)
    else:
        hub_context = context_length(model.config)
        if hub_context and hub_context[1] != card.context_length:
            differ("context_length", card.context_length, f"{hub_context[1]} (config.json {hub_context[0]})", INFO)
        if config_shape(model.config).get("type", card.architecture.type) != card.architecture.type:
            differ("architecture.type", card.architecture.type, config_shape(model.config)["type"])
    if model.last_modified and model.last_modified.date() > card.verified:
        differ("last_modified", f"verified {card.verified.isoformat()}",
               f"changed {model.last_modified.date().isoformat()}", INFO)
    return found


def sync(cards: Iterable[Card], catalog: Catalog, client: HubClient,
         progress: Callable[[Card], None] = lambda card: None) -> list[Difference]:
    """Differences for every card with a Hub repo (its first repo is the one checked).

    A repo that no longer exists is drift; a network failure aborts with a ServiceError.
    """
    from ..core.errors import UsageError

    found: list[Difference] = []
    for card in cards:
        progress(card)
        repo = card.hf_repos[0]
        try:
            model = client.model(repo, gated_config_ok=True)
        except UsageError as exc:  # no such repo (renamed, deleted or made private)
            found.append(Difference(card.id, repo, "repo", "listed", exc.message, DRIFT))
            continue
        found += compare(card, model, catalog)
    return found


def has_drift(differences: Iterable[Difference]) -> bool:
    return any(d.severity == DRIFT for d in differences)


def sync_report(differences: list[Difference], checked: list[str], today: dt.date) -> Report:
    from ..core.report import Report

    drift = [d for d in differences if d.severity == DRIFT]
    summary = (f"{len(checked)} card{'s' if len(checked) != 1 else ''} checked against the Hub on "
               f"{today.isoformat()}: {len(drift)} drifted field{'s' if len(drift) != 1 else ''}, "
               f"{len(differences) - len(drift)} for review")
    columns = [("model", "Model"), ("repo", "Repo"), ("field", "Field"), ("catalog", "Catalog"), ("hub", "Hub"),
               ("severity", "Severity")]
    rows = [asdict(d) for d in differences]
    data = {"checked": checked, "drift": bool(drift), "differences": rows}
    return Report("sync", columns, rows, data, title="Catalog versus the Hugging Face Hub", notes=[summary])
