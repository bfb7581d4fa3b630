"""The benchmark registry (benchmarks.yaml): what each benchmark measures, its scale, and the variants it knows."""

from __future__ import annotations

import re
from typing import Annotated, Literal, NamedTuple

from pydantic import Field, model_validator

from ..core import vocab
from .cards import SLUG, Strict, Url

Measure = Literal[vocab.BENCHMARK_MEASURES]  # type: ignore[valid-type]
Token = Annotated[str, Field(pattern=r"^[a-z0-9@.\-]+$", max_length=40)]


class Scale(Strict):
    min: float
    max: float
    unit: Annotated[str, Field(max_length=20)]

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"min {self.min:g} must be below max {self.max:g}")
        return self


class BenchmarkInfo(Strict):
    id: Annotated[str, Field(pattern=SLUG, max_length=60)]
    name: Annotated[str, Field(min_length=1, max_length=120)]
    measures: Annotated[list[Measure], Field(min_length=1)]
    scale: Scale
    # how the quality model reads a score: logit of an accuracy (a point near the ceiling is worth more than one
    # in the middle), or as it is (ratings, indices)
    reading: Literal["accuracy", "rating"]
    editions: list[Token] = []  # variant tokens that change the scale: each edition is calibrated on its own
    edition_pattern: Annotated[str, Field(max_length=200)] | None = None  # e.g. LiveCodeBench problem windows
    edition_required: bool = False  # figures must name their edition (index versions are not comparable)
    details: list[Token] = []  # further tokens that say how it was run without changing the scale
    independent_only: bool = False  # arenas and indices: a publisher cannot report them of itself
    saturation: Annotated[str, Field(max_length=1000)] | None = None
    url: Url
    notes: Annotated[str, Field(max_length=2000)] | None = None
    override: bool = False  # replaces an entry of the same id in an earlier catalog (the built-in registry)


class Variant(NamedTuple):
    """A figure's variant read against the registry: the reasoning mode and edition set which scale it is on."""

    mode: str  # "thinking", "non-thinking" or "" (not stated)
    edition: str  # its edition tokens joined with "+"; "" for the benchmark's plain edition
    tokens: tuple[str, ...]

    @property
    def scale_key(self) -> str:
        return "|".join((self.mode, self.edition))


_COMMON = re.compile(vocab.COMMON_VARIANT_PATTERN)


def normalise_token(text: str) -> str:
    return "-".join(text.strip().lower().split())


def read_variant(info: BenchmarkInfo, text: str) -> Variant:
    """The variant `text` ("5-shot, cot, thinking") of a figure of `info`; ValueError naming an unknown token."""
    tokens = tuple(normalise_token(t) for t in text.split(",") if t.strip())
    mode = ""
    editions: list[str] = []
    for token in tokens:
        if token in vocab.REASONING_MODES:
            if mode and mode != token:
                raise ValueError("variant says both thinking and non-thinking")
            mode = token
        elif token in info.editions or (info.edition_pattern and re.fullmatch(info.edition_pattern, token)):
            editions.append(token)
        elif not (token in vocab.COMMON_VARIANT_TOKENS or token in info.details or _COMMON.match(token)):
            known = sorted({*vocab.COMMON_VARIANT_TOKENS, *vocab.REASONING_MODES, *info.editions, *info.details})
            raise ValueError(f"unknown variant {token!r} for {info.id}; known: {', '.join(known)}, N-shot, pass@N"
                             + (f", or an edition matching {info.edition_pattern}" if info.edition_pattern else ""))
    if info.edition_required and not editions:
        raise ValueError(f"{info.id} needs its edition in the variant: one of {', '.join(info.editions)}")
    return Variant(mode, "+".join(sorted(set(editions))), tokens)


def figure_problem(info: BenchmarkInfo, score: float, variant: str, evaluator: str) -> tuple[str, str] | None:
    """(field, message) for a figure that does not fit the registry entry, or None."""
    if not info.scale.min <= score <= info.scale.max:
        return "score", (f"{score:g} is outside {info.id}'s scale {info.scale.min:g}..{info.scale.max:g} "
                         f"{info.scale.unit}")
    try:
        read_variant(info, variant)
    except ValueError as exc:
        return "variant", str(exc)
    if info.independent_only and evaluator != "independent":
        return "evaluator", f"{info.id} is run by a third party; its figures are evaluator: independent"
    return None
