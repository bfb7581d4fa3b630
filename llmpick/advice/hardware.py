"""What the user has to run a model on: lookup in the GPU table (read by catalog/gpus.py), --gpu parsing (one GPU,
N of one, or a mixed set), and the Hardware the advisor fits models into. Detection is advice/detect.py."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..catalog.gpus import OS_RESERVE_GIB, Gpu
from ..catalog.gpus import apple_gpu_share as apple_gpu_share  # re-exported: detection and callers find it here
from ..catalog.gpus import load_gpus as load_gpus
from ..core.errors import NotFoundError, UsageError, shown


@dataclass(frozen=True)
class GpuShare:
    """One GPU of a set: its name, the memory a model may use on it (GiB) and its bandwidth (GB/s, if known)."""

    name: str
    memory_gib: float
    bandwidth_gbs: float | None = None


@dataclass(frozen=True)
class Hardware:
    """Memory available for a model. GPU memory (GiB) is per device; `gpus` devices of that size, or the mixed set
    `devices`. `bandwidth_gbs` is the bandwidth one token's reads see: one GPU's, or the set's under `split`."""

    vram_gib: float | None = None
    gpus: int = 1
    bandwidth_gbs: float | None = None
    ram_gib: float | None = None
    cpu_only: bool = False
    label: str = ""
    unified: bool = False
    devices: tuple[GpuShare, ...] = ()
    split: str = ""

    @property
    def device(self) -> str:
        if self.cpu_only or self.vram_gib is None:
            return "cpu"
        return "apple" if self.unified else "gpu"

    @property
    def budget_gib(self) -> float | None:
        """Memory a model may use: all GPUs together, or RAM minus what the OS needs."""
        if self.device == "cpu":
            return None if self.ram_gib is None else max(self.ram_gib - OS_RESERVE_GIB, 0.0)
        if self.devices:
            return sum(d.memory_gib for d in self.devices)
        return (self.vram_gib or 0.0) * self.gpus

    def describe(self) -> str:
        if self.device == "cpu":
            if not self.ram_gib:
                return "CPU"
            return f"CPU with {round(self.ram_gib, 1):g} GiB RAM ({OS_RESERVE_GIB:g} GiB kept for the OS)"
        if self.devices:
            name = self.label or " + ".join(d.name for d in self.devices)
            text = f"{name} ({' + '.join(f'{d.memory_gib:g}' for d in self.devices)} GiB)"
        else:
            count = f"{self.gpus}x " if self.gpus > 1 else ""
            name = self.label or f"{round(self.vram_gib or 0, 1):g} GiB GPU"
            each = f" ({round(self.vram_gib or 0, 1):g} GiB each)" if self.label and self.gpus > 1 else ""
            text = f"{count}{name}{each}"
        return text + (f"; {self.split}" if self.split else "")


def tensor_split(devices: list[GpuShare]) -> tuple[float | None, str]:
    """The bandwidth a token sees when the weights are split across `devices` in proportion to their memory and
    every GPU reads its share at once (vLLM's tensor parallelism, llama.cpp's --split-mode row): the token is done
    when the slowest share is, so the set reads at min(bandwidth_i * total / memory_i). And what that assumed."""
    total = sum(d.memory_gib for d in devices)
    shares = ":".join(f"{d.memory_gib / total * 100:.0f}" for d in devices)
    if any(d.bandwidth_gbs is None for d in devices):
        return None, f"tensor split by memory ({shares}%); speed unknown without every GPU's bandwidth"
    slowest = min(devices, key=lambda d: d.bandwidth_gbs * total / d.memory_gib)  # type: ignore[operator]
    bandwidth = slowest.bandwidth_gbs * total / slowest.memory_gib  # type: ignore[operator]
    if len({(d.memory_gib, d.bandwidth_gbs) for d in devices}) == 1:
        why = f"tensor split across {len(devices)} GPUs: {bandwidth:g} GB/s together, an upper bound"
    else:
        why = f"tensor split by memory ({shares}%): speed bound by the {slowest.name}'s share, {bandwidth:g} GB/s"
    return bandwidth, why + " (llama.cpp's default layer split runs the GPUs in turn, about one GPU's speed)"


def _norm(text: str) -> str:
    text = text.lower().replace("gib", "gb")
    for word in ("nvidia", "geforce", "amd", "radeon", "apple", "tesla"):
        text = text.replace(word, "")
    return re.sub(r"[^a-z0-9]", "", text)


# a name ending in its memory size: 'V100 16GB', 'm3-max-36gb', 'Apple M2 (8GB)'
_SIZED = re.compile(r"(.*?\D)\s*\(?(\d+(?:\.\d+)?)\s*gi?b\)?\s*", flags=re.IGNORECASE)


def _index(table: dict[str, Gpu]) -> tuple[dict[str, list[Gpu]], dict[str, list[Gpu]]]:
    """Normalised name -> the GPUs it names: each id, name and alias, alone and followed by the memory size
    ('4090 24gb', 'm3 max 36gb'). A key naming several GPUs (an Apple chip in each memory size) is ambiguous.
    And the family index: each sized key without its size ('v100' for 'v100 16gb'), to say which sizes exist."""
    index: dict[str, list[Gpu]] = {}
    families: dict[str, list[Gpu]] = {}
    for gpu in table.values():
        for key in {_norm(k) for k in (gpu.id, gpu.name, *gpu.aliases)}:
            for variant in (key, f"{key}{gpu.memory_gib:g}gb"):
                _add(index, variant, gpu)
        for text in (gpu.id, gpu.name, *gpu.aliases):
            if sized := _SIZED.fullmatch(text):
                _add(families, _norm(sized.group(1)), gpu)
    return index, families


def _add(index: dict[str, list[Gpu]], key: str, gpu: Gpu) -> None:
    found = index.setdefault(key, [])
    if gpu not in found:
        found.append(gpu)


def _lookup(index: dict[str, list[Gpu]], wanted: str) -> list[Gpu]:
    """The GPUs a normalised name names: an exact key, else every key ending in it ('5090' for 'rtx5090')."""
    return index.get(wanted) or _keyed(index, lambda key: bool(wanted) and key.endswith(wanted))


def _keyed(index: dict[str, list[Gpu]], keep: Callable[[str], bool]) -> list[Gpu]:
    """Each GPU once, of the keys `keep` accepts, in the index's order."""
    return list({g.id: g for key, gs in index.items() if keep(key) for g in gs}.values())


def _sizes(gpus: list[Gpu]) -> str:
    return ", ".join(f"{s:g}" for s in sorted({g.memory_gib for g in gpus}))


def find_gpu(table: dict[str, Gpu], name: str) -> Gpu:
    """Forgiving lookup: 'RTX 4090', 'rtx4090', 'geforce rtx 4090', '4090', '4090 24gb', 'M3 Max 36GB'."""
    wanted = _norm(name)
    index, families = _index(table)
    hits = _lookup(index, wanted)
    if len(hits) == 1 and hits[0].vendor == "apple" and not wanted.endswith(f"{hits[0].memory_gib:g}gb"):
        # a chip named without its memory: the table may hold only some of the sizes it is sold in
        raise UsageError(f"{shown(name)} is sold with several memory sizes; the GPU table has {hits[0].name}",
                         f"say which, e.g. \"{name} {hits[0].memory_gib:g}GB\", or give --vram and --mem-bandwidth")
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        sizes = sorted({g.memory_gib for g in hits})
        if len(sizes) == len(hits):
            raise UsageError(f"{shown(name)} comes in {_sizes(hits)} GiB in the GPU table",
                             f"say which, e.g. \"{name} {sizes[0]:g}GB\"")
        raise UsageError(f"{shown(name)} names several GPUs: {', '.join(g.name for g in hits[:4])}",
                         "give the full name")
    if family := _lookup(families, wanted):  # 'V100' where the table has only 'V100 16GB'
        raise UsageError(f"{shown(name)} is sold with several memory sizes; the GPU table has "
                         f"{', '.join(g.name for g in family[:4])}",
                         f"say which, e.g. \"{name} {family[0].memory_gib:g}GB\", or give --vram and --mem-bandwidth")
    sized = _SIZED.fullmatch(name)
    base = _norm(sized.group(1)) if sized else ""
    if base and (known := _lookup(index, base) or _lookup(families, base)):  # 'M3 Max 32GB', a size not in the table
        raise UsageError(f"{shown(name)}: the GPU table has {shown(sized.group(1).strip())} with {_sizes(known)} GiB "
                         "only", "give --vram and --mem-bandwidth for another size")
    # 'H100' for 'H100 SXM 80GB' and 'H100 PCIe 80GB'
    starting = _keyed(index, lambda key: len(wanted) >= 3 and key.startswith(wanted))
    if len(starting) > 1:
        raise UsageError(f"{shown(name)} names several GPUs: {', '.join(g.name for g in starting[:4])}",
                         f"give the full name, e.g. \"{starting[0].name}\"")
    from ..core.errors import suggest

    close = [g.name for g in starting] + [index[key][0].name for key in suggest(wanted, list(index))]
    raise NotFoundError("GPU", name, list(dict.fromkeys(close))[:3])


# '+' joins GPUs of a set, except in a name such as "Ryzen AI Max+ 395"
_PLUS = re.compile(r"(?<![Mm][Aa][Xx])\+")


def parse_gpu_spec(spec: str) -> list[tuple[int, str]]:
    """'2x RTX 3090' -> [(2, 'RTX 3090')]; 'RTX 3090 + RTX 3060' -> [(1, 'RTX 3090'), (1, 'RTX 3060')]."""
    parts = [part.strip() for part in _PLUS.split(spec)]
    if not all(parts):
        raise UsageError(f"--gpu {shown(spec)}: a GPU name is missing around '+'", 'write e.g. "RTX 3090 + RTX 3060"')
    result = []
    for part in parts:
        match = re.fullmatch(r"(\d+)\s*[x×*]\s*(.+)", part, flags=re.IGNORECASE)
        count, name = (int(match.group(1)), match.group(2).strip()) if match else (1, part)
        if not 1 <= count <= MAX_GPUS:
            raise UsageError(f"--gpu {shown(spec)}: GPU count must be between 1 and {MAX_GPUS}")
        result.append((count, name))
    if sum(count for count, _ in result) > MAX_GPUS:
        raise UsageError(f"--gpu {shown(spec)}: more than {MAX_GPUS} GPUs")
    return result


MAX_GPUS = 64


def hardware_for_gpu(table: dict[str, Gpu], spec: str, gpus: int | None = None) -> Hardware:
    """The hardware a --gpu spec names; `gpus` (--gpus N) sets the count of a single kind."""
    parts = parse_gpu_spec(spec)
    if gpus is not None and len(parts) > 1:
        raise UsageError("--gpus gives the count of one kind of GPU", f'drop it, or write counts in --gpu: "{spec}"')
    kinds = [(count, find_gpu(table, name)) for count, name in parts]
    if any(gpu.kind == "unified" for _, gpu in kinds) and (len(kinds) > 1 or kinds[0][0] > 1 or (gpus or 1) > 1):
        raise UsageError(f"--gpu {shown(spec)}: a unified-memory machine is one device", "name it alone")
    if len(kinds) == 1:
        count, gpu = kinds[0]
        count = gpus or count
        bandwidth, split = gpu.bandwidth_gbs, ""
        if count > 1:
            bandwidth, split = tensor_split([GpuShare(gpu.name, gpu.usable_memory_gib, gpu.bandwidth_gbs)] * count)
        return Hardware(vram_gib=gpu.usable_memory_gib, gpus=count, bandwidth_gbs=bandwidth, label=gpu.name,
                        unified=gpu.kind == "unified", split=split)
    devices = [GpuShare(gpu.name, gpu.usable_memory_gib, gpu.bandwidth_gbs)
               for count, gpu in kinds for _ in range(count)]
    return mixed_hardware(devices)


def mixed_hardware(devices: list[GpuShare], label: str = "", ram_gib: float | None = None) -> Hardware:
    """GPUs of different kinds (or sizes) in one machine, split by memory."""
    if len(devices) == 1:
        only = devices[0]
        return Hardware(vram_gib=only.memory_gib, bandwidth_gbs=only.bandwidth_gbs, ram_gib=ram_gib,
                        label=label or only.name)
    bandwidth, split = tensor_split(devices)
    label = label or " + ".join(f"{n}x {name}" if n > 1 else name
                                for name, n in _counted([d.name for d in devices]))
    return Hardware(vram_gib=min(d.memory_gib for d in devices), gpus=len(devices), bandwidth_gbs=bandwidth,
                    ram_gib=ram_gib, label=label, devices=tuple(devices), split=split)


def _counted(names: list[str]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return list(counts.items())


def plausible(value: float | None, limit: float) -> bool:
    """A size a driver or tool reported that can be used: a finite number above 0 and at most `limit`."""
    return value is not None and not isinstance(value, bool) and math.isfinite(value) and 0 < value <= limit


def check_flags(*, vram_gib: float | None, gpu: str | None, cpu_only: bool) -> None:
    """Hardware flags that contradict each other; raises UsageError."""
    if cpu_only and (gpu or vram_gib):
        raise UsageError("--cpu-only contradicts --gpu/--vram", "drop one of them")
    if gpu and vram_gib:
        raise UsageError("--gpu and --vram both give GPU memory", "use one of them")
