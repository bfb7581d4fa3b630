"""One calibrated quality index per model from its benchmark figures, with an uncertainty (docs/scoring.md).

Every figure is an observation of a benchmark *item* (a benchmark, in one reasoning mode and edition) on one
scale: accuracies as logits, ratings as they are. A one-factor model, fitted across all cards by alternating
least squares, says how each item reads the one latent quality q of a model:  y = a_item + b_item * q + noise.
Independent figures weigh more than a publisher's own. The index is 50 + 15 q, q standardised over the models
with figures; models without figures are interpolated within their family, then estimated from size and date.
Computed once when the catalog is built, and cached with it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from .benchmarks import read_variant

if TYPE_CHECKING:
    from .benchmarks import BenchmarkInfo
    from .cards import Card

EVALUATOR_WEIGHT = {"independent": 1.0, "publisher": 0.5}
MIN_MODELS_PER_ITEM = 5  # an item seen on fewer models cannot be calibrated against the others
RIDGE = 0.25  # pulls a model seen on one item toward the middle: one figure is weak evidence
ITERATIONS = 60
FIT_MODELS = 500  # the items are calibrated on at most this many models (every model is then read with them)
NOISE_FLOOR = 0.3  # no item places a model more precisely than 0.3 sd of quality
INDEX_MEAN, INDEX_SD = 50.0, 15.0
TASK_EMPHASIS = 3.0  # an item that measures the asked-for task counts this many times more
UNREAD_FOCUS_ERROR = 2.0  # a model with no figure on the asked-for task: its error counts this many times
FOCUS = {  # a focus of the index -> the benchmark measures it leans on
    "chat": ("preference", "instruction-following"),
    "code": ("code",),
    "reasoning": ("reasoning", "math"),
    "chinese": ("chinese",),
    "multilingual": ("multilingual",),
    "instruction-following": ("instruction-following",),
}
NON_GENERATIVE = ("encoder",)


class Observation(NamedTuple):
    model: str
    item: str  # "benchmark|mode|edition"
    value: float  # on the item's reading scale
    weight: float
    benchmark: str
    score: float
    variant: str
    evaluator: str


class Item(NamedTuple):
    intercept: float
    slope: float
    noise: float  # residual standard deviation
    models: int
    measures: tuple[str, ...]


class Quality(NamedTuple):
    """A model's index (mean 50, sd 15 over the benchmarked models), its standard error, and how it was found.

    A measured model's index is its figures' reading combined with what its size and date predict, each weighed
    by its precision: thin evidence moves a model less far from the expected than plenty does."""

    index: float
    error: float
    imputed: str  # "" when measured; otherwise how: "family qwen3 (qwen3-8b, qwen3-32b)" or "size and date"
    focus: tuple[tuple[str, float, float], ...]  # (focus, index, error) for each focus of a measured model
    evidence: float | None = None  # what the figures alone say (the general reading), before the prior
    read: tuple[str, ...] = ()  # the foci the model has figures for

    def for_focus(self, focus: str | None) -> tuple[float, float]:
        """The index and its error for a task focus (the general ones when the focus has no reading)."""
        for name, index, error in self.focus:
            if name == focus:
                return index, error
        return self.index, self.error

    @property
    def text(self) -> str:
        return f"{'~' if self.imputed else ''}{self.index:.0f} ± {self.error:.0f}"


class QualityModel(NamedTuple):
    """What the fit found: the items' parameters and each model's quality (its inputs are re-read from its card
    when asked for: `observations`, so that a cached catalog does not carry them)."""

    items: dict[str, Item]
    qualities: dict[str, Quality]
    size_fit: tuple[float, float, float, float]  # index ~ c0 + c1 log10(size) + c2 (year - 2024); residual sd

    def of(self, card_id: str) -> Quality | None:
        return self.qualities.get(card_id)


def reading(info: BenchmarkInfo, score: float) -> float:
    share = (score - info.scale.min) / (info.scale.max - info.scale.min)
    if info.reading == "accuracy":
        share = min(max(share, 0.005), 0.995)
        return math.log(share / (1 - share))
    return share * 10  # a rating: its range in tens of units, so slopes start comparable with logits


def observations(cards: Iterable[Card], registry: Mapping[str, BenchmarkInfo]) -> list[Observation]:
    found = []
    editions: dict[tuple[str, str], str] = {}  # (benchmark, variant) -> edition: many cards share a variant
    for card in cards:
        per_item: dict[str, list[tuple]] = defaultdict(list)
        for bench_id, figures in card.benchmarks.items():
            info = registry.get(bench_id)
            if info is None:
                continue
            for figure in figures:
                # thinking and non-thinking runs read the same capability, as a user can switch it on: one item
                key = (bench_id, figure.variant)
                if key not in editions:
                    editions[key] = read_variant(info, figure.variant).edition
                item = f"{bench_id}|{editions[key]}"
                per_item[item].append((info, figure))
        for item, figures in per_item.items():
            share = 1 / len(figures)  # several figures of one item (two sources) count as one observation
            for info, figure in figures:
                found.append(Observation(card.id, item, reading(info, figure.score),
                                         EVALUATOR_WEIGHT[figure.evaluator] * share, info.id, figure.score,
                                         figure.variant, figure.evaluator))
    return found


def fit(obs: list[Observation], registry: Mapping[str, BenchmarkInfo]) -> tuple[dict[str, Item], dict[str, float]]:
    """Item parameters and each model's latent quality (standardised), by alternating least squares."""
    by_item: dict[str, list[Observation]] = defaultdict(list)
    for o in obs:
        by_item[o.item].append(o)
    usable = {item: rows for item, rows in by_item.items() if len({o.model for o in rows}) >= MIN_MODELS_PER_ITEM}
    rows = [o for item_rows in usable.values() for o in item_rows]
    if not rows:
        return {}, {}
    # start: each model's mean standardised value over its items
    start: dict[str, list[float]] = defaultdict(list)
    for item_rows in usable.values():
        mean, sd = _mean_sd([o.value for o in item_rows], [o.weight for o in item_rows])
        for o in item_rows:
            start[o.model].append((o.value - mean) / (sd or 1.0))
    q = {model: sum(values) / len(values) for model, values in start.items()}
    params: dict[str, tuple[float, float]] = {}
    for _ in range(ITERATIONS):
        for item, item_rows in usable.items():
            params[item] = _regress([(q[o.model], o.value, o.weight) for o in item_rows])
        num: dict[str, float] = defaultdict(float)
        den: dict[str, float] = defaultdict(lambda: RIDGE)
        for o in rows:
            a, b = params[o.item]
            num[o.model] += o.weight * b * (o.value - a)
            den[o.model] += o.weight * b * b
        new = {model: num[model] / den[model] for model in q}
        mean, sd = _mean_sd(list(new.values()), [1.0] * len(new))
        new = {model: (value - mean) / (sd or 1.0) for model, value in new.items()}
        change = max(abs(new[m] - q[m]) for m in q)
        q = new
        if change < 1e-5:
            break
    items = {}
    for item, item_rows in usable.items():
        a, b = _regress([(q[o.model], o.value, o.weight) for o in item_rows])
        residuals = [(o.value - a - b * q[o.model], o.weight) for o in item_rows]
        weight = sum(w for _, w in residuals)
        models = len({o.model for o in item_rows})
        # residual sd with the two fitted parameters' degrees of freedom given back, and a floor: a benchmark
        # that fits a handful of models exactly is not therefore exact
        noise = math.sqrt(sum(w * r * r for r, w in residuals) / weight * models / (models - 2))
        measures = tuple(registry[item_rows[0].benchmark].measures)
        items[item] = Item(a, b, max(noise, NOISE_FLOOR * b), models, measures)
    return items, q


def build(cards: Iterable[Card], registry: Mapping[str, BenchmarkInfo]) -> QualityModel:
    cards = list(cards)
    obs = observations(cards, registry)
    items, _ = fit(_calibration_sample(obs), registry)
    by_model: dict[str, list[Observation]] = defaultdict(list)
    for o in obs:
        by_model[o.model].append(o)
    qualities: dict[str, Quality] = {}
    for model, rows in by_model.items():
        measured = _measured(rows, items)
        if measured is not None:
            qualities[model] = measured
    size_fit = _size_fit(cards, qualities)
    c0, c1, c2, sd = size_fit
    by_id = {card.id: card for card in cards}
    for model, measured in list(qualities.items()):
        card = by_id[model]
        prior = c0 + c1 * math.log10(effective_size(card)) + c2 * _year(card)
        qualities[model] = _with_prior(measured, prior, sd)
    relatives: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)  # measured, by family and kind
    for card in cards:
        if card.id in qualities:
            relatives[card.family, _kind(card)].append((math.log10(effective_size(card)), card.id))
    for group in relatives.values():
        group.sort()
    for card in cards:
        if card.id not in qualities and card.architecture.type not in NON_GENERATIVE:
            qualities[card.id] = _imputed(card, relatives[card.family, _kind(card)], qualities, size_fit)
    return QualityModel(items, qualities, size_fit)


def _calibration_sample(obs: list[Observation]) -> list[Observation]:
    """The observations of at most FIT_MODELS models, chosen by a hash of their ids (the same every build): a
    catalog of 100,000 cards calibrates its items about as well from 500 of them, in a fraction of the time."""
    models = sorted({o.model for o in obs})
    if len(models) <= FIT_MODELS:
        return obs
    import zlib

    chosen = set(sorted(models, key=lambda m: zlib.crc32(m.encode()))[:FIT_MODELS])
    return [o for o in obs if o.model in chosen]


def contribution(o: Observation, item: Item) -> float:
    """How much one observation pulls the model's latent quality: its weight times the item's precision."""
    return o.weight * item.slope * item.slope / (item.noise * item.noise)


def _measured(rows: list[Observation], items: dict[str, Item]) -> Quality | None:
    usable = [(o, items[o.item]) for o in rows if o.item in items]
    if not usable:
        return None

    def estimate(emphasis: tuple[str, ...]) -> tuple[float, float, float]:
        num = 0.0
        den = RIDGE
        for o, item in usable:
            w = contribution(o, item) * (TASK_EMPHASIS if set(item.measures) & set(emphasis) else 1.0)
            num += w * (o.value - item.intercept) / item.slope
            den += w
        q = num / den
        # disagreement: how far the figures are from what q predicts, in units of each item's noise
        chi = sum(o.weight * ((o.value - item.intercept - item.slope * q) / item.noise) ** 2 for o, item in usable)
        spread = math.sqrt(chi / sum(o.weight for o, _ in usable)) if len(usable) > 1 else 1.0
        return q, den, max(1.0, spread)

    q, precision, spread = estimate(())
    error = spread / math.sqrt(precision)
    focus = []
    read = []
    for name, measures in FOCUS.items():
        if any(set(item.measures) & set(measures) for _, item in usable):
            read.append(name)
            focus.append((name, index_of(estimate(measures)[0]), INDEX_SD * error))
        else:  # nothing shows how the model does at this task: the general reading, less sure
            focus.append((name, index_of(q), UNREAD_FOCUS_ERROR * INDEX_SD * error))
    return Quality(index_of(q), INDEX_SD * error, "", tuple(focus), index_of(q), tuple(read))


def _with_prior(measured: Quality, prior: float, prior_error: float) -> Quality:
    """The measured readings combined with the prior (what size and date predict), by precision."""

    def combine(index: float, error: float) -> tuple[float, float]:
        w_data, w_prior = 1 / (error * error), 1 / (prior_error * prior_error)
        return (index * w_data + prior * w_prior) / (w_data + w_prior), 1 / math.sqrt(w_data + w_prior)

    index, error = combine(measured.index, measured.error)
    focus = tuple((name, *combine(value, err)) for name, value, err in measured.focus)
    return measured._replace(index=index, error=error, focus=focus)


def index_of(q: float) -> float:
    """The index of a latent quality q (q in standard deviations of the benchmarked models)."""
    return INDEX_MEAN + INDEX_SD * q


def effective_size(card: Card) -> float:
    """Billions of parameters as quality scales with them: a mixture of experts counts as the geometric mean of
    its total and active sizes (a rule of thumb of MoE practice; active size alone undersells it)."""
    arch = card.architecture
    if arch.active_params_b:
        return math.sqrt(arch.params_b * arch.active_params_b)
    return arch.params_b


def _kind(card: Card) -> str:
    return "base" if set(card.tasks) <= {"completion", "code", "math"} and "completion" in card.tasks else "tuned"


def _size_fit(cards: list[Card], qualities: Mapping[str, Quality]) -> tuple[float, float, float, float]:
    points = [(math.log10(effective_size(c)), _year(c), qualities[c.id].index) for c in cards if c.id in qualities]
    if len(points) < 4:
        return INDEX_MEAN, 0.0, 0.0, INDEX_SD
    c0, c1, c2 = _least_squares([(1.0, x, t) for x, t, _ in points], [y for _, _, y in points])
    residual = [y - c0 - c1 * x - c2 * t for x, t, y in points]
    return c0, c1, c2, math.sqrt(sum(r * r for r in residual) / max(1, len(residual) - 3))


def _imputed(card: Card, relatives: list[tuple[float, str]], qualities: Mapping[str, Quality],
             size_fit: tuple[float, float, float, float]) -> Quality:
    """From the measured models of the card's family and kind (`relatives`: (log10 size, id), sorted), else from
    size and release date across the catalog."""
    c0, c1, c2, sd = size_fit
    x = math.log10(effective_size(card))
    below = [r for r in relatives if r[0] <= x]
    above = [r for r in relatives if r[0] > x]
    if below and above:
        (x0, id0), (x1, id1) = below[-1], above[0]
        q0, q1 = qualities[id0].index, qualities[id1].index
        share = (x - x0) / (x1 - x0) if x1 != x0 else 0.5
        error = max(qualities[id0].error, qualities[id1].error) + 0.25 * sd
        return Quality(q0 + share * (q1 - q0), error, f"family {card.family} ({id0}, {id1})", ())
    if relatives:
        xn, idn = below[-1] if below else above[0]
        error = qualities[idn].error + 0.5 * sd
        return Quality(qualities[idn].index + c1 * (x - xn), error, f"family {card.family} ({idn}) and size", ())
    return Quality(c0 + c1 * x + c2 * _year(card), sd, "size and date", ())


def _year(card: Card) -> float:
    """Years since 2024 (fractional): the release date as the size-and-date regression reads it."""
    return card.released.year + card.released.timetuple().tm_yday / 366 - 2024


def _mean_sd(values: list[float], weights: list[float]) -> tuple[float, float]:
    total = sum(weights)
    mean = sum(v * w for v, w in zip(values, weights, strict=True)) / total
    var = sum(w * (v - mean) ** 2 for v, w in zip(values, weights, strict=True)) / total
    return mean, math.sqrt(var)


def _regress(points: list[tuple[float, float, float]]) -> tuple[float, float]:
    """Weighted least squares y = a + b x over (x, y, weight); the slope kept positive (a benchmark never rewards
    a worse model)."""
    total = sum(w for _, _, w in points)
    mx = sum(x * w for x, _, w in points) / total
    my = sum(y * w for _, y, w in points) / total
    sxx = sum(w * (x - mx) ** 2 for x, _, w in points)
    sxy = sum(w * (x - mx) * (y - my) for x, y, w in points)
    b = max(sxy / sxx if sxx > 1e-12 else 0.0, 0.05)
    return my - b * mx, b


def _least_squares(rows: list[tuple[float, ...]], ys: list[float]) -> tuple[float, ...]:
    """Ordinary least squares by the normal equations (three unknowns: small enough for Gauss-Jordan)."""
    n = len(rows[0])
    a = [[sum(r[i] * r[j] for r in rows) + (1e-9 if i == j else 0.0) for j in range(n)]
         + [sum(r[i] * y for r, y in zip(rows, ys, strict=True))] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col and a[col][col]:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return tuple(a[i][n] / a[i][i] if a[i][i] else 0.0 for i in range(n))
