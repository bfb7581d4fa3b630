"""`llmpick installed` and `recommend --installed`: a fake Ollama, a fake Hugging Face cache, LM Studio's folder
and GGUF files written with gguf.GGUFWriter, each mapped to a card; every source's bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import refuse_listing, run

from tests import ollamaserver
from tests.ollamaserver import Fault, refused_address

gguf = pytest.importorskip("gguf")

ollama = ollamaserver.ollama  # the fake Ollama fixture
catalog = ollamaserver.aliased_catalog  # the fixture catalog, with Ollama aliases on mistral-7b-v0.1



@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """No source but the ones a test sets up: Ollama refuses, LM Studio and the HF cache are empty folders."""
    monkeypatch.setenv("OLLAMA_HOST", refused_address())
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))  # no `lms`
    monkeypatch.setenv("LLAMA_CACHE", str(tmp_path / "llama-cache"))


def write_gguf(path: Path, name: str = "Mistral 7B v0.1", file_type: int = 15, arch: str = "llama") -> Path:
    """A tiny but valid GGUF file: a header with the keys llmpick reads and one small tensor."""
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_name(name)
    writer.add_context_length(32768)
    writer.add_file_type(file_type)
    writer.add_tensor("token_embd.weight", np.zeros((4, 4), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def hf_repo(cache: Path, repo: str, files: dict[str, bytes]) -> Path:
    """A model repo laid out as huggingface_hub caches it: blobs, a snapshot of symlinks, refs/main."""
    folder = cache / f"models--{repo.replace('/', '--')}"
    sha = "0123456789abcdef0123456789abcdef01234567"
    for name, content in files.items():
        blob = folder / "blobs" / f"{abs(hash(name)):x}"
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(content)
        link = folder / "snapshots" / sha / name
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(os.path.relpath(blob, link.parent), link)
    (folder / "refs").mkdir(parents=True, exist_ok=True)
    (folder / "refs" / "main").write_text(sha)
    return folder


def rows(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["data"]["models"]


def test_ollama_models_are_mapped_to_cards_by_alias(catalog, nowhere, ollama, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", ollama.url)
    models = rows(run("installed", "--format", "json"))
    by_name = {m["name"]: m for m in models}
    assert by_name["mistral:7b"]["card"] == "mistral-7b-v0.1"
    assert by_name["mistral:7b"]["quant"] == "q4_k_m"
    assert by_name["mistral:7b"]["context_length"] == 32768  # from /api/show
    assert by_name["mistral:7b"]["size_bytes"] == 4_113_301_824
    assert by_name["tinyfun:1b"]["card"] is None
    assert ("POST", "/api/show", {"model": "mistral:7b"}) in ollama.requests


def test_table_says_what_is_unknown_and_sizes_in_gb(catalog, nowhere, ollama, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", ollama.url)
    result = run("installed")
    assert result.exit_code == 0, result.output
    assert "mistral-7b-v0.1" in result.stdout and "4.1" in result.stdout
    assert ("2 model(s) found in Ollama, LM Studio, HF cache, llama.cpp cache; 1 mapped to a card, 1 unknown"
            in result.stdout)


def test_hf_cache_repos_and_quantized_forks(catalog, nowhere, tmp_path):
    cache = tmp_path / "hf-cache"
    hf_repo(cache, "mistralai/Mistral-7B-v0.1", {"config.json": b"{}"})
    hf_repo(cache, "TheBloke/Mistral-7B-v0.1-GGUF", {"mistral-7b-v0.1.Q4_K_M.gguf": b"x" * 10})
    hf_repo(cache, "someone/unknown-model", {"config.json": b"{}"})
    models = {m["name"]: m for m in rows(run("installed", "--format", "json"))}
    assert models["mistralai/Mistral-7B-v0.1"]["card"] == "mistral-7b-v0.1"
    assert models["TheBloke/Mistral-7B-v0.1-GGUF"]["card"] == "mistral-7b-v0.1"
    assert models["TheBloke/Mistral-7B-v0.1-GGUF"]["quant"] == "q4_k_m"
    assert models["someone/unknown-model"]["card"] is None
    table = run("installed").stdout
    assert "unknown (llmpick import someone/unknown-model)" in table


def test_gguf_headers_are_read(catalog, nowhere, tmp_path):
    folder = tmp_path / "models"
    write_gguf(folder / "mistral-7b-v0.1.Q4_K_M.gguf")
    write_gguf(folder / "renamed.gguf", file_type=7)  # mapped by its header's general.name; Q8_0 from file_type
    write_gguf(folder / "other" / "x.gguf", name="Something Else")
    models = {m["name"]: m for m in rows(run("installed", "--path", folder, "--format", "json"))}
    assert models["mistral-7b-v0.1.Q4_K_M.gguf"]["card"] == "mistral-7b-v0.1"
    assert models["mistral-7b-v0.1.Q4_K_M.gguf"]["quant"] == "q4_k_m"
    assert models["mistral-7b-v0.1.Q4_K_M.gguf"]["architecture"] == "llama"
    assert models["mistral-7b-v0.1.Q4_K_M.gguf"]["context_length"] == 32768
    assert models["renamed.gguf"]["card"] == "mistral-7b-v0.1" and models["renamed.gguf"]["quant"] == "q8_0"
    assert models["x.gguf"]["card"] is None


def test_corrupt_gguf_is_a_warning_naming_the_file(catalog, nowhere, tmp_path):
    folder = tmp_path / "models"
    write_gguf(folder / "good.Q4_K_M.gguf")
    (folder / "bad.gguf").write_bytes(b"GGUF\x03\x00\x00\x00garbage")
    (folder / "text.gguf").write_text("not a model at all")
    result = run("installed", "--path", folder)
    assert result.exit_code == 0, result.output
    assert f"warning: {folder / 'bad.gguf'}: its GGUF header is corrupt" in result.stdout
    assert f"warning: {folder / 'text.gguf'}: not a GGUF file (bad magic)" in result.stdout
    assert "Traceback" not in result.output


def test_llama_cpp_cache_flat_files_and_hub_layout(catalog, nowhere, tmp_path):
    cache = tmp_path / "llama-cache"
    # llama-server -hf TheBloke/Mistral-7B-v0.1-GGUF:Q4_K_M, as llama.cpp named it before the Hub layout
    write_gguf(cache / "TheBloke_Mistral-7B-v0.1-GGUF_mistral-7b-v0.1.Q4_K_M.gguf", name="Whatever")
    write_gguf(cache / "someone_notes_x.gguf", name="Something Else")  # no -GGUF repo: the file's names
    (cache / "TheBloke_Mistral-7B-v0.1-GGUF_mistral-7b-v0.1.Q4_K_M.gguf.json").write_text("{}")  # llama.cpp's etag
    hf_repo(cache, "bartowski/Mistral-7B-v0.1-GGUF", {"Mistral-7B-v0.1-Q8_0.gguf": b"GGUF"})  # today's layout
    data = json.loads(run("installed", "--source", "llama.cpp", "--format", "json").stdout)["data"]
    models = {m["name"]: m for m in data["models"]}
    flat = models["TheBloke/Mistral-7B-v0.1-GGUF/mistral-7b-v0.1.Q4_K_M.gguf"]
    assert (flat["source"], flat["card"], flat["quant"], flat["repo"]) == ("llama.cpp", "mistral-7b-v0.1", "q4_k_m",
                                                                           "TheBloke/Mistral-7B-v0.1-GGUF")
    assert models["someone_notes_x.gguf"]["card"] is None
    hub = models["bartowski/Mistral-7B-v0.1-GGUF"]
    assert (hub["source"], hub["card"], hub["quant"]) == ("llama.cpp", "mistral-7b-v0.1", "q8_0")
    assert data["warnings"] == []


def test_llama_cpp_cache_default_folder_per_platform(monkeypatch, tmp_path):
    from llmpick.runtimes.llamacache import cache_folder, split_name

    monkeypatch.delenv("LLAMA_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_folder("linux") == tmp_path / ".cache" / "llama.cpp"
    assert cache_folder("darwin") == tmp_path / "Library" / "Caches" / "llama.cpp"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder("linux") == tmp_path / "xdg" / "llama.cpp"
    monkeypatch.setenv("LLAMA_CACHE", str(tmp_path / "mine"))
    assert cache_folder("darwin") == tmp_path / "mine"
    assert split_name("unsloth_Qwen3-8B-GGUF_Qwen3-8B-UD-Q4_K_XL") == ("unsloth/Qwen3-8B-GGUF", "Qwen3-8B-UD-Q4_K_XL")
    assert split_name("ggml-org_models_tinyllamas_stories15M-q4_0") == (None, "models_tinyllamas_stories15M-q4_0")


def test_llama_cpp_cache_corrupt_file_and_unreadable_folder(catalog, nowhere, tmp_path, monkeypatch):
    cache = tmp_path / "llama-cache"
    write_gguf(cache / "TheBloke_Mistral-7B-v0.1-GGUF_mistral-7b-v0.1.Q8_0.gguf", file_type=7)
    (cache / "TheBloke_Mistral-7B-v0.1-GGUF_mistral-7b-v0.1.Q4_K_M.gguf").write_bytes(b"GGUF\x03\x00garbage")
    result = run("installed", "--source", "llama.cpp")
    assert result.exit_code == 0, result.output  # a corrupt file is skipped, the rest listed
    assert f"{cache / 'TheBloke_Mistral-7B-v0.1-GGUF_mistral-7b-v0.1.Q4_K_M.gguf'}: its GGUF header is corrupt" \
        in result.stdout
    assert "q8_0" in result.stdout
    refuse_listing(monkeypatch, "llama-cache")
    result = run("installed")
    assert result.exit_code == 0, result.output  # looked at by default: a warning
    assert f"warning: llama.cpp cache: {cache}: cannot read it (Permission denied)" in result.stdout
    result = run("installed", "--source", "llama.cpp")
    assert result.exit_code == 2, result.output  # asked for: an error, one line, no traceback
    assert f"llmpick: error: {cache}: cannot read it (Permission denied)" in result.output
    assert "llama.cpp's download cache" in result.output
    assert "Traceback" not in result.output


def test_lm_studio_folder_publisher_repo_file(catalog, nowhere, tmp_path):
    folder = tmp_path / "home" / ".lmstudio" / "models" / "TheBloke" / "Mistral-7B-v0.1-GGUF"
    folder.mkdir(parents=True)
    (folder / "mistral-7b-v0.1.Q5_K_M.gguf").write_bytes(b"x" * 2000)
    models = rows(run("installed", "--format", "json"))
    assert [(m["source"], m["card"], m["quant"], m["repo"], m["size_bytes"]) for m in models] == [
        ("lmstudio", "mistral-7b-v0.1", "q5_k_m", "TheBloke/Mistral-7B-v0.1-GGUF", 2000)]


def test_lms_ls_json_when_lms_is_on_path(catalog, nowhere, tmp_path, monkeypatch):
    bin_dir = tmp_path / "no-bin"
    bin_dir.mkdir()
    listing = [{"type": "llm", "modelKey": "mistral-7b-v0.1", "path": "TheBloke/Mistral-7B-v0.1-GGUF/"
                "mistral-7b-v0.1.Q4_K_M.gguf", "sizeBytes": 4_370_000_000, "maxContextLength": 32768},
               {"type": "embedding", "modelKey": "nomic-embed", "path": "nomic/embed/x.gguf"}]
    lms = bin_dir / "lms"
    lms.write_text(f"#!/bin/sh\necho '{json.dumps(listing)}'\n")  # echo: a shell builtin, PATH has nothing else
    lms.chmod(0o755)
    models = rows(run("installed", "--source", "lmstudio", "--format", "json"))
    assert [(m["card"], m["quant"], m["size_bytes"]) for m in models] == [("mistral-7b-v0.1", "q4_k_m", 4_370_000_000)]


def test_lms_that_fails_falls_back_to_the_folders(catalog, nowhere, tmp_path):
    bin_dir = tmp_path / "no-bin"
    bin_dir.mkdir()
    (bin_dir / "lms").write_text("#!/bin/sh\necho 'LM Studio is not running' >&2\nexit 1\n")
    (bin_dir / "lms").chmod(0o755)
    write_gguf(tmp_path / "home" / ".lmstudio" / "models" / "TheBloke" / "Mistral-7B-v0.1-GGUF" / "m.Q4_K_M.gguf")
    result = run("installed", "--source", "lmstudio", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert [m["card"] for m in data["models"]] == ["mistral-7b-v0.1"]
    assert data["warnings"] == ["LM Studio: `lms ls --json` gave no list (exit 1); reading its folders instead"]


# --- bad input ------------------------------------------------------------------------------------------------


def test_ollama_not_running_is_a_warning_by_default_and_exit_3_when_asked(catalog, nowhere):
    result = run("installed")
    assert result.exit_code == 0, result.output
    assert "warning: Ollama: Ollama is not running at http://127.0.0.1:" in result.stdout
    asked = run("installed", "--source", "ollama")
    assert asked.exit_code == 3, asked.output
    assert "llmpick: error: Ollama is not running at http://127.0.0.1:" in asked.stderr
    assert "hint: start it with `ollama serve`, or set OLLAMA_HOST to where it runs" in asked.stderr


@pytest.mark.parametrize("value", ["http://", "ftp://127.0.0.1:11434", "127.0.0.1:notaport", "host name:1"])
def test_unparseable_ollama_host(catalog, nowhere, monkeypatch, value):
    monkeypatch.setenv("OLLAMA_HOST", value)
    result = run("installed", "--source", "ollama")
    assert result.exit_code == 2, result.output
    assert "llmpick: error: OLLAMA_HOST " in result.stderr and "is not a host or URL" in result.stderr
    assert "Traceback" not in result.output


def test_ollama_host_without_scheme_or_port_is_ollamas_default(monkeypatch):
    from llmpick.runtimes.ollama import host

    monkeypatch.setenv("OLLAMA_HOST", "0.0.0.0")
    assert host() == "http://0.0.0.0:11434"
    monkeypatch.setenv("OLLAMA_HOST", "example.org:8080")
    assert host() == "http://example.org:8080"
    monkeypatch.delenv("OLLAMA_HOST")
    assert host() == "http://127.0.0.1:11434"


def test_a_server_answering_html(catalog, nowhere, ollama, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", ollama.url)
    ollama.fail("/api/tags", Fault(body=b"<html><body>router login</body></html>", content_type="text/html"))
    result = run("installed", "--source", "ollama")
    assert result.exit_code == 3, result.output
    assert f"llmpick: error: Ollama at {ollama.url} answered with something that is not JSON (text/html)" \
        in result.stderr


def test_a_hanging_server_meets_the_deadline(catalog, nowhere, ollama, monkeypatch):
    import time

    monkeypatch.setenv("OLLAMA_HOST", ollama.url)
    ollama.fail("/api/tags", Fault(body=b'{"models": []}' + b" " * 100, drip=0.05))  # 5 s one byte at a time
    start = time.monotonic()
    result = run("installed", "--source", "ollama", "--timeout", "0.5")
    assert time.monotonic() - start < 3
    assert result.exit_code == 3, result.output
    assert f"llmpick: error: Ollama at {ollama.url} gave no complete answer within 0.5 s" in result.stderr


def test_show_failing_for_one_model_is_a_note(catalog, nowhere, ollama, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", ollama.url)
    ollama.fail("/api/show", Fault(status=500, body=b'{"error": "boom"}'))
    result = run("installed", "--source", "ollama")
    assert result.exit_code == 0, result.output
    assert "Ollama: no details for mistral:7b: Ollama at" in result.stdout and "HTTP 500: 'boom'" in result.stdout


def test_unreadable_hf_cache_is_a_warning(catalog, nowhere, tmp_path, monkeypatch):
    cache = tmp_path / "hf-cache"
    hf_repo(cache, "mistralai/Mistral-7B-v0.1", {"config.json": b"{}"})
    refuse_listing(monkeypatch, "hf-cache")
    real_listdir = os.listdir  # Path.iterdir lists with os.listdir before Python 3.12, os.scandir after

    def listdir(path="."):
        if Path(path).name == "hf-cache":
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    result = run("installed")
    assert result.exit_code == 0, result.output
    assert f"warning: Hugging Face cache {cache}: cannot read it (Permission denied)" in result.stdout


def test_unreadable_gguf_folder_is_a_warning(catalog, nowhere, tmp_path, monkeypatch):
    folder = tmp_path / "models"
    write_gguf(folder / "locked" / "a.gguf")
    write_gguf(folder / "b.Q4_K_M.gguf")
    refuse_listing(monkeypatch, "locked")
    result = run("installed", "--path", folder, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert [m["name"] for m in data["models"]] == ["b.Q4_K_M.gguf"]
    assert any("cannot read" in w and "locked" in w for w in data["warnings"])


def test_unknown_source_and_gguf_without_path(catalog, nowhere):
    result = run("installed", "--source", "olama")
    assert result.exit_code == 2
    assert "unknown source 'olama'; did you mean 'ollama'?" in result.stderr
    result = run("installed", "--source", "gguf")
    assert result.exit_code == 2
    assert "--source gguf needs at least one --path DIR" in result.stderr


# --- recommend --installed ----------------------------------------------------------------------------------


def test_recommend_installed_ranks_only_what_is_installed(catalog, nowhere, ollama, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", ollama.url)
    result = run("recommend", "--installed", "--vram", "24", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert [r["model"] for r in data["recommendations"]] == ["mistral-7b-v0.1"]
    assert data["installed"] == ["mistral-7b-v0.1"]
    assert {r["rule"] for r in data["rejections"]} == {"installed"}
    table = run("recommend", "--mark-installed", "--vram", "24")
    assert "mistral-7b-v0.1 ✓" in table.stdout
    assert "✓ installed here (1 model(s); llmpick installed)" in table.stdout


def test_recommend_installed_with_nothing_installed_exits_2(catalog, nowhere):
    result = run("recommend", "--installed", "--vram", "24")
    assert result.exit_code == 2, result.output
    assert "llmpick: error: --installed: no installed model found (looked in ollama, lmstudio, hf-cache, llama.cpp)" \
        in result.stderr
    assert "llmpick: warning: Ollama: Ollama is not running" in result.stderr


def test_recommend_works_when_no_runtime_is_there(catalog, nowhere):
    result = run("recommend", "--vram", "24")
    assert result.exit_code == 0, result.output
    assert "mistral-7b-v0.1" in result.stdout
