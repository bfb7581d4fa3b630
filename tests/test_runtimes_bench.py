"""`llmpick bench` on a fake Ollama and a fake OpenAI-compatible server; the stored runs; measured and calibrated
speeds in recommend and fit; every bad input of a run."""

from __future__ import annotations

import json
import time

import pytest
from conftest import run

from llmpick.advice import detect as detect_module
from llmpick.advice.measured import RATIO_BOUNDS, MeasuredSpeeds, Measurement, fingerprint, store_path
from tests import ollamaserver
from tests.ollamaserver import Fault, refused_address

ollama = ollamaserver.ollama  # the fake Ollama fixture
catalog = ollamaserver.aliased_catalog  # the fixture catalog, with Ollama aliases on mistral-7b-v0.1



@pytest.fixture
def machine(monkeypatch) -> str:
    """This machine, as detection sees it: a CPU with 64 GiB of RAM (CPU speeds are estimated from RAM bandwidth)."""
    found = detect_module.Detection(gpus=(), ram_gib=64.0, notes=())
    monkeypatch.setattr(detect_module, "detect", lambda *a, **k: found)
    return fingerprint([], 64.0)


def data(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["data"]


def test_bench_a_card_on_ollama_uses_its_counters(catalog, machine, ollama):
    got = data(run("bench", "mistral-7b-v0.1", "--format", "json"))
    assert (got["card"], got["model"], got["quant"], got["server"]) == ("mistral-7b-v0.1", "mistral:7b", "q4_k_m",
                                                                         "ollama")
    assert got["tokens_per_s"] == pytest.approx(32.0)  # eval_count 128 / 4 s
    assert got["prompt_tokens_per_s"] == pytest.approx(320.0)  # 64 / 0.2 s
    assert got["method"] == "Ollama's counters (eval_count / eval_duration)"
    generate = [body for method, path, body in ollama.requests if path == "/api/generate"][0]
    assert generate["model"] == "mistral:7b" and generate["stream"] is True
    assert generate["options"]["temperature"] == 0 and generate["options"]["num_predict"] == 256
    stored = json.loads(store_path().read_text())
    assert stored["runs"][0] | {"date": "-"} == {
        "machine": machine, "model": "mistral-7b-v0.1", "tag": "mistral:7b", "quant": "q4_k_m", "tokens_per_s": 32.0,
        "prompt_tokens_per_s": 320.0, "method": "Ollama's counters (eval_count / eval_duration)",
        "server": "ollama", "date": "-"}


def test_bench_by_tag_and_the_table(catalog, machine, ollama):
    result = run("bench", "mistral:7b")
    assert result.exit_code == 0, result.output
    assert "32.0" in result.stdout and "320.0" in result.stdout
    assert "loading the model took 1.5 s (not counted)" in result.stdout
    assert "recommend and fit now show this speed as measured" in result.stdout


def test_an_unknown_model_is_measured_but_not_stored(catalog, machine, ollama):
    got = data(run("bench", "tinyfun:1b", "--format", "json"))
    assert got["card"] is None and got["stored"] is None
    assert not store_path().exists()


def test_recommend_and_fit_show_measured_and_calibrate_the_rest(catalog, machine, ollama):
    assert run("bench", "mistral-7b-v0.1").exit_code == 0
    result = data(run("recommend", "--quant", "q4_k_m", "--format", "json"))
    picks = {p["model"]: p for p in result["recommendations"]}
    assert picks["mistral-7b-v0.1"]["tokens_per_s"] == 32.0 and picks["mistral-7b-v0.1"]["tokens_per_s_measured"]
    calibration = result["calibration"]
    assert calibration["calibrated_by"] == 1 and calibration["machine"] == machine
    # the estimate for mistral on this CPU, and every other estimate scaled by measured / estimated
    uncalibrated = data(run("recommend", "--quant", "q4_k_m", "--cpu-only", "--ram", "64", "--format", "json"))
    plain = {p["model"]: p["tokens_per_s"] for p in uncalibrated["recommendations"]}
    ratio = min(max(32.0 / plain["mistral-7b-v0.1"], RATIO_BOUNDS[0]), RATIO_BOUNDS[1])
    assert calibration["ratio"] == pytest.approx(ratio)
    for model, pick in picks.items():
        if model != "mistral-7b-v0.1":
            assert not pick["tokens_per_s_measured"]
            assert pick["tokens_per_s"] == pytest.approx(plain[model] * ratio, abs=0.11)  # both rounded to 0.1
    table = run("recommend", "--quant", "q4_k_m", "--explain")
    assert "32.0 measured" in table.stdout
    assert "tok/s marked measured: llmpick bench on this machine" in table.stdout
    assert "the median of measured / estimated over 1 run(s) on this machine" in table.stdout
    assert "32.0 tokens/s measured on this machine" in table.stdout
    fit = run("fit", "mistral-7b-v0.1", "--auto", "--quant", "q4_k_m,q8_0")
    assert fit.exit_code == 0, fit.output
    assert "32.0 measured" in fit.stdout and "calibrated" not in fit.stdout.split("tok/s marked")[0]
    assert "tok/s marked measured: llmpick bench on this machine; estimated speeds x" in fit.stdout


def test_recommend_and_fit_detect_the_machine_once(catalog, machine, ollama, monkeypatch):
    assert run("bench", "mistral-7b-v0.1").exit_code == 0  # a store: the fingerprint is needed too
    found = detect_module.detect()
    calls = []
    monkeypatch.setattr(detect_module, "detect", lambda *a, **k: calls.append(1) or found)
    result = data(run("recommend", "--quant", "q4_k_m", "--format", "json"))
    assert result["calibration"]["calibrated_by"] == 1 and len(calls) == 1  # hardware and fingerprint from one
    calls.clear()
    fit = run("fit", "mistral-7b-v0.1", "--auto", "--quant", "q4_k_m")
    assert "32.0 measured" in fit.stdout and len(calls) == 1


def test_measured_speeds_do_not_apply_to_hardware_given_by_flags(catalog, machine, ollama):
    assert run("bench", "mistral-7b-v0.1").exit_code == 0
    result = data(run("recommend", "--vram", "24", "--format", "json"))
    assert result["calibration"] is None
    assert not any(p["tokens_per_s_measured"] for p in result["recommendations"])


def test_calibration_is_the_median_bounded():
    runs = {(m, "q4_k_m"): Measurement("m", m, m, "q4_k_m", speed, None, "", "ollama", "2026-12-05")
            for m, speed in (("a", 10.0), ("b", 30.0), ("c", 90.0))}
    speeds = MeasuredSpeeds("m", runs)
    assert speeds.calibrate(lambda model, quant: 10.0).ratio == pytest.approx(3.0)
    assert speeds.calibrate(lambda model, quant: {"a": 10.0}.get(model)).ratio == pytest.approx(1.0)
    high = speeds.calibrate(lambda model, quant: 1.0)
    assert high.ratio == RATIO_BOUNDS[1] and high.raw_ratio == pytest.approx(30.0)
    assert "(measured 30.00, bounded to 0.25-4)" in high.describe()
    assert speeds.calibrate(lambda model, quant: None).ratio is None


def test_a_corrupt_store_is_a_warning_for_recommend(catalog, machine):
    store_path().parent.mkdir(parents=True, exist_ok=True)
    store_path().write_text("{not json")
    result = run("recommend", "--quant", "q4_k_m")
    assert result.exit_code == 0, result.output
    assert "not a measured-speed file llmpick wrote" in result.stderr and "speeds are estimated" in result.stderr


# --- OpenAI-compatible servers --------------------------------------------------------------------------------


def test_openai_endpoint_usage_over_wall_time(catalog, machine, ollama):
    got = data(run("bench", "mistral-7b-v0.1", "--endpoint", ollama.url, "--quant", "q4_k_m", "--format", "json"))
    assert got["generated_tokens"] == 3 and got["prompt_tokens"] == 60
    assert 0 < got["tokens_per_s"] < 1000
    assert got["method"].startswith("usage tokens over wall time measured by llmpick")
    assert got["stored"]  # a local server
    body = [b for m, path, b in ollama.requests if path == "/v1/chat/completions"][0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_openai_endpoint_with_llama_server_timings(catalog, machine, ollama):
    ollama.timings = {"prompt_n": 60, "prompt_ms": 100.0, "predicted_n": 200, "predicted_ms": 5000.0}
    got = data(run("bench", "x", "--endpoint", ollama.url + "/v1", "--format", "json"))
    assert got["tokens_per_s"] == pytest.approx(40.0) and got["prompt_tokens_per_s"] == pytest.approx(600.0)
    assert got["method"].startswith("the server's own timings")


# --- bad input ------------------------------------------------------------------------------------------------


def test_ollama_not_running(catalog, machine, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", refused_address())
    result = run("bench", "mistral-7b-v0.1")
    assert result.exit_code == 3, result.output
    assert "llmpick: error: Ollama is not running at http://127.0.0.1:" in result.stderr
    assert "Traceback" not in result.output


def test_wrong_ollama_host(catalog, machine, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "http://[::1")
    result = run("bench", "mistral-7b-v0.1")
    assert result.exit_code == 2, result.output
    assert "llmpick: error: OLLAMA_HOST 'http://[::1' is not a host or URL" in result.stderr


def test_a_card_with_nothing_pulled(catalog, machine, ollama):
    ollama.models = [m for m in ollama.models if m["name"] != "mistral:7b"]
    result = run("bench", "mistral-7b-v0.1")
    assert result.exit_code == 2, result.output
    assert "llmpick: error: Ollama has no model of mistral-7b-v0.1 pulled" in result.stderr
    assert "hint: pull it with `ollama pull mistral`" in result.stderr


def test_a_tag_not_pulled(catalog, machine, ollama):
    result = run("bench", "llama3.2:3b")
    assert result.exit_code == 2, result.output
    assert "llmpick: error: Ollama has no model 'llama3.2:3b' (not pulled)" in result.stderr


def test_generate_404_is_not_pulled(catalog, machine, ollama):
    ollama.fail("/api/generate", Fault(status=404, body=b'{"error": "model \'mistral:7b\' not found"}'))
    result = run("bench", "mistral:7b")
    assert result.exit_code == 2, result.output
    assert "Ollama has no model 'mistral:7b' (not pulled)" in result.stderr
    assert "hint: pull it with `ollama pull mistral:7b`" in result.stderr


def test_generate_answering_html(catalog, machine, ollama):
    ollama.fail("/api/generate", Fault(body=b"<html>proxy error</html>", content_type="text/html"))
    result = run("bench", "mistral:7b")
    assert result.exit_code == 3, result.output
    assert "answered with something that is not JSON (text/html)" in result.stderr


def test_a_hanging_generation_meets_the_deadline(catalog, machine, ollama):
    ollama.fail("/api/generate", Fault(delay=5))
    start = time.monotonic()
    result = run("bench", "mistral:7b", "--timeout", "1")
    assert time.monotonic() - start < 4
    assert result.exit_code == 3, result.output
    assert "gave no complete answer within 1 s" in result.stderr


def test_a_stream_cut_before_its_counters(catalog, machine, ollama):
    ollama.fail("/api/generate", Fault(cut=True))
    result = run("bench", "mistral:7b")
    assert result.exit_code == 3, result.output
    assert "ended the answer before its final counts" in result.stderr


def test_non_streamed_generation(ollama):
    from llmpick.runtimes.bench import run_ollama

    result = run_ollama(ollama.url, "mistral:7b", streamed=False)
    assert result.tokens_per_s == pytest.approx(32.0)


def test_unknown_model_name(catalog, machine, ollama):
    result = run("bench", "mistral-7b-v0.")
    assert result.exit_code == 2, result.output
    assert "unknown model 'mistral-7b-v0.'" in result.stderr


def test_fit_without_hardware_shows_only_the_measured_setting(catalog, machine, ollama):
    assert run("bench", "mistral-7b-v0.1").exit_code == 0
    rows = data(run("fit", "mistral-7b-v0.1", "--quant", "q4_k_m,q8_0", "--format", "json"))["rows"]
    speeds = {r["quant"]: (r["tokens_per_s"], r["tokens_per_s_measured"]) for r in rows}
    assert speeds == {"q4_k_m": (32.0, True), "q8_0": (None, False)}
    flagged = data(run("fit", "mistral-7b-v0.1", "--quant", "q4_k_m", "--vram", "24", "--format", "json"))["rows"]
    assert flagged[0]["tokens_per_s_measured"] is False  # hardware given by flags: not this machine


def test_fit_marks_installed_quantizations(catalog, machine, ollama, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    result = run("fit", "mistral-7b-v0.1", "--quant", "q4_k_m,q8_0", "--installed")
    assert result.exit_code == 0, result.output
    assert "q4_k_m ✓" in result.stdout and "q8_0 ✓" not in result.stdout
    assert "✓ installed here: mistral-7b-v0.1 (q4_k_m)" in result.stdout


@pytest.mark.parametrize(("given", "expected"), [
    ("127.0.0.1", "http://127.0.0.1:11434"), ("https://box:443/", "https://box:443"),
    ("[::1]:8080", "http://[::1]:8080"), ("http://host/v1/", "http://host:11434/v1")])
def test_base_url(given, expected):
    from llmpick.runtimes.http import base_url

    assert base_url(given, "OLLAMA_HOST", 11434) == expected
