"""How to run a pick: the runtimes card field, its checks, and the commands recommend, fit and show print."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from llmpick import load_catalog
from llmpick.catalog.artefacts import hf_page, ollama_page, source_for, vllm_repo
from llmpick.catalog.builtin import builtin_catalog_dir
from tests.conftest import FIXTURE_CATALOG, run, write_card

GGUF_REPO = "example/Runner-7B-GGUF"
MLX_4BIT = "mlx-community/Runner-7B-4bit"
SOURCES = ["https://huggingface.co/mistralai/Mistral-7B-v0.1", "https://ollama.com/library/runner/tags",
           f"https://huggingface.co/{GGUF_REPO}/tree/main", f"https://huggingface.co/{MLX_4BIT}"]
RUNTIMES = {
    "ollama": {"tag": "runner:7b", "quants": {"q4_k_m": "runner:7b", "q8_0": "runner:7b-q8_0"}},
    "gguf": [{"repo": GGUF_REPO, "files": {"q4_k_m": {"file": "Runner-7B-Q4_K_M.gguf", "size_gb": 4.37},
                                           "q8_0": {"file": "Runner-7B-Q8_0.gguf", "size_gb": 7.7}}}],
    "mlx": [{"repo": MLX_4BIT, "bits": 4}],
    "vllm": {},
}


@pytest.fixture
def catalog_dir(tmp_path, monkeypatch):
    """A catalog of the fixture's licenses and benchmarks, with a card that records runtimes and one that does not."""
    root = tmp_path / "catalog"
    (root / "models").mkdir(parents=True)
    for name in ("licenses.yaml", "benchmarks.yaml"):
        shutil.copy(FIXTURE_CATALOG / name, root / name)
    shutil.copy(builtin_catalog_dir() / "gpus.yaml", root / "gpus.yaml")
    write_card(root / "models", id="runner-7b", aliases=["runner:7b"], sources=SOURCES,
               runtimes=RUNTIMES)
    write_card(root / "models", id="bare-7b", hf_repos=["example/Bare-7B"])
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    monkeypatch.setenv("LLMPICK_CATALOG", str(root))
    return root


def fit_json(*args: str) -> dict:
    result = run("fit", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["data"]


def test_fit_whole_on_one_gpu_gives_every_command_with_all_layers(catalog_dir):
    result = run("fit", "runner-7b", "--vram", "24", "--quant", "q4_k_m")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "run (q4_k_m, 4096 tokens of context; the highest precision that fits):" in out
    assert "ollama run runner:7b\n" in out
    assert f"llama-server -hf {GGUF_REPO}:Q4_K_M -c 4096 -ngl 99\n" in out
    assert f"Runner-7B-Q4_K_M.gguf, 4.37 GB (https://huggingface.co/{GGUF_REPO}/tree/main)" in out
    assert "vllm serve mistralai/Mistral-7B-v0.1 --max-model-len 4096\n" in out
    assert "mlx" not in out  # an NVIDIA/AMD GPU: no MLX line
    assert f"lms get https://huggingface.co/{GGUF_REPO}@Q4_K_M\n" in out  # downloads, then loads the same file
    assert f"lms load {GGUF_REPO}/Runner-7B-Q4_K_M.gguf --context-length 4096 --gpu max\n" in out
    assert "python -m sglang.launch_server --model-path mistralai/Mistral-7B-v0.1 --context-length 4096\n" in out
    data = fit_json("runner-7b", "--vram", "24", "--quant", "q4_k_m")["run"]
    assert data["llama_cpp"]["artefact"] == {"repo": GGUF_REPO, "file": "Runner-7B-Q4_K_M.gguf",
                                             "size_bytes": 4_370_000_000,
                                             "source": f"https://huggingface.co/{GGUF_REPO}/tree/main"}
    assert data["ollama"]["command"] == "ollama run runner:7b"
    assert data["ollama"]["artefact"]["source"] == "https://ollama.com/library/runner/tags"
    assert data["lmstudio"]["setup"] == f"lms get https://huggingface.co/{GGUF_REPO}@Q4_K_M"
    assert data["lmstudio"]["artefact"] == data["llama_cpp"]["artefact"]
    assert data["sglang"]["artefact"] == data["vllm"]["artefact"]


def test_fit_picks_the_highest_precision_that_fits_and_its_ollama_tag(catalog_dir):
    data = fit_json("runner-7b", "--vram", "10")["run"]
    assert data["quant"] == "q8_0"
    assert data["ollama"]["command"] == "ollama run runner:7b-q8_0"
    assert data["llama_cpp"]["command"].startswith(f"llama-server -hf {GGUF_REPO}:Q8_0 ")
    assert data["vllm"]["command"] is None and "needs" in data["vllm"]["note"]  # bf16 does not fit 10 GiB


def test_partial_offload_sets_the_gpu_layers_of_the_split(catalog_dir):
    data = fit_json("runner-7b", "--vram", "3", "--ram", "32", "--quant", "q4_k_m")
    split = data["rows"][0]["offload"]
    assert split is not None
    run_data = data["run"]
    assert run_data["llama_cpp"]["command"] == (f"llama-server -hf {GGUF_REPO}:Q4_K_M -c 4096 "
                                                f"-ngl {split['gpu_layers']}")
    assert f"{split['gpu_layers']} of 32 layers on the GPU" in run_data["llama_cpp"]["note"]
    assert run_data["vllm"]["command"] is None and "GPU+RAM" in run_data["vllm"]["note"]
    assert run_data["sglang"]["command"] is None and "GPU+RAM" in run_data["sglang"]["note"]
    share = int(split["gpu_layers"] / 32 * 100) / 100  # LM Studio takes a share of the layers, rounded down
    assert run_data["lmstudio"]["command"].endswith(f" --gpu {share:g}")


def test_quantized_kv_cache_and_long_context_flags(catalog_dir):
    result = run("fit", "runner-7b", "--vram", "24", "--quant", "q4_k_m", "--context", "8k", "--kv-type", "q8_0")
    assert result.exit_code == 0, result.output
    assert (f"llama-server -hf {GGUF_REPO}:Q4_K_M -c 8192 -ngl 99 -fa on --cache-type-k q8_0 --cache-type-v q8_0"
            in result.stdout)
    assert ("OLLAMA_CONTEXT_LENGTH=8192 OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE=q8_0 ollama serve"
            in result.stdout)
    assert "vllm serve mistralai/Mistral-7B-v0.1 --max-model-len 8192 --kv-cache-dtype fp8" in result.stdout
    assert ("python -m sglang.launch_server --model-path mistralai/Mistral-7B-v0.1 --context-length 8192 "
            "--kv-cache-dtype fp8_e4m3") in result.stdout
    assert "lms load has no flag for a quantized KV cache: set it in LM Studio's load settings" in result.stdout


def test_parallel_sequences_share_llama_server_context(catalog_dir):
    data = fit_json("runner-7b", "--vram", "24", "--quant", "q4_k_m", "--parallel", "4")["run"]
    assert data["llama_cpp"]["command"] == f"llama-server -hf {GGUF_REPO}:Q4_K_M -c 16384 -ngl 99 -np 4"
    assert data["ollama"]["setup"] == "OLLAMA_NUM_PARALLEL=4 ollama serve"
    assert data["lmstudio"]["command"].endswith("--context-length 4096 --gpu max")  # per request, as LM Studio sets it
    assert "4 parallel requests" in data["lmstudio"]["note"]
    assert data["sglang"]["command"].endswith(" --max-running-requests 4")


def test_multi_gpu_vllm_uses_tensor_parallel_over_the_gpus_it_needs(catalog_dir):
    data = fit_json("runner-7b", "--vram", "10", "--gpus", "4", "--quant", "fp16")["run"]
    assert data["vllm"]["command"] == "vllm serve mistralai/Mistral-7B-v0.1 --max-model-len 4096 " \
                                      "--tensor-parallel-size 2"
    assert data["sglang"]["command"] == ("python -m sglang.launch_server --model-path mistralai/Mistral-7B-v0.1 "
                                         "--context-length 4096 --tp 2")
    assert data["lmstudio"]["note"] == "no F16 GGUF recorded; published: Q4_K_M, Q8_0"
    assert data["llama_cpp"]["command"] is None
    assert data["llama_cpp"]["note"] == "no F16 GGUF recorded; published: Q4_K_M, Q8_0"


def test_apple_silicon_gets_the_mlx_repo_and_no_vllm(catalog_dir):
    result = run("fit", "runner-7b", "--gpu", "M4 Max 36GB", "--quant", "q4_k_m")
    assert result.exit_code == 0, result.output
    assert f"mlx_lm.server --model {MLX_4BIT}" in result.stdout
    assert "vllm" not in result.stdout and "sglang" not in result.stdout
    assert "--context-length 4096 --gpu max" in result.stdout  # LM Studio runs GGUF on Apple Silicon too
    data = fit_json("runner-7b", "--gpu", "M4 Max 36GB", "--quant", "q8_0")["run"]
    assert data["mlx"] == {"command": None, "setup": None, "artefact": None,
                           "note": "no 8-bit MLX repo recorded; published: 4-bit"}


def test_cpu_only_keeps_every_layer_on_the_cpu(catalog_dir):
    data = fit_json("runner-7b", "--cpu-only", "--ram", "32", "--quant", "q4_k_m")["run"]
    assert data["llama_cpp"]["command"].endswith(" -ngl 0")
    assert data["lmstudio"]["command"].endswith(" --gpu off")
    assert set(data) == {"quant", "context", "ollama", "llama_cpp", "lmstudio"}  # no vLLM, SGLang or MLX on a CPU


def test_no_artefact_says_so(catalog_dir, tmp_path):
    result = run("fit", "bare-7b", "--vram", "24", "--quant", "q4_k_m")
    assert result.exit_code == 0, result.output
    assert "llama.cpp: no GGUF recorded in the card" in result.stdout
    assert "ollama:    no Ollama library model recorded in the card" in result.stdout
    assert "lmstudio:  no GGUF recorded in the card" in result.stdout
    assert "sglang:    no vLLM repo recorded in the card (SGLang serves the same repo)" in result.stdout
    write_card(catalog_dir / "models", id="ollama-only-7b", hf_repos=["example/Ollama-only"],
               aliases=["runner:13b"],
               sources=["https://ollama.com/library/runner"], runtimes={"ollama": {"tag": "runner:13b"}})
    data = fit_json("ollama-only-7b", "--vram", "24", "--quant", "q4_k_m")["run"]
    assert data["llama_cpp"]["note"] == "no GGUF recorded in the card"
    assert data["ollama"]["command"] == "ollama run runner:13b"
    assert "not recorded" in data["ollama"]["note"]


def test_recommend_table_ends_with_a_line_to_copy_and_json_has_run(catalog_dir):
    result = run("recommend", "--vram", "24", "--family", "mistral", "--quant", "q4_k_m")
    assert result.exit_code == 0, result.output
    assert "run the top 2 " in result.stdout
    assert "#1 " in result.stdout and "ollama run runner:7b" in result.stdout
    assert "no Ollama tag, GGUF, vLLM or MLX repo recorded at q4_k_m" in result.stdout  # bare-7b
    data = json.loads(run("recommend", "--vram", "24", "--family", "mistral", "--quant", "q4_k_m", "--format",
                          "json").stdout)["data"]
    runs = {pick["model"]: pick["run"] for pick in data["recommendations"]}
    assert runs["runner-7b"]["llama_cpp"]["artefact"]["size_bytes"] == 4_370_000_000
    assert runs["bare-7b"]["ollama"]["command"] is None


def test_recommend_copy_line_says_when_the_tag_may_hold_another_quantization(catalog_dir):
    write_card(catalog_dir / "models", id="ollama-only-7b", hf_repos=["example/Ollama-only"], aliases=["runner:13b"],
               sources=["https://ollama.com/library/runner"], runtimes={"ollama": {"tag": "runner:13b"}})
    result = run("recommend", "--vram", "24", "--family", "mistral", "--quant", "q8_0")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.stdout.splitlines() if "ollama-only-7b:" in line)
    assert "ollama run runner:13b  [the tag's default quantization (not recorded); the pick is q8_0]" in line
    tagged = next(line for line in result.stdout.splitlines() if "runner-7b:" in line and "#" in line)
    assert tagged.endswith("ollama run runner:7b-q8_0")  # a recorded tag at the pick's quantization needs no note


def test_fit_runs_a_mostly_gpu_split_at_4_bits_rather_than_2_bits_whole():
    # qwen3-14b on an 8 GB RTX 4060 with 32 GB of RAM: q2_k fits the GPU whole but loses 51 index points
    # (docs/scoring.md, the loss table); q4_k_m keeps 31 of 40 layers on the GPU and loses 2.6
    result = run("fit", "qwen3-14b", "--gpu", "RTX 4060", "--ram", "32", "--format", "json")
    assert result.exit_code == 0, result.output
    planned = json.loads(result.stdout)["data"]["run"]
    assert planned["quant"] == "q4_k_m"
    text = run("fit", "qwen3-14b", "--gpu", "RTX 4060", "--ram", "32").stdout
    assert "q4_k_m: GPU+RAM: 31 of 40 layers on the GPU" in text and "run (q4_k_m, 4096 tokens of context;" in text


def test_show_lists_artefacts_and_commands(catalog_dir):
    result = run("show", "runner-7b")
    assert result.exit_code == 0, result.output
    assert f"{GGUF_REPO}: Q4_K_M 4.37 GB, Q8_0 7.70 GB" in result.stdout
    assert "run llama.cpp (q4_k_m)" in result.stdout
    data = json.loads(run("show", "runner-7b", "--format", "json").stdout)["data"]
    assert data["runtimes"]["gguf"][0]["repo"] == GGUF_REPO
    assert data["run"]["mlx"]["command"] == f"mlx_lm.server --model {MLX_4BIT}"
    assert data["run"]["lmstudio"]["command"] == f"lms load {GGUF_REPO}/Runner-7B-Q4_K_M.gguf --context-length 4096"
    assert f"lms get https://huggingface.co/{GGUF_REPO}@Q4_K_M, then lms load" in result.stdout


def test_schema_documents_runtimes():
    result = run("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert "runtimes" in schema["properties"]
    assert {"Runtimes", "Ollama", "Gguf", "GgufFile", "Mlx", "Vllm"} <= set(schema["$defs"])


@pytest.mark.parametrize(("runtimes", "extra", "line", "message"), [
    ({"gguf": [{"repo": GGUF_REPO, "files": {"q4_k_m": {"file": "Runner-7B-Q4_K_M.gguf", "sizes": 1}}}]}, {},
     "runtimes.gguf.0.files.q4_k_m.sizes", "sizes"),
    ({"gguf": [{"repo": GGUF_REPO, "files": {"q4_k_m": {"file": "Runner-7B-Q4_K_M.gguf", "size_gb": -1}}}]}, {},
     "runtimes.gguf.0.files.q4_k_m.size_gb", "greater than 0"),
    ({"gguf": [{"repo": GGUF_REPO, "files": {"q4_k_m": {"file": "Runner-7B-Q4_K_M.gguf", "size_gb": ".inf"}}}]},
     {}, "runtimes.gguf.0.files.q4_k_m.size_gb", ""),
    ({"gguf": [{"repo": GGUF_REPO, "files": {"q4_k_x": {"file": "Runner-7B-Q4_K_M.gguf"}}}]}, {},
     "runtimes.gguf.0.files.q4_k_x", "q4_k_m"),
    ({"gguf": [{"repo": GGUF_REPO, "files": {"q4_k_m": {"file": "Runner-7B-Q8_0.gguf"}}}]}, {},
     "runtimes.gguf.0", "Runner-7B-Q8_0.gguf does not name Q4_K_M"),
    ({"gguf": [{"repo": "example/Other-GGUF", "files": {"q8_0": {"file": "Other-Q8_0.gguf"}}}]}, {},
     "runtimes.gguf.0.repo", "GGUF repo example/Other-GGUF: add its page https://huggingface.co/example/Other-GGUF"),
    ({"ollama": {"tag": "runner:70b"}}, {}, "runtimes.ollama.tag", "not among the card's Ollama aliases"),
    ({"ollama": {"tag": "runner:7b", "quants": {"q8_0": "other:7b-q8_0"}}}, {}, "runtimes.ollama",
     "another library model"),
    ({"mlx": [{"repo": MLX_4BIT, "bits": 7}]}, {}, "runtimes.mlx.0.bits", ""),
    ({"vllm": {}}, {"hf_repos": []}, "runtimes.vllm", "give repo"),
])
def test_bad_runtimes_are_reported_at_their_line(tmp_path, monkeypatch, runtimes, extra, line, message):
    root = tmp_path / "bad"
    (root / "models").mkdir(parents=True)
    for name in ("licenses.yaml", "benchmarks.yaml"):
        shutil.copy(FIXTURE_CATALOG / name, root / name)
    path = write_card(root / "models", id="runner-7b", aliases=["runner:7b"], sources=SOURCES, runtimes=runtimes,
                      **extra)
    monkeypatch.setenv("LLMPICK_NO_BUILTIN", "1")
    result = run("validate", str(root))
    assert result.exit_code == 1, result.output
    lines = path.read_text().splitlines()
    first = next(number for number, text in enumerate(lines, 1) if text.startswith("runtimes:"))
    problem = next(p for p in result.stderr.splitlines() if line in p)
    where = int(problem.split(":")[1])
    assert first <= where, problem  # the line of the runtimes entry, not the top of the card
    assert message in problem
    assert "Traceback" not in result.output


def test_every_builtin_runtimes_entry_has_its_page_in_sources():
    catalog = load_catalog()
    recorded = 0
    for card in catalog:
        runtimes = card.runtimes
        if runtimes is None:
            continue
        recorded += 1
        pages = [hf_page(repo.repo) for repo in runtimes.gguf] + [hf_page(repo.repo) for repo in runtimes.mlx]
        if runtimes.ollama is not None:
            pages.append(ollama_page(runtimes.ollama.name))
            listed = [alias for alias in card.aliases if ":" in alias]
            assert not listed or runtimes.ollama.tag in card.aliases, card.id
        if runtimes.vllm is not None:
            pages.append(hf_page(vllm_repo(card)))
        for page in pages:
            assert source_for(card, page), f"{card.id}: {page} is not among its sources"
    assert recorded >= 10


def test_schema_round_trip_of_runtimes_card(catalog_dir):
    card = load_catalog().get("runner-7b")
    assert card.runtimes is not None and card.runtimes.ollama.quant_of("runner:7b-q8_0") == "q8_0"
    dumped = yaml.safe_load(yaml.safe_dump(card.model_dump(mode="json", exclude_none=True)))
    assert dumped["runtimes"]["gguf"][0]["files"]["q8_0"]["size_gb"] == 7.7
