"""What the user has to run a model on: the GPU table, --gpu parsing, and detection of local hardware."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from ..catalog.cards import SLUG, Strict, Url
from ..core.errors import NotFoundError, UsageError, validation_message

OS_RESERVE_GB = 2.0  # RAM left to the operating system and other programs for CPU inference
# macOS lets the GPU wire about 2/3 of unified memory up to 36 GB and 3/4 above (recommendedMaxWorkingSetSize)
APPLE_GPU_SHARE_SMALL, APPLE_GPU_SHARE_LARGE, APPLE_SHARE_THRESHOLD_GB = 2 / 3, 3 / 4, 36


class Gpu(Strict):
    id: Annotated[str, Field(pattern=SLUG)]
    name: str
    vendor: Literal["nvidia", "amd", "apple", "intel"]
    kind: Literal["discrete", "unified"]
    memory_gb: Annotated[float, Field(gt=0)]
    bandwidth_gbs: Annotated[float, Field(gt=0)]
    aliases: list[str] = []
    source: Url

    @property
    def usable_gb(self) -> float:
        if self.kind == "unified":
            share = APPLE_GPU_SHARE_SMALL if self.memory_gb <= APPLE_SHARE_THRESHOLD_GB else APPLE_GPU_SHARE_LARGE
            return self.memory_gb * share
        return self.memory_gb


@dataclass(frozen=True)
class Hardware:
    """Memory available for a model. GPU memory is per device; `gpus` devices of that size."""

    vram_gb: float | None = None
    gpus: int = 1
    bandwidth_gbs: float | None = None
    ram_gb: float | None = None
    cpu_only: bool = False
    label: str = ""
    unified: bool = False

    @property
    def device(self) -> str:
        if self.cpu_only or self.vram_gb is None:
            return "cpu"
        return "apple" if self.unified else "gpu"

    @property
    def budget_gb(self) -> float | None:
        """Memory a model may use: all GPUs together, or RAM minus what the OS needs."""
        if self.device == "cpu":
            return None if self.ram_gb is None else max(self.ram_gb - OS_RESERVE_GB, 0.0)
        return (self.vram_gb or 0.0) * self.gpus

    def describe(self) -> str:
        if self.device == "cpu":
            return f"CPU with {self.ram_gb:g} GB RAM ({OS_RESERVE_GB:g} GB kept for the OS)" if self.ram_gb else "CPU"
        count = f"{self.gpus}x " if self.gpus > 1 else ""
        name = self.label or f"{self.vram_gb:g} GB GPU"
        return f"{count}{name}" + (f" ({self.vram_gb:g} GB each)" if self.label and self.gpus > 1 else "")


def _norm(text: str) -> str:
    text = text.lower()
    for word in ("nvidia", "geforce", "amd", "radeon", "apple", "tesla"):
        text = text.replace(word, "")
    return re.sub(r"[^a-z0-9]", "", text)


def load_gpus(paths: list[Path]) -> dict[str, Gpu]:
    """The GPU table: the built-in gpus.yaml and any gpus.yaml in user catalogs (later entries win)."""
    from pydantic import TypeAdapter, ValidationError

    from ..core.errors import CatalogError, Problem
    from ..core.yamlio import YamlProblem, line_of, load_file

    table: dict[str, Gpu] = {}
    adapter = TypeAdapter(list[Gpu])
    for path in paths:
        try:
            data, text = load_file(path)
            for gpu in adapter.validate_python(data or []):
                table[gpu.id] = gpu
        except YamlProblem as exc:
            raise CatalogError([exc.problem]) from None
        except ValidationError as exc:
            raise CatalogError([Problem(path, line_of(text, tuple(e["loc"])), ".".join(map(str, e["loc"])),
                                        validation_message(e, list(Gpu.model_fields)))
                                for e in exc.errors(include_url=False)]) from None
    return table


def find_gpu(table: dict[str, Gpu], name: str) -> Gpu:
    """Forgiving lookup: 'RTX 4090', 'rtx-4090', 'geforce rtx 4090', '4090', 'A100 80GB'."""
    wanted = _norm(name)
    index: dict[str, Gpu] = {}
    for gpu in table.values():
        for key in (gpu.id, gpu.name, *gpu.aliases):
            index.setdefault(_norm(key), gpu)
    if wanted in index:
        return index[wanted]
    partial = {gpu.id: gpu for key, gpu in index.items() if wanted and key.endswith(wanted)}
    if len(partial) == 1:
        return next(iter(partial.values()))
    from ..core.errors import suggest

    close = [index[key].name for key in suggest(wanted, list(index))]
    names = list(dict.fromkeys(close or [g.name for g in partial.values()]))[:3]
    raise NotFoundError("GPU", name, names)


def parse_gpu_spec(spec: str) -> tuple[int, str]:
    """'2x RTX 3090' -> (2, 'RTX 3090')."""
    match = re.fullmatch(r"\s*(\d+)\s*[x×*]\s*(.+)", spec, flags=re.IGNORECASE)
    if match:
        count = int(match.group(1))
        if not 1 <= count <= 64:
            raise UsageError(f"--gpu {spec!r}: GPU count must be between 1 and 64")
        return count, match.group(2).strip()
    return 1, spec.strip()


def hardware_for_gpu(table: dict[str, Gpu], spec: str, gpus: int | None = None) -> Hardware:
    count, name = parse_gpu_spec(spec)
    gpu = find_gpu(table, name)
    return Hardware(vram_gb=gpu.usable_gb, gpus=gpus or count, bandwidth_gbs=gpu.bandwidth_gbs, label=gpu.name,
                    unified=gpu.kind == "unified")


# --- detection ---------------------------------------------------------------------------------

Runner = Callable[[list[str]], str]


@dataclass(frozen=True)
class DetectedGpu:
    name: str
    total_gb: float
    free_gb: float | None
    via: str


@dataclass(frozen=True)
class Detection:
    gpus: tuple[DetectedGpu, ...]
    ram_gb: float | None
    notes: tuple[str, ...]


def _run(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=True).stdout


def parse_nvidia_smi(output: str) -> list[DetectedGpu]:
    """Parse `nvidia-smi --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits`."""
    gpus = []
    for line in output.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3:
            raise ValueError(f"unexpected nvidia-smi line: {line[:80]!r}")
        name, total, free = parts
        gpus.append(DetectedGpu(name, float(total) / 1024, float(free) / 1024, "nvidia-smi"))
    return gpus


def _nvml() -> list[DetectedGpu] | None:
    try:
        import pynvml  # provided by the optional nvidia-ml-py package
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        gpus = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            name = pynvml.nvmlDeviceGetName(handle)
            gpus.append(DetectedGpu(name if isinstance(name, str) else name.decode(), mem.total / 2**30,
                                    mem.free / 2**30, "NVML"))
        return gpus
    except Exception:  # NVML raises its own error types when no driver is loaded
        return None


def system_ram_gb() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return None


def detect(runner: Runner = _run, platform: str = sys.platform, use_nvml: bool = True) -> Detection:
    """Local GPUs and RAM. Missing tools or GPUs are reported in notes, never raised."""
    notes: list[str] = []
    gpus = (_nvml() if use_nvml else None) or []
    ram = system_ram_gb()
    if not gpus and platform == "darwin":
        try:
            brand = runner(["sysctl", "-n", "machdep.cpu.brand_string"]).strip()
            mem = int(runner(["sysctl", "-n", "hw.memsize"]).strip()) / 2**30
            ram = mem
            if brand.startswith("Apple"):
                share = APPLE_GPU_SHARE_SMALL if mem <= APPLE_SHARE_THRESHOLD_GB else APPLE_GPU_SHARE_LARGE
                gpus = [DetectedGpu(f"{brand} (unified memory)", mem * share, None, "sysctl")]
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            notes.append(f"sysctl failed: {exc}")
    if not gpus:
        try:
            gpus = parse_nvidia_smi(runner(["nvidia-smi", "--query-gpu=name,memory.total,memory.free",
                                            "--format=csv,noheader,nounits"]))
        except FileNotFoundError:
            notes.append("no NVIDIA GPU found (nvidia-smi is not installed)")
        except subprocess.CalledProcessError as exc:
            notes.append(f"nvidia-smi failed (exit {exc.returncode}): no usable NVIDIA driver")
        except subprocess.TimeoutExpired:
            notes.append("nvidia-smi did not answer within 10 s")
        except (OSError, ValueError) as exc:
            notes.append(f"could not read nvidia-smi output: {exc}")
    if not gpus:
        notes.append("no GPU detected: models would run on the CPU")
    return Detection(tuple(gpus), ram, tuple(notes))


def hardware_from_detection(found: Detection) -> Hardware:
    if not found.gpus:
        return Hardware(vram_gb=None, ram_gb=found.ram_gb, cpu_only=True, label="detected CPU")
    smallest = min(g.total_gb for g in found.gpus)
    return Hardware(vram_gb=smallest, gpus=len(found.gpus), ram_gb=found.ram_gb, label=found.gpus[0].name,
                    unified="unified" in found.gpus[0].name)


def check_flags(*, vram_gb: float | None, gpu: str | None, cpu_only: bool) -> None:
    """Hardware flags that contradict each other; raises UsageError."""
    if cpu_only and (gpu or vram_gb):
        raise UsageError("--cpu-only contradicts --gpu/--vram", "drop one of them")
    if gpu and vram_gb:
        raise UsageError("--gpu and --vram both give GPU memory", "use one of them")


def resolve(*, vram_gb: float | None = None, gpus: int | None = None, gpu: str | None = None,
            ram_gb: float | None = None, cpu_only: bool = False, auto: bool = False,
            gpu_files: list[Path] = (), detector: Callable[[], Detection] = detect) -> Hardware:
    """Hardware from flags: --gpu NAME, --vram GB, --cpu-only, or detection (--auto, or no flag at all)."""
    check_flags(vram_gb=vram_gb, gpu=gpu, cpu_only=cpu_only)
    if gpu:
        return hardware_for_gpu(load_gpus(list(gpu_files)), gpu, gpus)
    if vram_gb:
        return Hardware(vram_gb=vram_gb, gpus=gpus or 1, ram_gb=ram_gb)
    if cpu_only and ram_gb:
        return Hardware(ram_gb=ram_gb, cpu_only=True)
    found = hardware_from_detection(detector())
    if cpu_only:
        return Hardware(ram_gb=ram_gb or found.ram_gb, cpu_only=True, label="detected CPU")
    if ram_gb and found.cpu_only:
        return Hardware(ram_gb=ram_gb, cpu_only=True)
    return found
