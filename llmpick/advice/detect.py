"""The hardware flags resolve to (resolve), and detection of the local machine: GPUs with their total and free memory
(NVML, nvidia-smi, Apple's sysctl) and system RAM (psutil, /proc/meminfo). Whatever a driver or tool reports that
cannot be true is dropped with a note, never used."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from ..core.errors import UsageError
from .hardware import (
    MAX_GPUS,
    GpuShare,
    Hardware,
    apple_gpu_share,
    check_flags,
    find_gpu,
    hardware_for_gpu,
    load_gpus,
    mixed_hardware,
    plausible,
)

Runner = Callable[[list[str]], str]
MAX_DEVICE_GIB = 4096  # no accelerator has 4 TiB of its own memory; a larger figure is a driver's garbage
MAX_RAM_GIB = 64 * 1024
GIB = 2**30


@dataclass(frozen=True)
class DetectedGpu:
    name: str
    total_gib: float
    free_gib: float | None
    via: str
    bandwidth_gbs: float | None = None


@dataclass(frozen=True)
class Detection:
    gpus: tuple[DetectedGpu, ...]
    ram_gib: float | None
    notes: tuple[str, ...]
    ram_free_gib: float | None = None


def _run(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=True).stdout


def _number(text: str) -> float:
    value = float(text)  # ValueError for '[N/A]' and the like
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def parse_nvidia_smi(output: str) -> list[DetectedGpu]:
    """Parse `nvidia-smi --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits` (MiB)."""
    gpus = []
    for line in output.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3:
            raise ValueError(f"unexpected nvidia-smi line: {line[:80]!r}")
        name, total, free = parts
        try:
            free_gib: float | None = _number(free) / 1024
        except ValueError:
            free_gib = None
        gpus.append(DetectedGpu(name, _number(total) / 1024, free_gib, "nvidia-smi"))
    return gpus


class Nonsense(ValueError):
    """A driver or tool reported something that cannot be true."""


def _nvml(pynvml: ModuleType | None = None) -> list[DetectedGpu] | None:
    """Total and free memory of every NVIDIA GPU through NVML (the nvidia-ml-py package), or None without it.
    Raises Nonsense for a GPU count no machine has."""
    if pynvml is None:
        try:
            import pynvml  # nvidia-ml-py; imported only when detecting
        except ImportError:
            return None
    try:
        pynvml.nvmlInit()
    except Exception:  # NVML raises its own error types when no driver is loaded
        return None
    try:
        count = pynvml.nvmlDeviceGetCount()
        if not isinstance(count, int) or not 0 <= count <= MAX_GPUS:
            raise Nonsense(f"NVML reported {count!r} GPUs, more than any machine holds ({MAX_GPUS}); ignored")
        gpus = []
        for i in range(count):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            name = pynvml.nvmlDeviceGetName(handle)
            gpus.append(DetectedGpu(name if isinstance(name, str) else name.decode(), mem.total / GIB,
                                    mem.free / GIB, "NVML"))
        return gpus
    except Nonsense:
        raise
    except Exception:
        return None
    finally:
        try:
            pynvml.nvmlShutdown()
        except Exception:
            pass


def system_ram(psutil: ModuleType | None = None, meminfo: str | None = None) -> tuple[float | None, float | None]:
    """(total, available) system RAM in GiB: psutil where installed, else /proc/meminfo, else sysconf (total only)."""
    if psutil is None and meminfo is None:
        try:
            import psutil  # imported only when detecting
        except ImportError:
            psutil = None
    if psutil is not None:
        try:
            mem = psutil.virtual_memory()
            return mem.total / GIB, mem.available / GIB
        except Exception:
            pass
    try:
        if meminfo is None:
            with open("/proc/meminfo", encoding="ascii") as handle:
                meminfo = handle.read()
        fields = {line.split(":")[0]: float(line.split()[1]) for line in meminfo.splitlines() if ":" in line}
        return fields["MemTotal"] / 2**20, fields.get("MemAvailable", math.nan) / 2**20  # kB
    except (OSError, ValueError, KeyError, IndexError):
        pass
    try:
        import os

        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB, None
    except (ValueError, OSError, AttributeError):
        return None, None


def _apple(runner: Runner, notes: list[str]) -> tuple[list[DetectedGpu], float | None]:
    """Apple silicon: the GPU may wire `iogpu.wired_limit_mb` MiB of unified memory, or macOS's default share."""
    brand = runner(["sysctl", "-n", "machdep.cpu.brand_string"]).strip()
    ram = _number(runner(["sysctl", "-n", "hw.memsize"]).strip()) / GIB
    if not brand.startswith("Apple"):
        return [], ram
    if not plausible(ram, MAX_RAM_GIB):
        notes.append(f"sysctl reported {ram:g} GiB of memory, which cannot be right; ignored")
        return [], None
    default = ram * apple_gpu_share(ram)
    try:
        limit = _number(runner(["sysctl", "-n", "iogpu.wired_limit_mb"]).strip()) / 1024
    except (OSError, subprocess.SubprocessError, ValueError):
        limit = 0.0
        notes.append("iogpu.wired_limit_mb could not be read (macOS before 14?): assuming macOS's default GPU share")
    if limit == 0:  # 0 means macOS's own default
        usable, how = default, f"macOS default GPU share, {apple_gpu_share(ram):.0%} of {ram:g} GiB"
    elif plausible(limit, ram):
        usable, how = limit, "iogpu.wired_limit_mb"
    else:
        notes.append(f"iogpu.wired_limit_mb says {limit:g} GiB of {ram:g} GiB, which cannot be right; "
                     "assuming macOS's default GPU share")
        usable, how = default, f"macOS default GPU share, {apple_gpu_share(ram):.0%} of {ram:g} GiB"
    return [DetectedGpu(f"{brand} ({ram:g} GiB unified memory)", usable, None, f"sysctl ({how})")], ram


def _sane(gpus: list[DetectedGpu], notes: list[str]) -> list[DetectedGpu]:
    """Drop what cannot be true: a GPU count past MAX_GPUS, a total that is not a size, free memory that is not
    between 0 and the total. Each drop leaves a note; nothing dropped is ever used."""
    if len(gpus) > MAX_GPUS:
        notes.append(f"{gpus[0].via} reported {len(gpus)} GPUs, more than any machine holds ({MAX_GPUS}); ignored")
        return []
    kept = []
    for gpu in gpus:
        if not plausible(gpu.total_gib, MAX_DEVICE_GIB):
            notes.append(f"{gpu.via} reported {gpu.total_gib:g} GiB for {gpu.name}, which cannot be right; ignored")
            continue
        if gpu.free_gib is not None and not (math.isfinite(gpu.free_gib) and 0 <= gpu.free_gib <= gpu.total_gib):
            notes.append(f"{gpu.via} reported {gpu.free_gib:g} GiB free of {gpu.total_gib:g} GiB on {gpu.name}, "
                         "which cannot be right; free memory unknown")
            gpu = replace(gpu, free_gib=None)
        kept.append(gpu)
    return kept


def detect(runner: Runner | None = None, platform: str | None = None, use_nvml: bool = True,
           pynvml: ModuleType | None = None, psutil: ModuleType | None = None,
           meminfo: str | None = None) -> Detection:
    """Local GPUs and RAM. Missing tools or GPUs are reported in notes, never raised; the module arguments are the
    seams tests use for fakes of nvidia-ml-py and psutil."""
    runner = runner or _run
    platform = platform or sys.platform
    notes: list[str] = []
    try:
        gpus = _sane((_nvml(pynvml) if use_nvml else None) or [], notes)
    except Nonsense as exc:
        notes.append(str(exc))
        gpus = []
    ram, ram_free = system_ram(psutil, meminfo)
    if not gpus and platform == "darwin":
        try:
            gpus, ram = _apple(runner, notes)
            ram_free = None if ram is None else ram_free
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            notes.append(f"sysctl failed: {exc}")
    if not gpus and platform != "darwin":
        try:
            gpus = _sane(parse_nvidia_smi(runner(["nvidia-smi", "--query-gpu=name,memory.total,memory.free",
                                                  "--format=csv,noheader,nounits"])), notes)
        except FileNotFoundError:
            notes.append("no NVIDIA GPU found (nvidia-smi is not installed)")
        except subprocess.CalledProcessError as exc:
            notes.append(f"nvidia-smi failed (exit {exc.returncode}): no usable NVIDIA driver")
        except subprocess.TimeoutExpired:
            notes.append("nvidia-smi did not answer within 10 s")
        except (OSError, ValueError) as exc:
            notes.append(f"could not read nvidia-smi output: {exc}")
    if ram is not None and not plausible(ram, MAX_RAM_GIB):
        notes.append(f"the system reported {ram:g} GiB of RAM, which cannot be right; ignored")
        ram, ram_free = None, None
    if ram_free is not None and not (math.isfinite(ram_free) and 0 <= ram_free <= (ram or 0)):
        ram_free = None
    if not gpus:
        notes.append("no GPU detected: models would run on the CPU")
    return Detection(tuple(gpus), ram, tuple(notes), ram_free)


def detect_once(detector: Callable[[], Detection] | None = None) -> Callable[[], Detection]:
    """`detector` (default: detect) that runs at most once: a command that needs the machine twice (its hardware, and
    the fingerprint its measured speeds are stored under) asks nvidia-smi or sysctl once."""
    return cache(detector or detect)


def hardware_from_detection(found: Detection, table: dict[str, Any] | None = None) -> Hardware:
    """The detected machine as Hardware: each GPU's free memory where the driver says it (else its total), its
    bandwidth from the GPU table where the name is found there."""
    if not found.gpus:
        return Hardware(vram_gib=None, ram_gib=found.ram_gib, cpu_only=True, label="detected CPU")
    first = found.gpus[0]
    if first.via.startswith("sysctl"):
        bandwidth = _bandwidth(table, first.name.split(" (")[0] + f" {found.ram_gib or 0:g}GB")
        return Hardware(vram_gib=first.total_gib, ram_gib=found.ram_gib, bandwidth_gbs=bandwidth, unified=True,
                        label=first.name)
    devices = [GpuShare(g.name + ("" if g.free_gib is None else f" ({g.free_gib:.3g} GiB free of {g.total_gib:.3g})"),
                        g.total_gib if g.free_gib is None else g.free_gib, _bandwidth(table, g.name))
               for g in found.gpus]
    return mixed_hardware(devices, ram_gib=found.ram_gib)


def _bandwidth(table: dict[str, Any] | None, name: str) -> float | None:
    if not table:
        return None
    try:
        return find_gpu(table, name).bandwidth_gbs
    except Exception:  # an unknown or ambiguous name: no speed estimate, not an error
        return None


def resolve(*, vram_gib: float | None = None, gpus: int | None = None, gpu: str | None = None,
            ram_gib: float | None = None, cpu_only: bool = False, auto: bool = False,
            gpu_files: list[Path] = (), detector: Callable[[], Any] | None = None) -> Hardware:
    """Hardware from flags: --gpu NAME, --vram GiB, --cpu-only, or detection (--auto, or no flag at all)."""
    check_flags(vram_gib=vram_gib, gpu=gpu, cpu_only=cpu_only)
    if gpus is not None and not 1 <= gpus <= MAX_GPUS:
        raise UsageError(f"--gpus must be between 1 and {MAX_GPUS}, not {gpus}")
    if gpu:
        return replace(hardware_for_gpu(load_gpus(list(gpu_files)), gpu, gpus), ram_gib=ram_gib)
    if vram_gib:
        split = f"tensor split across {gpus} GPUs" if gpus and gpus > 1 else ""
        return Hardware(vram_gib=vram_gib, gpus=gpus or 1, ram_gib=ram_gib, split=split)
    if cpu_only and ram_gib:
        return Hardware(ram_gib=ram_gib, cpu_only=True)
    found = hardware_from_detection((detector or detect)(), load_gpus(list(gpu_files)) if gpu_files else {})
    if cpu_only:
        return Hardware(ram_gib=ram_gib or found.ram_gib, cpu_only=True, label="detected CPU")
    if ram_gib and found.cpu_only:
        return Hardware(ram_gib=ram_gib, cpu_only=True)
    return replace(found, ram_gib=ram_gib) if ram_gib else found
