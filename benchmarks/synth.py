"""Write a synthetic catalog of N cards, varied copies of the built-in cards, for scale benchmarks.

Usage: python benchmarks/synth.py N DIR

Card i copies built-in card i mod 175 under a new id; its release date, languages and benchmark scores
are varied so that filters and ranking see a spread, and its architecture (so the parameter check and the
memory estimate stay valid) is kept. Base models still point at built-in ids, so lineage works when the
synthetic directory overlays the built-in catalog.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXTRA_LANGUAGES = ["de", "fr", "es", "zh", "ja", "ko", "ar", "hi", "pt", "it"]


def generate(count: int, target: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    sources = sorted((ROOT / "catalog" / "models").glob("*.yaml"))
    originals = [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for p in sources]
    models = target / "models"
    models.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        card = dict(originals[i % len(originals)])
        card["id"] = f"{card['id']}-synth-{i}"
        card["name"] = f"{card['name']} (synthetic {i})"
        card["hf_repos"] = [f"synthetic/{card['id']}"]
        card.pop("aliases", None)
        card.pop("runtimes", None)  # its artefacts are the original's: a copy under another repo has none
        card["released"] = card["released"] + dt.timedelta(days=rng.randint(0, 400))
        card["verified"] = card["released"] if card["released"] > card["verified"] else card["verified"]
        if rng.random() < 0.3:
            extra = rng.choice(EXTRA_LANGUAGES)
            card["languages"] = list(dict.fromkeys([*card["languages"], extra]))
        for name, figures in card.get("benchmarks", {}).items():
            figures = figures if isinstance(figures, list) else [figures]
            card["benchmarks"][name] = [
                # down by up to 6%: stays within every registry scale that starts at 0 (MT-Bench's 0..10 too)
                {**figure, "score": round(figure["score"] * rng.uniform(0.94, 1.0), 2)}
                if figure["score"] <= 100 else figure for figure in figures]
        (models / f"{card['id']}.yaml").write_text(
            yaml.dump(card, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True), encoding="utf-8")


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
