"""The score components by name and their default weights; the Requirements model checks --weight against them."""

from __future__ import annotations

from typing import Literal

# Every component is in quality-index points (docs/scoring.md): the score is sum(weight x points). A weight of 1
# takes the component as it is; 0 ignores it; 2 counts it double. `context` and `uncertainty` are off unless asked
# for (the index already weighs thin evidence against what a model's size and date predict).
DEFAULT_WEIGHTS: dict[str, float] = {
    "quality": 1.0, "uncertainty": 0.0, "quantization": 1.0, "speed": 1.0, "task": 1.0, "language": 1.0,
    "license": 1.0, "context": 0.0, "recency": 1.0,
}
# --prefer X: these weights instead of the defaults
PREFER: dict[str, dict[str, float]] = {
    "quality": {"quality": 1.0, "uncertainty": 1.0, "speed": 0.5},
    "speed": {"speed": 2.0},
    "context": {"context": 1.0},
    "license": {"license": 3.0},
}

Component = Literal[tuple(DEFAULT_WEIGHTS)]  # type: ignore[valid-type]
