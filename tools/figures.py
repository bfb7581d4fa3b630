"""Write benchmark figures into the catalog's cards: the `benchmarks:` block of each card, rewritten in place.

Used by the snapshot importers in tools/ (and once to bring in the researched figures). A figure is a mapping
with model, benchmark, score, evaluator, variant, date, source and note; figures already on a card are kept
unless a new one has the same benchmark, variant, evaluator and source.

    python tools/figures.py FIGURES.yaml [...]      # merge the figures in these files into catalog/models/
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from llmpick.catalog.benchmarks import normalise_token

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "catalog" / "models"
FIELDS = ("score", "evaluator", "variant", "date", "source", "note")
TOP_KEY = re.compile(r"^[a-z_]+:", re.M)


def figure_key(figure: dict[str, Any]) -> tuple:
    return (figure["benchmark"], normal_variant(figure.get("variant") or ""), figure["evaluator"], figure["source"])


def normal_variant(text: str) -> str:
    """The variant as the catalog spells it: each comma-separated token normalised as the validator reads it."""
    return ", ".join(normalise_token(t) for t in str(text).split(",") if t.strip())


def card_figures(card_file: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(card_file.read_text(encoding="utf-8"))
    figures = []
    for bench, value in (data.get("benchmarks") or {}).items():
        for item in value if isinstance(value, list) else [value]:
            figures.append({"benchmark": bench, **item})
    return figures


def block(figures: list[dict[str, Any]]) -> str:
    """The `benchmarks:` block: benchmarks in id order, independent figures first, newest first."""
    by_bench: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for figure in figures:
        by_bench[figure["benchmark"]].append(figure)
    lines = ["benchmarks:"]
    for bench in sorted(by_bench):
        lines.append(f"  {bench}:")
        ordered = sorted(by_bench[bench], key=lambda f: (f["evaluator"] != "independent",
                                                         -(f.get("date") or dt.date.min).toordinal()))
        for figure in ordered:
            entry = {name: figure[name] for name in FIELDS if figure.get(name) not in (None, "")}
            if "variant" in entry:
                entry["variant"] = normal_variant(entry["variant"])
            text = yaml.safe_dump(entry, default_flow_style=True, width=10**9, sort_keys=False, allow_unicode=True)
            lines.append(f"    - {text.strip()}")
    return "\n".join(lines) + "\n"


def write_card(card_file: Path, figures: list[dict[str, Any]]) -> None:
    text = card_file.read_text(encoding="utf-8")
    new_block = block(figures) if figures else ""
    match = re.search(r"^benchmarks:.*?(?=^[a-z_]+:|\Z)", text, re.M | re.S)
    if match:
        text = text[:match.start()] + new_block + text[match.end():]
    else:
        anchor = re.search(r"^(links|sources):", text, re.M)
        at = anchor.start() if anchor else len(text)
        text = text[:at] + new_block + text[at:]
    tmp = card_file.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(card_file)


def merge(new: list[dict[str, Any]], models_dir: Path = MODELS, replace: set[str] = frozenset()) -> dict[str, int]:
    """Merge `new` figures into the cards; returns how many figures each changed card now has. For the benchmarks
    in `replace` (leaderboards: one snapshot at a time), a new figure replaces the card's figure of the same
    benchmark, variant and evaluator whatever its source."""
    by_model: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for figure in new:
        by_model[figure["model"]].append(figure)
    counts = {}
    for model, figures in sorted(by_model.items()):
        card_file = models_dir / f"{model}.yaml"
        if not card_file.is_file():
            raise SystemExit(f"no card {card_file} for a figure of {model}")
        merged = {figure_key(f): f for f in card_figures(card_file)}
        for figure in figures:
            if figure["benchmark"] in replace:
                merged = {key: old for key, old in merged.items() if key[:3] != figure_key(figure)[:3]}
            merged[figure_key(figure)] = {k: v for k, v in figure.items() if k != "model"}
        write_card(card_file, list(merged.values()))
        counts[model] = len(merged)
    return counts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    figures = [figure for path in args.files for figure in yaml.safe_load(path.read_text(encoding="utf-8"))]
    counts = merge(figures)
    print(f"{sum(counts.values())} figures on {len(counts)} cards", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
