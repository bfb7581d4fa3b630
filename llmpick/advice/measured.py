"""Speeds measured on this machine (`llmpick bench`): a small JSON file per user, keyed by a machine fingerprint and
model + quantization, and the calibration of estimates that the measurements give (docs/memory.md).

The file lives in the state directory (XDG_STATE_HOME/llmpick, else ~/.local/state/llmpick), beside the cache key:
it is the user's own record, not a cache that may be thrown away."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core.errors import UsageError, shown

FILE_NAME = "measured-speed.json"
VERSION = 1
RATIO_BOUNDS = (0.25, 4.0)  # a calibration outside this says more about a broken run than about the machine
MAX_ENTRIES = 2_000


def store_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or (Path.home() / ".local" / "state")
    return Path(base) / "llmpick" / FILE_NAME


def fingerprint(gpu_names: list[str] | tuple[str, ...], ram_gib: float | None) -> str:
    """This machine in one line: its GPUs by name (as the driver reports them) and its RAM in whole GiB."""
    gpus = " + ".join(sorted(gpu_names)) or "no GPU"
    return f"{gpus}; {round(ram_gib) if ram_gib else '?'} GiB RAM"


@dataclass(frozen=True)
class Measurement:
    machine: str
    model: str | None  # the card id, None when the catalog does not know the model
    tag: str  # what the server ran (an Ollama tag, a model name)
    quant: str | None  # in llmpick's words (q4_k_m), when the server said
    tokens_per_s: float
    prompt_tokens_per_s: float | None
    method: str
    server: str
    date: str  # ISO date of the run


@dataclass(frozen=True)
class MeasuredSpeeds:
    """The runs on one machine, the latest per (model, quantization), and the calibration they give."""

    machine: str
    runs: dict[tuple[str, str], Measurement] = field(default_factory=dict)
    ratio: float | None = None  # measured / estimated, the median over the runs with an estimate, bounded
    raw_ratio: float | None = None  # before bounding
    calibrated_by: int = 0  # how many runs the ratio rests on

    def get(self, model: str | None, quant: str | None) -> Measurement | None:
        return self.runs.get((model or "", quant or ""))

    def calibrate(self, estimate_of: Callable[[str, str], float | None]) -> MeasuredSpeeds:
        """With the median ratio of measured to estimated tokens/s over the runs that `estimate_of(model, quant)`
        can estimate, bounded to RATIO_BOUNDS."""
        ratios = []
        for (model, quant), run in sorted(self.runs.items()):
            estimated = estimate_of(model, quant)
            if estimated and estimated > 0:
                ratios.append(run.tokens_per_s / estimated)
        if not ratios:
            return self
        import statistics  # here: recommend imports this module on every run

        raw = statistics.median(ratios)
        low, high = RATIO_BOUNDS
        return replace(self, ratio=min(max(raw, low), high), raw_ratio=raw, calibrated_by=len(ratios))

    def describe(self) -> str:
        """One line for --explain and the notes."""
        if self.ratio is None:
            return f"{len(self.runs)} measured run(s) on this machine; none can calibrate these estimates"
        bounded = (f" (measured {self.raw_ratio:.2f}, bounded to {RATIO_BOUNDS[0]:g}-{RATIO_BOUNDS[1]:g})"
                   if self.raw_ratio != self.ratio else "")
        return (f"estimated speeds x {self.ratio:.2f}{bounded}: the median of measured / estimated over "
                f"{self.calibrated_by} run(s) on this machine (llmpick bench)")


def load_all(path: Path | None = None) -> list[Measurement]:
    """Every stored run; a missing file is none, an unreadable or invalid one a UsageError naming it."""
    path = path or store_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the measured speeds ({exc})", "remove the file to start over") from None
    try:
        data = json.loads(text)
        runs = data["runs"] if isinstance(data, dict) and data.get("version") == VERSION else None
        if not isinstance(runs, list):
            raise ValueError("no list of runs")
        return [_measurement(item) for item in runs]
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: not a measured-speed file llmpick wrote ({shown(str(exc))})",
                         "remove the file to start over") from None


def _measurement(item: Any) -> Measurement:
    if not isinstance(item, dict):
        raise ValueError("a run is not a mapping")
    speed = item.get("tokens_per_s")
    if not isinstance(speed, int | float) or isinstance(speed, bool) or not 0 < speed < 1e6:
        raise ValueError("a run without a usable tokens_per_s")
    names = {f for f in Measurement.__dataclass_fields__}
    return Measurement(**{k: v for k, v in item.items() if k in names})


def for_machine(machine: str, path: Path | None = None) -> MeasuredSpeeds | None:
    """The runs on `machine` that name a card and a quantization; None when there are none."""
    runs = {(m.model, m.quant): m for m in load_all(path) if m.machine == machine and m.model and m.quant}
    return MeasuredSpeeds(machine, runs) if runs else None


def record(run: Measurement, path: Path | None = None) -> Path:
    """Add `run` (replacing an earlier run of the same model, quantization and server on the same machine),
    written atomically."""
    from ..core.atomic import write_text

    path = path or store_path()
    same = (run.machine, run.model, run.tag, run.quant, run.server)
    kept = [m for m in load_all(path) if (m.machine, m.model, m.tag, m.quant, m.server) != same]
    kept = [*kept, run][-MAX_ENTRIES:]
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps({"version": VERSION, "runs": [asdict(m) for m in kept]}, indent=1) + "\n")
    return path


def this_machine(detector: Callable[[], Any] | None = None) -> str:
    """The fingerprint of the machine llmpick runs on (advice/detect.py; `detector` a memo of it)."""
    from .detect import detect

    found = (detector or detect)()
    return fingerprint([gpu.name for gpu in found.gpus], found.ram_gib)


def here(warn: Callable[[str], None], detector: Callable[[], Any] | None = None) -> MeasuredSpeeds | None:
    """The runs on this machine, or None (no file, no run here); a file that cannot be read is a warning: the
    estimates stand without it. `detector`: the detection the command already made (advice/detect.detect_once)."""
    path = store_path()
    if not path.exists():
        return None
    try:
        return for_machine(this_machine(detector), path)
    except UsageError as exc:
        warn(f"{exc.message}; speeds are estimated")
        return None


def today() -> str:
    return dt.date.today().isoformat()
