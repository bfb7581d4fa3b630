"""The score components by name and their default weights; the Requirements model checks --weight against them."""

from __future__ import annotations

from typing import Literal

# Default weights of the score components (they sum to 1); docs/scoring.md explains each choice.
DEFAULT_WEIGHTS: dict[str, float] = {
    "quality": 0.35, "task": 0.15, "language": 0.10, "recency": 0.10, "precision": 0.10, "speed": 0.05,
    "headroom": 0.05, "context": 0.05, "license": 0.05,
}

Component = Literal[tuple(DEFAULT_WEIGHTS)]  # type: ignore[valid-type]
