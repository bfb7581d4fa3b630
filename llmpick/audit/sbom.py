"""An AI bill of materials: CycloneDX 1.6 JSON, one machine-learning-model component per model used.

Built with cyclonedx-python-lib. That library does not model `modelCard` yet, so the card's
modelParameters are added to its JSON output; tests validate whole documents against the CycloneDX 1.6
schema with the library's validator (the json-validation extra).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..core.errors import LlmpickError

if TYPE_CHECKING:
    from ..catalog.catalog import Catalog
    from .findings import AuditResult, ModelUse

PROPERTY_PREFIX = "llmpick:"
HUB = "https://huggingface.co/"


class SbomError(LlmpickError):
    """The SBOM could not be built: the CycloneDX library is missing."""


def cyclonedx_json(result: AuditResult, catalog: Catalog) -> str:
    """The CycloneDX 1.6 JSON document for the models in `result`, validated against the schema."""
    try:
        from cyclonedx.model.bom import Bom
        from cyclonedx.model.component import Component, ComponentType
        from cyclonedx.output.json import JsonV1Dot6
    except ImportError as exc:  # pragma: no cover - a dependency of llmpick
        raise SbomError(f"--sbom needs cyclonedx-python-lib ({exc.name} is missing)",
                        "pip install 'cyclonedx-python-lib>=8'") from None

    bom = Bom()
    bom.metadata.tools.components.add(Component(type=ComponentType.APPLICATION, name="llmpick", version=__version__))
    for use in result.uses:
        bom.components.add(_component(use, catalog))
    document = json.loads(JsonV1Dot6(bom).output_as_string())
    uses = {use.model: use for use in result.uses}  # each component's bom-ref is its use's model
    for entry in document.get("components", []):
        card_id = uses[entry["bom-ref"]].card_id
        if card_id:
            entry["modelCard"] = _model_card(catalog, card_id)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _component(use: ModelUse, catalog: Catalog):
    from cyclonedx.model import ExternalReference, ExternalReferenceType, Property, XsUri
    from cyclonedx.model.component import Component, ComponentType
    from packageurl import PackageURL

    repos = [ref.name.split("@")[0] for ref in use.references if ref.kind == "hf"]
    props = [Property(name=PROPERTY_PREFIX + "location", value=f"{ref.location or 'hf-cache'} ({ref.via})")
             for ref in use.references]
    props.append(Property(name=PROPERTY_PREFIX + "resolution", value=use.resolution))
    if use.card_id is None:
        repo = repos[0] if repos else None
        return Component(type=ComponentType.MACHINE_LEARNING_MODEL, name=use.model, bom_ref=use.model,
                         purl=_purl(PackageURL, repo), properties=props)
    card = catalog.get(use.card_id)
    repo = next((r for r in repos if r.lower() in {x.lower() for x in card.hf_repos}), None)
    repo = repo or (card.hf_repos[0] if card.hf_repos else None)
    eff = catalog.effective_license(card.id)
    props += [
        Property(name=PROPERTY_PREFIX + "card", value=card.id),
        Property(name=PROPERTY_PREFIX + "effective-license", value=eff.license.id),
        Property(name=PROPERTY_PREFIX + "commercial-use", value=eff.commercial),
        Property(name=PROPERTY_PREFIX + "lineage", value=" <- ".join(f"{s.card_id} ({s.license_id})"
                                                                      for s in eff.chain)),
        Property(name=PROPERTY_PREFIX + "params-b", value=f"{card.params_b:g}"),
        Property(name=PROPERTY_PREFIX + "context-length", value=str(card.context_length)),
        Property(name=PROPERTY_PREFIX + "languages", value=",".join(card.languages)),
    ]
    props += [Property(name=PROPERTY_PREFIX + "condition", value=c) for c in eff.conditions]
    props += [Property(name=PROPERTY_PREFIX + "provenance", value=f"{flag} ({model})")
              for flag, model in eff.provenance]
    refs = [ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=XsUri(HUB + r)) for r in card.hf_repos]
    refs += [ExternalReference(type=ExternalReferenceType.OTHER, url=XsUri(src), comment="source of the card's facts")
             for src in card.sources]
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL, name=repo or card.id, bom_ref=use.model,
        publisher=card.publisher, description=card.name, purl=_purl(PackageURL, repo),
        licenses=_licenses(catalog, card.license, eff.license.id), external_references=refs, properties=props,
    )


def _purl(purl_cls, repo: str | None):
    if not repo or "/" not in repo:
        return None
    owner, name = repo.split("/", 1)
    return purl_cls(type="huggingface", namespace=owner, name=name)


def _licenses(catalog: Catalog, declared: str, effective: str) -> list:
    """The card's own license as declared; the lineage's most restrictive one as concluded when it differs."""
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import DisjunctiveLicense, LicenseAcknowledgement
    from cyclonedx.spdx import is_supported_id

    out = []
    for license_id, ack in ((declared, LicenseAcknowledgement.DECLARED), (effective, LicenseAcknowledgement.CONCLUDED)):
        if ack is LicenseAcknowledgement.CONCLUDED and effective == declared:
            break
        lic = catalog.license(license_id)
        if lic.spdx and is_supported_id(lic.spdx):
            out.append(DisjunctiveLicense(id=lic.spdx, acknowledgement=ack))
        else:
            out.append(DisjunctiveLicense(name=lic.name, url=XsUri(lic.url), acknowledgement=ack))
    return out


def _model_card(catalog: Catalog, card_id: str) -> dict[str, Any]:
    card = catalog.get(card_id)
    return {"modelParameters": {
        "task": card.tasks[0],
        "architectureFamily": card.family,
        "modelArchitecture": card.architecture.type,
        "inputs": [{"format": modality} for modality in card.modalities],
    }}
