"""The card field `runtimes`: the published artefacts that run a model (Ollama tags, GGUF files, MLX and vLLM repos),
and the checks that tie them to the card's aliases and sources. docs/cards.md documents the field."""

from __future__ import annotations

import re
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..core.parse import no_bool_for_number

HF_REPO = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9][A-Za-z0-9_.\-]*$"
# an Ollama library name with an optional tag: qwen3, qwen3:14b, qwen3:14b-q8_0 (the library namespace only)
OLLAMA_NAME = r"^[a-z0-9][a-z0-9._\-]*(:[A-Za-z0-9][A-Za-z0-9._\-]*)?$"
GGUF_FILE = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*(/[A-Za-z0-9][A-Za-z0-9_.\-]*)*\.gguf$"
MAX_GB = 100_000

# The quantizations a GGUF file (and so an Ollama tag) can hold: llama.cpp's types among llmpick's vocabulary
# (advice/quants.QUANTS), plus the 16-bit formats and MXFP4 (gpt-oss)
GGUF_FORMATS = ("bf16", "fp16", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0", "q3_k_m", "q2_k", "mxfp4")
GgufFormat = Literal[GGUF_FORMATS]  # type: ignore[valid-type]
MLX_BITS = (3, 4, 5, 6, 8, 16)  # mlx-community repos: -3bit ... -8bit, -bf16

HfRepo = Annotated[str, Field(pattern=HF_REPO, max_length=200)]
OllamaName = Annotated[str, Field(pattern=OLLAMA_NAME, max_length=200)]
SizeGb = Annotated[float, Field(gt=0, le=MAX_GB, allow_inf_nan=False)]


def file_tag(quant: str) -> str:
    """The quantization's name in GGUF file names and in llama.cpp's `-hf REPO:TAG`: Q4_K_M, Q8_0, F16, BF16."""
    return "F16" if quant == "fp16" else quant.upper()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    _no_bool_for_number = field_validator("*", mode="before")(no_bool_for_number)


class Ollama(_Strict):
    """An Ollama library model: the tag `ollama run` takes by default, and the tag of each quantization."""

    tag: OllamaName
    quants: dict[GgufFormat, OllamaName] = {}

    @property
    def name(self) -> str:
        return self.tag.split(":")[0]

    @model_validator(mode="after")
    def _one_library_name(self) -> Ollama:
        others = sorted({t for t in self.quants.values() if t.split(":")[0] != self.name})
        if others:
            raise ValueError(f"tags of another library model than {self.name!r}: {', '.join(others)}")
        return self

    def quant_of(self, tag: str) -> str | None:
        return next((q for q, t in self.quants.items() if t == tag), None)


class GgufFile(_Strict):
    file: Annotated[str, Field(pattern=GGUF_FILE, max_length=300)]  # the first shard of a split file
    size_gb: SizeGb | None = None  # as the Hub's file list publishes it (GB of 10**9 bytes; all shards together)


class Gguf(_Strict):
    repo: HfRepo
    files: Annotated[dict[GgufFormat, GgufFile], Field(min_length=1)]

    @model_validator(mode="after")
    def _names_match(self) -> Gguf:
        for quant, entry in self.files.items():
            tag = file_tag(quant)
            name = re.sub(r"[-.]", "_", entry.file.rsplit("/", 1)[-1].upper())
            if not re.search(rf"(^|[^A-Z0-9]){tag}([^A-Z0-9]|$)", name):
                raise ValueError(f"files.{quant}: {entry.file} does not name {tag} (llama-server -hf "
                                 f"{self.repo}:{tag} would not find it)")
        return self


class Mlx(_Strict):
    repo: HfRepo
    bits: Literal[MLX_BITS]  # type: ignore[valid-type]
    size_gb: SizeGb | None = None  # GB of 10**9 bytes, as the Hub lists the repo's files


class Vllm(_Strict):
    repo: HfRepo | None = None  # default: the card's first hf_repos entry
    quant: Literal["bf16", "fp16", "fp8", "mxfp4", "nvfp4", "awq-4bit", "gptq-4bit", "int4-qat"] | None = None
    # default: the architecture's native_precision, else bf16


class Runtimes(_Strict):
    """What the card's author found published; a kind left out (or empty) means none was published when the card
    was verified."""

    ollama: Ollama | None = None
    gguf: list[Gguf] = []
    mlx: list[Mlx] = []
    vllm: Vllm | None = None


class Card(Protocol):
    """What the checks read of a card (catalog/cards.Card, which imports this module)."""

    @property
    def runtimes(self) -> Runtimes | None: ...
    @property
    def sources(self) -> list[str]: ...
    @property
    def hf_repos(self) -> list[str]: ...
    @property
    def aliases(self) -> list[str]: ...


def hf_page(repo: str) -> str:
    return f"https://huggingface.co/{repo}"


def ollama_page(name: str) -> str:
    return f"https://ollama.com/library/{name}"


def source_for(card: Card, page: str) -> str | None:
    """The card's source that is `page` or a page under it (…/tags, …/tree/main), if any."""
    return next((url for url in card.sources if url.rstrip("/") == page or url.startswith(page + "/")
                 or url.startswith(page + "?")), None)


def vllm_repo(card: Card) -> str | None:
    runtimes = card.runtimes
    if runtimes is None or runtimes.vllm is None:
        return None
    return runtimes.vllm.repo or (card.hf_repos[0] if card.hf_repos else None)


def runtime_problems(card: Card) -> list[tuple[tuple[str | int, ...], str]]:
    """(location in the card, message) for each runtimes entry its aliases or sources do not support."""
    runtimes = card.runtimes
    if runtimes is None:
        return []
    problems: list[tuple[tuple[str | int, ...], str]] = []

    def needs(loc: tuple[str | int, ...], page: str, what: str) -> None:
        if source_for(card, page) is None:
            problems.append((loc, f"{what}: add its page {page} to sources"))

    if runtimes.ollama is not None:
        ollama = runtimes.ollama
        listed = [alias for alias in card.aliases if ":" in alias]
        if listed and ollama.tag not in card.aliases:
            problems.append((("runtimes", "ollama", "tag"), f"{ollama.tag} is not among the card's Ollama aliases "
                             f"({', '.join(listed)})"))
        needs(("runtimes", "ollama"), ollama_page(ollama.name), f"Ollama model {ollama.name}")
    for index, gguf in enumerate(runtimes.gguf):
        needs(("runtimes", "gguf", index, "repo"), hf_page(gguf.repo), f"GGUF repo {gguf.repo}")
    for index, mlx in enumerate(runtimes.mlx):
        needs(("runtimes", "mlx", index, "repo"), hf_page(mlx.repo), f"MLX repo {mlx.repo}")
    if runtimes.vllm is not None:
        repo = vllm_repo(card)
        if repo is None:
            problems.append((("runtimes", "vllm"), "give repo: the card has no hf_repos to default to"))
        else:
            needs(("runtimes", "vllm"), hf_page(repo), f"vLLM repo {repo}")
    return problems
