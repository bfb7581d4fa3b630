"""Check the models a project uses against a license policy: findings with locations, lineage and a fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .policy import DEFAULT_POLICY, Manifest, Policy, PolicyException, Source
from .scan import Reference, ScanResult, relative

if TYPE_CHECKING:
    from ..catalog.catalog import Catalog
    from ..catalog.licenses import EffectiveLicense

Level = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    description: str


RULES = {rule.id: rule for rule in (
    Rule("LLMPICK001", "research-only", "The effective license (through the lineage) allows research use only."),
    Rule("LLMPICK002", "non-commercial", "The effective license, through the model's lineage, forbids commercial use."),
    Rule("LLMPICK003", "license-denied", "A license in the model's lineage is in the policy's deny_licenses."),
    Rule("LLMPICK004", "license-not-allowed", "A license in the model's lineage is not in allow_licenses."),
    Rule("LLMPICK005", "condition-denied", "The effective license carries a condition in deny_conditions."),
    Rule("LLMPICK006", "condition-not-allowed", "The effective license carries a condition not in allow_conditions."),
    Rule("LLMPICK007", "provenance-denied", "The model or a base has a provenance flag in deny_provenance."),
    Rule("LLMPICK008", "unknown-model", "The catalog does not know the model, so its license cannot be checked."),
    Rule("LLMPICK009", "expired-exception", "A policy exception for a model in use has expired."),
    Rule("LLMPICK010", "unused-exception", "A policy exception matches no model the project uses."),
    Rule("LLMPICK011", "license-override", "A user catalog replaces a license entry of the built-in registry (or of "
                                           "an earlier catalog) and the policy does not set allow_overrides."),
)}
NOT_A_MODEL_USE = ("LLMPICK009", "LLMPICK010", "LLMPICK011")  # about the policy or the catalog, not one use
SUPERSEDED = {"research-only", "non-commercial"}  # conditions LLMPICK001/002 already report


@dataclass
class Finding:
    rule: Rule
    level: Level
    model: str  # catalog id, or the name as written when the catalog does not know it
    message: str
    locations: list[Reference]
    license: EffectiveLicense | None = None
    alternative: str | None = None  # an allowed catalog model of similar size and task
    excepted_by: PolicyException | None = None  # a valid exception turned this violation into a note

    @property
    def lineage(self) -> str:
        """'vicuna-13b-v1.1 (llama-1-research) <- llama-13b (llama-1-research)': the model, then its bases."""
        if self.license is None:
            return ""
        return " <- ".join(f"{step.card_id} ({step.license_id})" for step in self.license.chain)


@dataclass
class ModelUse:
    """One model the project uses, everywhere it is used."""

    model: str  # catalog id, or the name as written
    card_id: str | None
    resolution: str  # the rule that mapped the name to the card, e.g. "hf_repos"
    references: list[Reference]
    license: EffectiveLicense | None = None

    @property
    def names(self) -> list[str]:
        return sorted({ref.name for ref in self.references})


@dataclass
class AuditResult:
    uses: list[ModelUse]
    findings: list[Finding]
    policy: Policy
    policy_origin: str  # the file the policy came from, or "default policy"
    scan: ScanResult = field(default_factory=ScanResult)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    @property
    def passed(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        refs = sum(len(use.references) for use in self.uses)
        text = (f"{_count(len(self.uses), 'model')} in {_count(refs, 'place')}"
                f" ({_count(self.scan.files_scanned, 'file')} scanned"
                + (f", {len(self.scan.skipped)} skipped" if self.scan.skipped else "")
                + (f", {len(self.scan.fallbacks)} by fallback" if self.scan.fallbacks else "") + "): ")
        violating = {f.model for f in self.errors if f.rule.id != "LLMPICK011"}
        text += _count(len(self.errors), "violation")
        text += f" in {_count(len(violating), 'model')}" if violating else ""
        text += f", {_count(len(self.warnings), 'warning')}"
        excepted = sum(1 for f in self.findings if f.excepted_by)
        text += f", {excepted} excepted" if excepted else ""
        return text + f"; policy: {self.policy_origin}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def violations(catalog: Catalog, card_id: str, policy: Policy) -> list[tuple[str, str]]:
    """(rule id, message) for every rule of `policy` the model breaks, judged on its whole lineage."""
    eff = catalog.effective_license(card_id)
    via = f" via base {eff.decided_by}" if eff.inherited else ""
    found: list[tuple[str, str]] = []
    if policy.require == "commercial" and eff.commercial == "no":
        rule = "LLMPICK001" if "research-only" in eff.conditions else "LLMPICK002"
        kind = "research-only" if rule == "LLMPICK001" else "non-commercial"
        found.append((rule, f"effective license {eff.license.id}{via} is {kind}; the policy requires commercial use"))
    chain_licenses = list(dict.fromkeys(step.license_id for step in eff.chain))
    denied = [lic for lic in chain_licenses if lic in policy.deny_licenses]
    if denied:
        found.append(("LLMPICK003", f"license {', '.join(denied)} in its lineage is denied"))
    if policy.allow_licenses is not None:
        outside = [lic for lic in chain_licenses if lic not in policy.allow_licenses]
        if outside:
            found.append(("LLMPICK004", f"license {', '.join(outside)} in its lineage is not in allow_licenses"))
    reported = SUPERSEDED if found and found[0][0] in ("LLMPICK001", "LLMPICK002") else set()
    conditions = [c for c in eff.conditions if c in policy.deny_conditions and c not in reported]
    if conditions:
        found.append(("LLMPICK005", f"effective license {eff.license.id}{via} requires {', '.join(conditions)}, "
                                    "denied by the policy"))
    if policy.allow_conditions is not None:
        extra = [c for c in eff.conditions if c not in policy.allow_conditions and c not in reported]
        if extra:
            found.append(("LLMPICK006", f"effective license {eff.license.id}{via} requires {', '.join(extra)}, "
                                        "not in allow_conditions"))
    flags = [f"{flag} ({model})" for flag, model in eff.provenance if flag in policy.deny_provenance]
    if flags:
        found.append(("LLMPICK007", f"provenance: {', '.join(flags)}"))
    return found


def main_task(specialty: str | None, tasks: Sequence[str]) -> str:
    if specialty:
        return specialty
    return "chat" if "chat" in tasks else tasks[0]


def alternative(catalog: Catalog, card_id: str, policy: Policy) -> str | None:
    """The advisor's best model (by the calibrated quality index) of similar size (within 2x) and the same main
    task that passes the policy, on hardware holding the original at fp16 with a 4k context. The main task is the
    model's specialty (a code model gets a code model), else chat for a chat model, else its first task."""
    from ..advice.advisor import recommend
    from ..advice.hardware import Hardware
    from ..advice.memory import estimate
    from ..advice.requirements import Requirements
    from ..advice.scoring import SIMILAR_SIZE

    card = catalog.get(card_id)
    req = Requirements(
        commercial=policy.require == "commercial", licenses=policy.allow_licenses or [],
        exclude_licenses=policy.deny_licenses, no_provenance_risk=bool(policy.deny_provenance),
        tasks=[main_task(card.specialty, card.tasks)], min_params=card.params_b / SIMILAR_SIZE,
        max_params=card.params_b * SIMILAR_SIZE,
        top=len(catalog),
    )
    budget = estimate(card, "fp16", min(4096, card.context_length)).total_gib
    result = recommend(req, catalog, Hardware(vram_gib=budget, label=f"the memory {card.id} needs at fp16"))
    allowed = [pick.model for pick in result.picks if pick.model != card.id and not violations(catalog, pick.model,
                                                                                                  policy)]
    # a model made for one task is replaced by another made for it, when one passes
    same = [model for model in allowed if card.specialty and catalog.record(model).specialty == card.specialty]
    return (same or allowed or [None])[0]


def audit(
    catalog: Catalog,
    references: Sequence[Reference],
    policy: Policy = DEFAULT_POLICY,
    *,
    policy_source: Source | None = None,
    scan: ScanResult | None = None,
    root: Path | None = None,
    today: dt.date | None = None,
    alternatives: bool = True,
) -> AuditResult:
    """Group references by model, check each against `policy`, apply its exceptions.

    `policy_source` points exception findings at their line; `root` makes that path relative.
    """
    from ..catalog.resolve import resolve

    today = today or dt.date.today()
    uses: dict[str, ModelUse] = {}
    for ref in references:
        resolution = resolve(catalog, ref.name, ref.kind)
        key = resolution.card_id or ref.name.lower()
        if key not in uses:
            license = catalog.effective_license(resolution.card_id) if resolution.card_id else None
            uses[key] = ModelUse(resolution.card_id or ref.name, resolution.card_id, resolution.rule, [], license)
        uses[key].references.append(ref)

    findings: list[Finding] = []
    suggestions: dict[str, str | None] = {}
    for use in sorted(uses.values(), key=lambda u: u.model.lower()):
        if use.card_id is None:
            if policy.unknown_models != "ignore":
                level: Level = "error" if policy.unknown_models == "fail" else "warning"
                findings.append(Finding(RULES["LLMPICK008"], level, use.model,
                                        f"{use.model} is not in the catalog ({use.resolution}); its license is "
                                        f"unchecked (unknown_models: {policy.unknown_models})", use.references))
            continue
        for rule_id, message in violations(catalog, use.card_id, policy):
            if alternatives and use.card_id not in suggestions:
                suggestions[use.card_id] = alternative(catalog, use.card_id, policy)
            findings.append(Finding(RULES[rule_id], "error", use.model, message, use.references, use.license,
                                    suggestions.get(use.card_id)))

    findings += _apply_exceptions(catalog, policy, policy_source, list(uses.values()), findings, today, root)
    findings += _overrides(catalog, policy, root)
    return AuditResult(sorted(uses.values(), key=lambda u: u.model.lower()), findings, policy,
                       _origin(policy, policy_source, root), scan or ScanResult())


def _apply_exceptions(catalog: Catalog, policy: Policy, source: Source | None, uses: list[ModelUse],
                      findings: list[Finding], today: dt.date, root: Path | None) -> list[Finding]:
    from ..catalog.resolve import resolve

    extra: list[Finding] = []
    for index, exc in enumerate(policy.exceptions):
        target = resolve(catalog, exc.model, "hf" if "/" in exc.model else "id").card_id
        matched = [use for use in uses if (target and use.card_id == target)
                   or exc.model.lower() in {name.lower() for name in use.names}]
        where = [_policy_reference(exc, index, source, root)] if source else []
        if not matched:
            extra.append(Finding(RULES["LLMPICK010"], "warning", exc.model,
                                 f"exception for {exc.model} matches no model in use; remove it", where))
            continue
        models = {use.model for use in matched}
        if exc.expires < today:
            extra.append(Finding(RULES["LLMPICK009"], "error", exc.model,
                                 f"exception for {exc.model} expired on {exc.expires.isoformat()} (approved by "
                                 f"{exc.approver}: {exc.reason}); renew it or stop using the model", where))
            continue
        for finding in findings:
            if finding.model in models and finding.level == "error":
                finding.level = "note"
                finding.excepted_by = exc
    return extra


def _overrides(catalog: Catalog, policy: Policy, root: Path | None) -> list[Finding]:
    """A license entry that replaces an earlier one (override: true) changes verdicts without changing any card, so
    it fails the audit unless the policy says allow_overrides: true."""
    if policy.allow_overrides:
        return []
    return [Finding(RULES["LLMPICK011"], "error", o.id,
                    f"license {o.id} is redefined by {relative(Path(o.path), root)} (override: true), replacing "
                    + ("the built-in entry" if o.builtin else f"the entry in {relative(Path(o.replaced), root)}")
                    + "; remove the override, or set allow_overrides: true in the policy",
                    [Reference(o.id, "license", relative(Path(o.path), root), o.line or 0, "override")])
            for o in catalog.overrides if o.kind == "license"]


def _policy_reference(exc: PolicyException, index: int, source: Source, root: Path | None) -> Reference:
    return Reference(exc.model, "policy", relative(source.path, root), source.line(("exceptions", index)) or 0,
                     "policy exception")


def _origin(policy: Policy, source: Source | None, root: Path | None) -> str:
    if source:
        return relative(source.path, root)
    return "default policy (require: commercial)" if policy == DEFAULT_POLICY else "policy given by the caller"


def gather(
    scan_paths: Sequence[Path] = (),
    *,
    manifest: Manifest | None = None,
    hf_cache: bool = False,
    hf_cache_dir: Path | None = None,
    root: Path | None = None,
) -> ScanResult:
    """Every model reference: the manifest's models list, a scan of `scan_paths`, the Hugging Face cache."""
    from .scan import scan, scan_hf_cache

    result = ScanResult()
    if manifest and manifest.source and manifest.models:
        path = relative(manifest.source.path, root)
        result.merge(ScanResult([Reference(m.name, m.kind, path, m.line or 0, "manifest") for m in manifest.models]))
    if scan_paths:
        result.merge(scan(list(scan_paths), root))
    if hf_cache or hf_cache_dir:
        result.merge(scan_hf_cache(hf_cache_dir))
    return result
