"""The Requirements model: what the user needs (from flags or a profile), its field checks and contradictions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ..core import vocab
from ..core.errors import UsageError, shown, unknown_choice
from ..core.parse import no_bool_for_number
from .hardware import check_flags
from .memory import kv_type
from .quants import PRECISION_ORDER, QUANTS
from .weights import DEFAULT_WEIGHTS, PREFER, Component

DEFAULT_QUANTS = ("fp16", "q8_0", "q4_k_m")
DEFAULT_CONTEXT = 4096

CONSTRAINT_LABELS = {
    "commercial": "commercial use", "strict_license": "unconditional commercial license", "licenses": "license",
    "exclude_licenses": "not license", "no_provenance_risk": "no provenance risk", "languages": "languages",
    "tasks": "tasks", "modalities": "modalities", "context": "context", "min_context": "context at least",
    "min_params": "params at least (B)", "max_params": "params at most (B)", "open_weights": "open weights",
    "fully_open": "fully open", "families": "family", "released_after": "released after", "region": "region",
}


class Requirements(BaseModel):
    """What the user needs. Built from flags or a profile file (flags win)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    commercial: bool = False
    strict_license: bool = False
    licenses: list[str] = []
    exclude_licenses: list[str] = []
    no_provenance_risk: bool = False
    region: str | None = None  # where the licensee is: ISO 3166-1 alpha-2 or EU
    vram_gib: Annotated[float, Field(gt=0, le=10_000)] | None = None
    gpus: Annotated[int, Field(ge=1, le=64)] = 1
    gpu: str | None = None
    ram_gib: Annotated[float, Field(gt=0, le=100_000)] | None = None
    cpu_only: bool = False
    auto: bool = False
    quants: list[str] = list(DEFAULT_QUANTS)
    context: Annotated[int, Field(gt=0, le=10_000_000)] = DEFAULT_CONTEXT
    kv_type: str = "fp16"  # KV cache element type (--kv-type f16, q8_0, q4_0)
    parallel: Annotated[int, Field(ge=1, le=4096)] = 1  # sequences served at once, each with its own cache
    headroom_gib: Annotated[float, Field(ge=0)] = 0.0
    min_speed: Annotated[float, Field(gt=0, le=100_000)] | None = None  # tokens/s that count as fast enough
    mem_bandwidth_gbs: Annotated[float, Field(gt=0, le=100_000)] | None = None  # for CPUs and unnamed GPUs
    allow_offload: bool = False  # split models between GPU and RAM even when others fit the GPU whole
    ram_bandwidth_gbs: Annotated[float, Field(gt=0, le=100_000)] | None = None  # RAM side of a GPU+RAM split
    languages: list[str] = []
    tasks: list[str] = []
    modalities: list[str] = []
    min_context: Annotated[int, Field(gt=0)] | None = None
    min_params: Annotated[float, Field(ge=0)] | None = None
    max_params: Annotated[float, Field(gt=0)] | None = None
    open_weights: bool = False
    fully_open: bool = False
    families: list[str] = []
    released_after: dt.date | None = None
    prefer: list[Literal["quality", "speed", "context", "license"]] = []
    weights: dict[Component, Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]] = {}
    top: Annotated[int, Field(ge=1)] = 10

    _no_bool_for_number = field_validator("*", mode="before")(no_bool_for_number)

    @field_validator("weights")
    @classmethod
    def _something_weighs(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        merged = dict(DEFAULT_WEIGHTS)
        for preset in info.data.get("prefer", []):
            merged.update(PREFER[preset])
        merged.update(value)
        if value and not any(merged.values()):
            raise ValueError("every score component weighs 0, so nothing could rank the models; give one a weight "
                             "above 0")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        codes = []
        for item in value:
            code = vocab.language_code(item)
            if code is None and "-" in item.replace("_", "-"):  # a BCP-47 tag: zh-CN, zh_Hans, pt-BR -> its language
                code = vocab.language_code(item.replace("_", "-").split("-", 1)[0])
            if code is None:
                names = [*vocab.LANGUAGES, *(n.lower() for n in vocab.LANGUAGES.values())]
                raise ValueError(unknown_choice("language", item, names, "use an ISO 639-1 code such as zh"))
            codes.append(code)
        return codes

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = vocab.region_code(value)
        if code is None:
            # no "did you mean": two-letter codes are all close to each other
            raise ValueError(f"unknown region {shown(value)}; use an ISO 3166-1 alpha-2 country code such as DE, "
                             "GB or KR, or EU")
        return code

    @field_validator("tasks")
    @classmethod
    def _tasks(cls, value: list[str]) -> list[str]:
        for task in value:
            if task not in vocab.TASKS:
                raise ValueError(unknown_choice("task", task, vocab.TASKS, f"choose from {', '.join(vocab.TASKS)}"))
        return value

    @field_validator("modalities")
    @classmethod
    def _modalities(cls, value: list[str]) -> list[str]:
        for modality in value:
            if modality not in vocab.MODALITIES:
                raise ValueError(unknown_choice("modality", modality, vocab.MODALITIES,
                                                f"choose from {', '.join(vocab.MODALITIES)}"))
        return value

    @field_validator("kv_type")
    @classmethod
    def _kv_type(cls, value: str) -> str:
        try:
            return kv_type(value)
        except UsageError as exc:
            raise ValueError(f"{exc} ({exc.hint})" if exc.hint else str(exc)) from None

    @field_validator("quants")
    @classmethod
    def _quants(cls, value: list[str]) -> list[str]:
        out = []
        for q in value:
            key = q.lower()
            if key not in QUANTS:
                raise ValueError(unknown_choice("quantization", q, list(QUANTS), f"choose from {', '.join(QUANTS)}"))
            out.append(key)
        return sorted(set(out), key=PRECISION_ORDER.index)

    def given(self) -> list[str]:
        """The model constraints the user stated, as short phrases ("commercial use", "languages zh")."""
        phrases = []
        for name, label in CONSTRAINT_LABELS.items():
            value = getattr(self, name)
            if name not in self.model_fields_set or value in (None, False, []):
                continue
            shown = ",".join(map(str, value)) if isinstance(value, list) else value
            phrases.append(label if value is True else f"{label} {shown}")
        return phrases

    def check(self) -> None:
        """Contradictions between fields; raises UsageError."""
        check_flags(vram_gib=self.vram_gib, gpu=self.gpu, cpu_only=self.cpu_only)
        if self.min_params and self.max_params and self.min_params > self.max_params:
            raise UsageError(f"--min-params {self.min_params:g} is above --max-params {self.max_params:g}")

