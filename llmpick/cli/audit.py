"""`llmpick audit`: check the models a project uses against its license policy, for CI."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from ..core.errors import EXIT_FINDINGS, UsageError
from ..render.audit import AuditFormat
from .common import CatalogOpt, command, err, load


class SbomFormat(str, enum.Enum):
    cyclonedx = "cyclonedx"


@command("audit")
def audit_command(
    scan: Annotated[list[Path] | None, typer.Option("--scan", help="File or directory to scan for model references "
                                                    "(repeatable).", show_default=False)] = None,
    hf_cache: Annotated[bool, typer.Option("--hf-cache", help="Also audit the models in the Hugging Face cache "
                                           "(HF_HUB_CACHE, HF_HOME or ~/.cache/huggingface/hub).")] = False,
    hf_cache_dir: Annotated[Path | None, typer.Option("--hf-cache-dir", help="Audit the models in this Hugging "
                                                      "Face cache directory (implies --hf-cache).",
                                                      show_default=False)] = None,
    manifest: Annotated[Path | None, typer.Option("--manifest", help="llmpick.yaml or pyproject.toml listing models "
                                                  "and the policy (default: ./llmpick.yaml, else ./pyproject.toml "
                                                  "with [tool.llmpick]).", show_default=False)] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy file; overrides the manifest's policy.",
                                                show_default=False)] = None,
    fmt: Annotated[AuditFormat | None, typer.Option("--format", "-f", help="Report format [default: text].",
                                                    show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report (or SBOM) to this file "
                                                "instead of stdout.", show_default=False)] = None,
    warn_only: Annotated[bool, typer.Option("--warn-only", help="Report violations but exit 0.")] = False,
    sbom: Annotated[SbomFormat | None, typer.Option("--sbom", help="Write an AI bill of materials instead of the "
                                                    "report; the exit code still follows the policy.",
                                                    show_default=False)] = None,
    init: Annotated[bool, typer.Option("--init", help="Write a commented starter llmpick.yaml (or --manifest FILE) "
                                       "and exit; never overwrites.")] = False,
    catalog: CatalogOpt = None,
) -> None:
    """Fail the build when the project uses a model its license policy does not allow.

    Finds the models used (a manifest's models:, --scan of source and config, --hf-cache), follows each
    model's lineage to its effective license, and reports every violation with file:line, the lineage,
    the rule (LLMPICK001 ...) and an allowed alternative. Summary on stderr, report on stdout.

    Exit codes: 0 compliant, 1 violations, 2 usage or configuration error.

    Examples:

      llmpick audit --init

      llmpick audit --scan .

      llmpick audit --scan src --scan configs --format sarif --output llmpick.sarif

      llmpick audit --manifest pyproject.toml --format markdown --warn-only

      llmpick audit --scan . --sbom cyclonedx --output aibom.cdx.json
    """
    from ..audit.findings import audit, gather
    from ..audit.policy import DEFAULT_POLICY, STARTER, check_licenses, find_manifest, load_manifest, load_policy
    from ..core import atomic

    if init:
        if scan or hf_cache or hf_cache_dir or policy or fmt or output or sbom:
            raise UsageError("--init only writes a starter file", "run it alone (with --manifest FILE to name it)")
        target = manifest or Path("llmpick.yaml")
        atomic.write_text(target, STARTER, overwrite=False)
        err(f"wrote {target}; edit its policy, then run: llmpick audit --scan .")
        return
    if sbom and fmt:
        raise UsageError("--sbom replaces the report, so --format does not apply", "drop one of them")
    found = manifest or find_manifest(Path.cwd())
    project = load_manifest(found) if found else None
    chosen = load_policy(policy) if policy else project
    rules = chosen.policy if chosen and chosen.policy else DEFAULT_POLICY
    source = chosen.policy_source if chosen and chosen.policy else None
    if not (scan or hf_cache or hf_cache_dir or (project and project.models)):
        raise UsageError("nothing to audit", "give --scan PATH, --hf-cache, or list models: in llmpick.yaml "
                         "(llmpick audit --init writes one)")
    loaded = load(catalog)
    check_licenses(rules, source, loaded)
    references = gather(scan or [], manifest=project, hf_cache=hf_cache, hf_cache_dir=hf_cache_dir)
    result = audit(loaded, references.references, rules, policy_source=source, scan=references)
    if sbom is not None:
        from ..audit.sbom import cyclonedx_json

        document = cyclonedx_json(result, loaded)
    else:
        from ..render.audit import render

        document = render(result, fmt or AuditFormat.text)
    atomic.write_with(output or Path(atomic.STDOUT), lambda handle: handle.write(document))
    verdict = "passed" if result.passed else "FAILED"
    err(f"llmpick audit {verdict}: {result.summary()}"
        + (" (--warn-only: exit 0)" if warn_only and not result.passed else ""))
    if not result.passed and not warn_only:
        raise typer.Exit(EXIT_FINDINGS)
