"""The GPU table (gpus.yaml): one entry per GPU or Apple chip, its memory and bandwidth; read from every catalog
layer, where a later layer's entry for a known id must say `override: true`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from ..core.errors import CatalogError, Problem, validation_message
from .cards import SLUG, Strict, Url
from .overrides import Override, Registry

OS_RESERVE_GIB = 2.0  # RAM left to the operating system and other programs for CPU inference
# macOS lets the GPU wire about 2/3 of unified memory up to 36 GiB and 3/4 above (Metal's recommendedMaxWorkingSetSize;
# sources in catalog/gpus.yaml); `sysctl iogpu.wired_limit_mb` changes it, and detection reads it
APPLE_GPU_SHARE_SMALL, APPLE_GPU_SHARE_LARGE, APPLE_SHARE_THRESHOLD_GIB = 2 / 3, 3 / 4, 36


class Gpu(Strict):
    """One entry of gpus.yaml. memory_gib is GiB (2^30 bytes) per device; bandwidth_gbs is decimal GB/s (10^9 bytes/s),
    as vendors state both."""

    id: Annotated[str, Field(pattern=SLUG)]
    name: str
    vendor: Literal["nvidia", "amd", "apple", "intel"]
    kind: Literal["discrete", "unified"]
    memory_gib: Annotated[float, Field(gt=0, le=4096)]
    bandwidth_gbs: Annotated[float, Field(gt=0, le=100_000)]
    usable_gib: Annotated[float, Field(gt=0)] | None = None  # unified memory the GPU may use, where the vendor says
    aliases: list[str] = []
    source: Url
    override: bool = False  # replaces an entry of the same id in an earlier catalog (the built-in table)

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        if isinstance(data, dict) and "memory_gb" in data:
            raise ValueError("memory_gb is now memory_gib: GiB (2^30 bytes) per device, the unit GPU memory is sold in")
        return data

    @model_validator(mode="after")
    def _usable_fits(self) -> Gpu:
        if self.usable_gib is not None and self.usable_gib > self.memory_gib:
            raise ValueError(f"usable_gib {self.usable_gib:g} is more than memory_gib {self.memory_gib:g}")
        return self

    @property
    def usable_memory_gib(self) -> float:
        """What a model may use: all of a discrete GPU; macOS's default GPU share of Apple unified memory; the
        vendor's figure or all but the OS reserve of other unified memory."""
        if self.kind == "discrete":
            return self.memory_gib
        if self.usable_gib is not None:
            return self.usable_gib
        if self.vendor == "apple":
            return self.memory_gib * apple_gpu_share(self.memory_gib)
        return max(self.memory_gib - OS_RESERVE_GIB, 0.0)


def apple_gpu_share(memory_gib: float) -> float:
    return APPLE_GPU_SHARE_SMALL if memory_gib <= APPLE_SHARE_THRESHOLD_GIB else APPLE_GPU_SHARE_LARGE


def read_gpus(paths: list[Path]) -> tuple[dict[str, Gpu], list[Problem], list[Override]]:
    """The GPU table from `paths` in order (the built-in gpus.yaml first), every problem found in them, and the
    entries that replace an earlier file's."""
    from pydantic import ValidationError

    from ..core.yamlio import YamlProblem, line_of, load_file

    table: dict[str, Gpu] = {}
    registry = Registry("gpu")
    for path in paths:
        try:
            data, text = load_file(path)
        except YamlProblem as exc:
            registry.problems.append(exc.problem)
            continue
        if data is not None and not isinstance(data, list):
            registry.problems.append(Problem(path, 1, None, "the GPU table must be a list of entries"))
            continue
        for index, entry in enumerate(data or []):
            try:
                gpu = Gpu.model_validate(entry)
            except ValidationError as exc:
                registry.problems.extend(
                    Problem(path, line_of(text, (index, *e["loc"])), ".".join(map(str, (index, *e["loc"]))),
                            validation_message(e, list(Gpu.model_fields))) for e in exc.errors(include_url=False))
                continue
            if registry.add(gpu.id, gpu.override, path, text, index):
                table[gpu.id] = gpu
    return table, registry.problems, registry.overrides


def load_gpus(paths: list[Path]) -> dict[str, Gpu]:
    """The GPU table from `paths`; CatalogError listing every problem in them."""
    table, problems, _ = read_gpus(paths)
    if problems:
        raise CatalogError(problems)
    return table
