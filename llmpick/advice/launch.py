"""How to run a pick: the Ollama, llama.cpp (llama-server), LM Studio (lms), vLLM, SGLang and MLX command for one model
at one setting on one machine, from the artefacts its card records (catalog/artefacts.py). docs/running.md explains
each choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..catalog.artefacts import Gguf, file_tag, hf_page, ollama_page, source_for, vllm_repo
from ..catalog.cards import Card
from .hardware import Hardware
from .memory import Estimate, estimate
from .quants import QUANTS

ALL_LAYERS = 99  # llama.cpp's idiom for "every layer on the GPU" (-ngl 99); more when a model has more layers
OLLAMA_CONTEXT = 4096  # Ollama's default context window; a larger one is set on the server
VLLM_KV = {"q8_0": "fp8"}  # --kv-type -> vLLM's --kv-cache-dtype (8-bit to 8-bit; vLLM has no 4-bit KV cache)
SGLANG_KV = {"q8_0": "fp8_e4m3"}  # --kv-type -> SGLang's --kv-cache-dtype (e4m3: vLLM's fp8 default too)
# the order is the order of preference for the one line to copy: LM Studio and SGLang run the same artefacts as
# llama.cpp and vLLM, so they never come first
RUNTIMES = ("ollama", "llama.cpp", "lmstudio", "vllm", "sglang", "mlx")


@dataclass(frozen=True)
class Artefact:
    """A published file or repository: what a command downloads."""

    repo: str
    source: str
    file: str | None = None
    size_gb: float | None = None  # GB of 10**9 bytes, as published

    def data(self) -> dict[str, Any]:
        return {"repo": self.repo, "file": self.file,
                "size_bytes": None if self.size_gb is None else round(self.size_gb * 1e9), "source": self.source}

    def text(self) -> str:
        size = "" if self.size_gb is None else f", {self.size_gb:.2f} GB"
        return f"{self.file or self.repo}{size} ({self.source})"


@dataclass(frozen=True)
class Run:
    """One runtime's way to run the pick: the command, or why there is none (`note`)."""

    runtime: str  # one of RUNTIMES
    command: str | None
    note: str = ""
    artefact: Artefact | None = None
    setup: str | None = None  # a command to run first (the Ollama server with a larger context)

    def data(self) -> dict[str, Any]:
        return {"command": self.command, "setup": self.setup, "note": self.note or None,
                "artefact": None if self.artefact is None else self.artefact.data()}


@dataclass(frozen=True)
class RunPlan:
    model: str
    quant: str
    context: int
    runs: tuple[Run, ...]

    @property
    def best(self) -> Run | None:
        """The one line to copy: the first runtime with a command (Ollama before llama.cpp before vLLM and MLX)."""
        return next((run for run in self.runs if run.command), None)

    def data(self) -> dict[str, Any]:
        return {"quant": self.quant, "context": self.context,
                **{run.runtime.replace(".", "_"): run.data() for run in self.runs}}

    def lines(self, indent: str = "  ") -> list[str]:
        width = max(len(run.runtime) for run in self.runs) + 1 if self.runs else 0
        out = []
        shown: set[Artefact] = set()  # LM Studio downloads llama.cpp's file: named once
        for run in self.runs:
            head = f"{indent}{run.runtime + ':':<{width}} "
            if run.setup:
                out.append(f"{head}{run.setup}")
                head = " " * len(head)
            out.append(f"{head}{run.command or run.note}")
            pad = " " * len(head)
            if run.command and run.artefact and run.artefact.file and run.artefact not in shown:
                shown.add(run.artefact)
                out.append(f"{pad}{run.artefact.text()}")
            if run.command and run.note:
                out.append(f"{pad}{run.note}")
        return out


SIXTEEN_BIT = ("bf16", "fp16")


def lookup(mapping: dict[str, Any], quant: str) -> tuple[str, Any] | None:
    """(key, value) of `mapping` for `quant`; a 16-bit pick takes either 16-bit format (same size, same speed)."""
    for key in (quant, *(q for q in SIXTEEN_BIT if q != quant)) if quant in SIXTEEN_BIT else (quant,):
        if key in mapping:
            return key, mapping[key]
    return None


def mlx_bits(quant: str) -> int:
    """The MLX precision closest to `quant`: 16 for 16-bit formats, else its whole bits per weight (q4_k_m: 4)."""
    bits = QUANTS[quant].bits
    return 16 if bits >= 16 else 8 if bits >= 8 else int(bits)


def plan(card: Card, est: Estimate, hardware: Hardware | None) -> RunPlan:
    """The commands that run `card` at the estimate's quantization, context and KV cache type on `hardware`
    (None: no machine given; every runtime is listed, llama.cpp with all layers on a GPU)."""
    device = hardware.device if hardware is not None else None
    runs = [_ollama(card, est), _llama_cpp(card, est, device), _lmstudio(card, est, device)]
    if device in ("gpu", None):
        runs += _gpu_servers(card, est, hardware)
    if device in ("apple", None):
        runs.append(_mlx(card, est))
    return RunPlan(card.id, est.quant, est.context, tuple(runs))


def _none(what: str) -> str:
    """Why there is no artefact: none is recorded in the card (an artefact is recorded once its page was read, so one
    may exist that nobody verified)."""
    return f"no {what} recorded in the card"


def _ollama(card: Card, est: Estimate) -> Run:
    ollama = card.runtimes.ollama if card.runtimes else None
    if ollama is None:
        return Run("ollama", None, _none("Ollama library model"))
    found = lookup(ollama.quants, est.quant)
    tag = found[1] if found else None
    source = source_for(card, ollama_page(ollama.name)) or ollama_page(ollama.name)
    note = "" if found is None or found[0] == est.quant else f"{found[0]} weights"
    default = ollama.quant_of(ollama.tag)
    if tag is None and default is None:
        tag, note = ollama.tag, f"the tag's default quantization (not recorded); the pick is {est.quant}"
    if tag is None:
        listed = ", ".join(f"{q} {t}" for q, t in ollama.quants.items()) or f"{ollama.tag}, quantization not recorded"
        why = f" (ollama run {ollama.tag} is {default})" if default else ""
        return Run("ollama", None, f"no Ollama tag recorded at {est.quant}{why}; tags: {listed}")
    settings = []
    if est.context > OLLAMA_CONTEXT:
        settings.append(f"OLLAMA_CONTEXT_LENGTH={est.context}")
    if est.kv_dtype in ("q8_0", "q4_0"):
        settings += ["OLLAMA_FLASH_ATTENTION=1", f"OLLAMA_KV_CACHE_TYPE={est.kv_dtype}"]
    if est.batch > 1:
        settings.append(f"OLLAMA_NUM_PARALLEL={est.batch}")
    setup = f"{' '.join(settings)} ollama serve" if settings else None
    return Run("ollama", f"ollama run {tag}", note, Artefact(ollama.name, source), setup)


def _gguf_file(card: Card, quant: str) -> tuple[Gguf, str, Any] | None:
    for repo in card.runtimes.gguf if card.runtimes else []:
        found = lookup(repo.files, quant)
        if found is not None:
            return repo, *found
    return None


def _layers_flag(card: Card, est: Estimate, device: str | None) -> str:
    if device == "cpu":
        return "-ngl 0"
    if est.offload is not None:
        return f"-ngl {est.offload.gpu_layers}"
    return f"-ngl {max(ALL_LAYERS, (card.architecture.layers or 0) + 1)}"


def _no_gguf(card: Card, runtime: str, quant: str) -> Run:
    recorded = sorted({file_tag(q) for repo in (card.runtimes.gguf if card.runtimes else []) for q in repo.files})
    if recorded:
        return Run(runtime, None, f"no {file_tag(quant)} GGUF recorded; published: {', '.join(recorded)}")
    return Run(runtime, None, _none("GGUF"))


def _gguf_artefact(card: Card, repo: Gguf, entry: Any) -> Artefact:
    source = source_for(card, hf_page(repo.repo)) or hf_page(repo.repo)
    return Artefact(repo.repo, source, entry.file, entry.size_gb)


def _llama_cpp(card: Card, est: Estimate, device: str | None) -> Run:
    found = _gguf_file(card, est.quant)
    if found is None:
        return _no_gguf(card, "llama.cpp", est.quant)
    repo, quant, entry = found
    parts = [f"llama-server -hf {repo.repo}:{file_tag(quant)}", f"-c {est.context * est.batch}",
             _layers_flag(card, est, device)]
    if est.batch > 1:
        parts.append(f"-np {est.batch}")  # llama-server divides -c among its slots
    if est.kv_dtype in ("q8_0", "q4_0"):
        # a quantized V cache needs flash attention (llama.cpp fails to start without it: ggml-org/llama.cpp#28524)
        parts.append(f"-fa on --cache-type-k {est.kv_dtype} --cache-type-v {est.kv_dtype}")
    note = ""
    if est.offload is not None:
        note = (f"-ngl {est.offload.gpu_layers}: {est.offload.gpu_layers} of {est.offload.layers} layers on the GPU, "
                "the rest in system RAM")
    return Run("llama.cpp", " ".join(parts), note, _gguf_artefact(card, repo, entry))


def _lms_gpu(est: Estimate, device: str | None) -> str | None:
    """`lms load --gpu`: the share of layers on the GPU (off, max or 0-1); None lets LM Studio decide."""
    if device == "cpu":
        return "off"
    if est.offload is not None:
        return f"{int(est.offload.gpu_share * 100) / 100:g}"  # rounded down: never more layers than fit
    return "max" if device is not None else None


def _lmstudio(card: Card, est: Estimate, device: str | None) -> Run:
    """`lms get URL@QUANT` downloads the GGUF file into LM Studio's models folder (publisher/repo/file), and
    `lms load PATH` loads it; lms has no flag for the KV cache type or parallel requests."""
    found = _gguf_file(card, est.quant)
    if found is None:
        return _no_gguf(card, "lmstudio", est.quant)
    repo, quant, entry = found
    parts = [f"lms load {repo.repo}/{entry.file}", f"--context-length {est.context}"]
    gpu = _lms_gpu(est, device)
    if gpu is not None:
        parts.append(f"--gpu {gpu}")
    unset = [*(["a quantized KV cache"] if est.kv_dtype in ("q8_0", "q4_0") else []),
             *([f"{est.batch} parallel requests"] if est.batch > 1 else [])]
    note = f"lms load has no flag for {' or '.join(unset)}: set it in LM Studio's load settings" if unset else ""
    return Run("lmstudio", " ".join(parts), note, _gguf_artefact(card, repo, entry),
               f"lms get {hf_page(repo.repo)}@{file_tag(quant)}")


def _gpu_servers(card: Card, est: Estimate, hardware: Hardware | None) -> list[Run]:
    """vLLM's and SGLang's lines: both serve the same repo's own weights from GPU memory, split over N GPUs."""
    repo = vllm_repo(card)
    if repo is None:
        none = _none("vLLM repo")
        return [Run("vllm", None, none), Run("sglang", None, f"{none} (SGLang serves the same repo)")]
    vllm = card.runtimes.vllm  # type: ignore[union-attr]  # vllm_repo found one
    quant = vllm.quant or card.architecture.native_precision or "bf16"  # type: ignore[union-attr]
    source = source_for(card, hf_page(repo)) or hf_page(repo)
    artefact = Artefact(repo, source)
    if est.offload is not None:
        why = "runs a model from GPU memory only: not for a GPU+RAM split"
        return [Run("vllm", None, f"vLLM {why}", artefact), Run("sglang", None, f"SGLang {why}", artefact)]
    gpus = _tensor_parallel(card, quant, est, hardware)
    if gpus is None:
        need = estimate(card, quant, est.context, est.batch, est.kv_dtype).total_gib
        budget = hardware.budget_gib if hardware is not None else None
        why = f"{repo} ({quant}) needs {need:.1f} GiB, more than the {budget or 0:.1f} GiB here"
        return [Run("vllm", None, why, artefact), Run("sglang", None, why, artefact)]
    note = "" if quant == est.quant else f"serves {quant} weights, not {est.quant}"
    vllm_parts = [f"vllm serve {repo}", f"--max-model-len {est.context}"]
    sglang_parts = [f"python -m sglang.launch_server --model-path {repo}", f"--context-length {est.context}"]
    if gpus > 1:
        vllm_parts.append(f"--tensor-parallel-size {gpus}")
        sglang_parts.append(f"--tp {gpus}")
    if est.batch > 1:
        vllm_parts.append(f"--max-num-seqs {est.batch}")
        sglang_parts.append(f"--max-running-requests {est.batch}")
    if est.kv_dtype in VLLM_KV:
        vllm_parts.append(f"--kv-cache-dtype {VLLM_KV[est.kv_dtype]}")
        sglang_parts.append(f"--kv-cache-dtype {SGLANG_KV[est.kv_dtype]}")
    return [Run("vllm", " ".join(vllm_parts), note, artefact), Run("sglang", " ".join(sglang_parts), note, artefact)]


def _tensor_parallel(card: Card, quant: str, est: Estimate, hardware: Hardware | None) -> int | None:
    """The fewest GPUs (1, 2, 4, ...) whose memory holds the vLLM repo's weights and cache, and which split the
    attention heads evenly (vLLM's tensor parallelism); None when no such count fits."""
    if hardware is None or hardware.budget_gib is None:
        return 1
    heads = card.architecture.attention_heads
    per_gpu = hardware.vram_gib or 0.0  # per GPU; of a mixed set, the smallest (tensor parallelism splits evenly)
    count = 1
    while count <= hardware.gpus:
        need = estimate(card, quant, est.context, est.batch, est.kv_dtype, gpus=count).total_gib
        if need <= per_gpu * count and (not heads or heads % count == 0):
            return count
        count *= 2
    return None


def _mlx(card: Card, est: Estimate) -> Run:
    repos = card.runtimes.mlx if card.runtimes else []
    if not repos:
        return Run("mlx", None, _none("MLX repo"))
    bits = mlx_bits(est.quant)
    found = next((repo for repo in repos if repo.bits == bits), None)
    if found is None:
        published = ", ".join(f"{repo.bits}-bit" for repo in repos)
        return Run("mlx", None, f"no {bits}-bit MLX repo recorded; published: {published}")
    source = source_for(card, hf_page(found.repo)) or hf_page(found.repo)
    return Run("mlx", f"mlx_lm.server --model {found.repo}", "",
               Artefact(found.repo, source, None, found.size_gb))
