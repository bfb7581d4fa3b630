import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmpick.audit.scan import Reference, scan, scan_hf_cache
from llmpick.audit.scan import base as scan_module
from llmpick.core.errors import UsageError
from tests.conftest import refuse_listing

PROJECT = Path(__file__).parent / "fixtures" / "project"


def found(result) -> list[tuple[str, str, str]]:
    return [(ref.location, ref.name, ref.kind) for ref in result.references]


def scan_file(tmp_path: Path, name: str, text: str) -> list[tuple[int, str, str]]:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return [(ref.line, ref.name, ref.kind) for ref in scan([path], root=tmp_path).references]


def test_fixture_project_finds_each_reference_with_file_and_line():
    result = scan([PROJECT], root=PROJECT)
    assert found(result) == [
        ("Dockerfile:4", "mistralai/Mistral-7B-v0.1", "hf"),
        ("Modelfile:1", "falcon:7b", "ollama"),
        ("app/broken.py:5", "tiiuae/falcon-7b", "hf"),
        ("app/serve.py:10", "databricks/dolly-v2-12b", "hf"),
        ("app/serve.py:11", "sentence-transformers/all-MiniLM-L6-v2", "hf"),
        ("app/serve.py:12", "acme-corp/internal-llm-7b", "hf"),
        ("app/serve.py:13", "falcon:7b", "ollama"),
        ("app/train.py:6", "huggyllama/llama-7b", "hf"),
        ("app/train.py:13", "lmsys/vicuna-13b-v1.5", "hf"),
        ("app/train.py:21", "mistralai/Mistral-7B-v0.1", "hf"),
        ("app/train.py:22", "facebook/opt-66b", "hf"),
        ("config/eval.toml:3", "facebook/opt-66b", "hf"),
        ("config/eval.toml:6", "databricks/dolly-v2-12b", "hf"),
        ("config/serve.json:4", "lmsys/vicuna-13b-v1.5", "hf"),
        ("config/train.yaml:3", "huggyllama/llama-7b", "hf"),
        ("config/train.yaml:7", "mistralai/Mistral-7B-v0.1", "hf"),
        ("scripts/fetch.sh:3", "TheBloke/Llama-2-7B-GGUF", "hf"),
        ("scripts/fetch.sh:5", "falcon:40b", "ollama"),
    ]
    vias = {ref.location: ref.via for ref in result.references}
    assert vias["app/train.py:6"] == "from_pretrained via BASE_MODEL"
    assert vias["app/serve.py:10"] == "pipeline(model=)"
    assert vias["app/serve.py:12"] == "vllm.LLM"
    assert vias["app/broken.py:5"] == "from_pretrained (fallback) via FALLBACK_MODEL"
    assert vias["config/train.yaml:3"] == "config:base_model"
    assert vias["Dockerfile:4"] == "huggingface-cli download"
    assert vias["scripts/fetch.sh:5"] == "ollama pull"
    assert vias["Modelfile:1"] == "Modelfile FROM"


def test_fixture_project_skips_binary_and_vendored_files_and_reports_the_fallback():
    result = scan([PROJECT], root=PROJECT)
    assert result.skipped == [("data/blob.yaml", "binary")]
    assert result.fallbacks == [("app/broken.py", "syntax error at line 7; scanned with patterns")]
    assert result.files_scanned == 10  # .venv/ and node_modules/ are not entered
    assert not any(ref.path.startswith((".venv", "node_modules", "data/")) for ref in result.references)


def test_local_paths_and_datasets_are_not_models():
    names = {ref.name for ref in scan([PROJECT], root=PROJECT).references}
    assert "checkpoints/final" not in names  # exists in the project: a local directory
    assert "tatsu-lab/alpaca" not in names  # a dataset, under `dataset:` and `--repo-type dataset`
    assert not any(name.endswith(".gguf") for name in names)  # Modelfile.local: FROM ./models/...gguf


def test_paths_are_relative_to_the_root(tmp_path, monkeypatch):
    monkeypatch.chdir(PROJECT)
    result = scan([Path("config/train.yaml")])
    assert [ref.location for ref in result.references] == ["config/train.yaml:3", "config/train.yaml:7"]
    outside = scan([PROJECT / "Modelfile"], root=tmp_path)
    assert outside.references[0].path == (PROJECT / "Modelfile").as_posix()


def test_a_file_given_twice_or_inside_a_given_directory_is_scanned_once():
    result = scan([PROJECT / "config", PROJECT / "config" / "train.yaml", PROJECT / "config"], root=PROJECT)
    assert result.files_scanned == 3
    assert len(result.references) == 5


def test_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does-not-exist"):
        scan([tmp_path / "does-not-exist"])


@pytest.mark.parametrize(("source", "expected"), [
    ('from transformers import pipeline\np = pipeline("text-generation", "org/one")\n', [(2, "org/one", "hf")]),
    ('pipeline(task="summarization", model="org/two")\n', [(1, "org/two", "hf")]),
    ('hf_hub_download("org/three", "config.json")\n', [(1, "org/three", "hf")]),
    ('snapshot_download(repo_id="org/four", revision="v1")\n', [(1, "org/four", "hf")]),
    ('def f():\n    name: str = "org/five"\n    return AutoModel.from_pretrained(name)\n', [(2, "org/five", "hf")]),
    ('import os\nM = os.environ.get("M", "org/six")\nLLM(model=M)\n', [(2, "org/six", "hf")]),
    ('AutoModel.from_pretrained("gpt2")\n', [(1, "gpt2", "hf")]),  # legacy id without an owner
    ('AutoModel.from_pretrained("output")\nAutoModel.from_pretrained("checkpoint-500")\n', []),  # local dirs
    ('AutoModel.from_pretrained("org/seven@v2.0")\n', [(1, "org/seven@v2.0", "hf")]),
    ('HuggingFaceEmbeddings(model_name="org/eight")\n', [(1, "org/eight", "hf")]),
    ('CONFIG = {"base_model": "org/nine", "lr": 1e-4}\n', [(1, "org/nine", "hf")]),
    ('ChatOllama(model="llama3.1:8b")\nollama.generate("qwen2:7b", "hi")\n',
     [(1, "llama3.1:8b", "ollama"), (2, "qwen2:7b", "ollama")]),
    ('AutoModel.from_pretrained("./out/org/model")\nAutoModel.from_pretrained("/models/org/m")\n', []),
    ('AutoModel.from_pretrained("org/model.safetensors")\nAutoModel.from_pretrained(f"org/{x}")\n', []),
    ('print("org/not-a-model")\nAutoModel.from_pretrained(unknown_name)\n', []),
    ('AutoModel.from_pretrained("https://huggingface.co/org/ten")\n', [(1, "org/ten", "hf")]),
    ('def load(name="org/eleven", *, rev="main"):\n    return AutoModel.from_pretrained(name, revision=rev)\n',
     [(1, "org/eleven", "hf")]),
    ('class Svc:\n    def __init__(self):\n        self.repo = "org/twelve"\n\n    def load(self):\n'
     '        return SentenceTransformer(self.repo)\n', [(3, "org/twelve", "hf")]),
    ('p.add_argument("-m", "--model-name-or-path", default="org/thirteen")\np.add_argument("--out", default="a/b")\n',
     [(1, "org/thirteen", "hf")]),
    ('@dataclass\nclass Args:\n    base_model: str = field(default="org/fourteen")\n', [(3, "org/fourteen", "hf")]),
    ('MODEL_ID = "org/fifteen"\nOTHER = "org/not-a-model"\nrun(MODEL_ID)\n', [(1, "org/fifteen", "hf")]),
])
def test_python_call_shapes(tmp_path, source, expected):
    assert scan_file(tmp_path, "m.py", source) == expected


def test_a_constant_used_twice_is_reported_once_at_its_definition(tmp_path):
    source = 'M = "org/m"\na = AutoTokenizer.from_pretrained(M)\nb = AutoModel.from_pretrained(M)\n'
    assert scan_file(tmp_path, "m.py", source) == [(1, "org/m", "hf")]


def test_python_fallback_handles_multiline_calls(tmp_path):
    source = 'x = (\nmodel = AutoModel.from_pretrained(\n    "org/late",\n)\n'
    (tmp_path / "m.py").write_text(source)
    result = scan([tmp_path / "m.py"], root=tmp_path)
    assert [(r.line, r.name) for r in result.references] == [(3, "org/late")]
    assert result.fallbacks[0][0] == "m.py"


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("dl.sh", "huggingface-cli download --revision main --local-dir=/m org/a\n", [(1, "org/a", "hf")]),
    ("dl.sh", "hf download --repo-type=dataset org/data\nhf download --repo-type model org/b\n",
     [(2, "org/b", "hf")]),
    ("dl.sh", "set -e\nhuggingface-cli download \\\n  org/c \\\n  --include '*.json'\n", [(3, "org/c", "hf")]),
    ("Dockerfile", "FROM python:3.12\nRUN ollama serve & sleep 2 && ollama pull llama3:8b\n",
     [(2, "llama3:8b", "ollama")]),
    ("run.sh", "ollama run --verbose hf.co/org/d-GGUF:Q4_K_M 'hello'\n", [(1, "org/d-GGUF", "hf")]),
    ("run.sh", "ollama run ./not-a-model.gguf\necho ollama pull \"$MODEL\"\n", []),
    ("Modelfile", "# base\nfrom qwen2.5:7b\nPARAMETER num_ctx 4096\n", [(2, "qwen2.5:7b", "ollama")]),
    ("Modelfile", "FROM /srv/models/x.gguf\n", []),
    ("Modelfile", "FROM hf.co/org/e-GGUF\n", [(1, "org/e-GGUF", "hf")]),
    (".github/workflows/ci.yml", "jobs:\n  t:\n    steps:\n      - run: huggingface-cli download org/f\n",
     [(4, "org/f", "hf")]),
    ("litellm.yaml", "model_list:\n  - litellm_params:\n      model: ollama/llama2:13b\n",
     [(3, "llama2:13b", "ollama")]),
    ("dl.sh", "hf download tatsu-lab/alpaca --repo-type dataset\n", []),  # the option may follow the repo
    ("serve.sh", "vllm serve org/g --port 8000\npython train.py --model_name_or_path=org/h --output_dir out\n",
     [(1, "org/g", "hf"), (2, "org/h", "hf")]),
    ("compose.yaml", "services:\n  tgi:\n    image: ghcr.io/huggingface/text-generation-inference\n"
     "    command: --model-id org/i --port 80\n", [(4, "org/i", "hf")]),
    ("Dockerfile", "ARG BASE_MODEL=org/j\nENV MODEL_ID=\"org/k\"\nENV PATH=/usr/bin\n",
     [(1, "org/j", "hf"), (2, "org/k", "hf")]),
    ("prod.env", "MODEL_NAME=org/l\nHF_TOKEN=secret/value\n", [(1, "org/l", "hf")]),
])
def test_commands_modelfiles_and_config(tmp_path, name, text, expected):
    assert scan_file(tmp_path, name, text) == expected


def notebook(*cells: list[str]) -> str:
    import json

    return json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["Uses org/prose\n"]}] + [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": cell}
        for cell in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1, sort_keys=True)


def test_notebook_cells_are_one_module_and_lines_are_the_notebook_files(tmp_path):
    text = notebook(["!pip install transformers\n", "!huggingface-cli download org/shell\n", 'MODEL = "org/m"\n',
                     "%time x = 1"],
                    ["m = AutoModel.from_pretrained(MODEL)\n", "p = pipeline('text-generation', model='org/p')"])
    (tmp_path / "nb.ipynb").write_text(text)
    result = scan([tmp_path], root=tmp_path)
    lines = text.splitlines()
    assert [(ref.name, lines[ref.line - 1].strip()) for ref in result.references] == [
        ("org/shell", '"!huggingface-cli download org/shell\\n",'),
        ("org/m", '"MODEL = \\"org/m\\"\\n",'),
        ("org/p", '"p = pipeline(\'text-generation\', model=\'org/p\')"'),
    ]
    assert result.fallbacks == []


def test_notebook_with_a_syntax_error_or_broken_json_falls_back(tmp_path):
    (tmp_path / "bad.ipynb").write_text(notebook(["def f(:\n", "AutoModel.from_pretrained('org/x')"]))
    (tmp_path / "torn.ipynb").write_text('{"cells": [ "!hf download org/y\n')
    result = scan([tmp_path], root=tmp_path)
    assert [(ref.path, ref.name) for ref in result.references] == [("bad.ipynb", "org/x"), ("torn.ipynb", "org/y")]
    assert result.fallbacks == [("bad.ipynb", "syntax error at line 1; scanned with patterns"),
                                ("torn.ipynb", "not a valid notebook; scanned for commands only")]


@pytest.mark.parametrize(("name", "text", "reason"), [
    ("bad.yaml", "model: org/a\n  broken: [\n", "invalid YAML; scanned line by line"),
    ("bad.json", '{"model": "org/a",\n', "invalid JSON; scanned line by line"),
    ("bad.toml", 'model = "org/a"\n[[\n', "invalid TOML; scanned line by line"),
])
def test_invalid_config_is_scanned_line_by_line_and_reported(tmp_path, name, text, reason):
    (tmp_path / name).write_text(text)
    result = scan([tmp_path], root=tmp_path)
    assert [(r.line, r.name) for r in result.references] == [(1, "org/a")]
    assert result.fallbacks == [(name, reason)]


def test_json_and_toml_report_only_parsed_values(tmp_path):
    (tmp_path / "a.json").write_text('{"note": "model: org/in-a-string", "model": "org/real"}\n')
    (tmp_path / "b.toml").write_text('# model = "org/commented"\nmodel = "org/real"\n')
    assert found(scan([tmp_path], root=tmp_path)) == [("a.json:1", "org/real", "hf"), ("b.toml:2", "org/real", "hf")]


def test_unreadable_entries_are_skipped_and_counted(tmp_path, monkeypatch):
    (tmp_path / "ok.py").write_text('AutoModel.from_pretrained("org/ok")\n')
    (tmp_path / "dangling.py").symlink_to(tmp_path / "gone.py")
    os.mkfifo(tmp_path / "pipe.sh")  # opening it would block: it must not be read
    (tmp_path / "locked.py").write_text('AutoModel.from_pretrained("org/locked")\n')
    real_open = os.open

    def open_(path, flags, *args, **kwargs):
        if os.path.basename(path) == "locked.py":
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    result = scan([tmp_path], root=tmp_path)
    assert found(result) == [("ok.py:1", "org/ok", "hf")]
    assert result.skipped == [
        ("dangling.py", "unreadable: No such file or directory"),
        ("locked.py", "unreadable: Permission denied"),
        ("pipe.sh", "not a regular file"),
    ]
    assert result.files_scanned == 1


def test_unreadable_directory_is_skipped(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    refuse_listing(monkeypatch, "sub")
    assert scan([tmp_path], root=tmp_path).skipped == [("sub", "unreadable: Permission denied")]


def test_large_files_are_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_FILE_BYTES", 10)
    (tmp_path / "big.py").write_text('AutoModel.from_pretrained("org/big")\n')
    result = scan([tmp_path], root=tmp_path)
    assert result.references == []
    assert result.skipped == [("big.py", "too large (37 bytes; the limit is 10)")]


def make_cache(root: Path, *repos: str, empty: tuple[str, ...] = ()) -> Path:
    for repo in repos:
        snapshot = root / repo / "snapshots" / "0123abcd"
        snapshot.mkdir(parents=True)
        (snapshot / "config.json").write_text("{}")
    for repo in empty:
        (root / repo / "blobs").mkdir(parents=True)
    return root


def test_hf_cache_lists_complete_model_repos(tmp_path):
    cache = make_cache(tmp_path, "models--huggyllama--llama-7b", "models--TheBloke--Llama-2-7B-GGUF", "models--gpt2",
                       "datasets--tatsu-lab--alpaca", empty=("models--org--interrupted",))
    (cache / "version.txt").write_text("1")
    result = scan_hf_cache(cache)
    assert result.references == [
        Reference("TheBloke/Llama-2-7B-GGUF", "hf", "", 0, "hf-cache"),
        Reference("gpt2", "hf", "", 0, "hf-cache"),
        Reference("huggyllama/llama-7b", "hf", "", 0, "hf-cache"),
    ]
    assert result.skipped == [("models--org--interrupted", "no snapshot (download incomplete or deleted)")]
    assert result.files_scanned == 4


@pytest.mark.parametrize(("env", "where"), [
    ({"HF_HUB_CACHE": "{tmp}/custom"}, "custom"),
    ({"HF_HOME": "{tmp}/home"}, "home/hub"),
    ({"XDG_CACHE_HOME": "{tmp}/xdg"}, "xdg/huggingface/hub"),
])
def test_hf_cache_default_location(tmp_path, monkeypatch, env, where):
    for name in ("HF_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))
    make_cache(tmp_path / where, "models--org--m")
    assert [ref.name for ref in scan_hf_cache().references] == ["org/m"]


def test_missing_hf_cache_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no Hugging Face cache") as info:
        scan_hf_cache(tmp_path / "nowhere")
    assert "HF_HUB_CACHE" in info.value.hint


SCANNED_NAMES = ["x.py", "x.yaml", "x.json", "x.toml", "x.sh", "Dockerfile", "Modelfile", "x.ipynb", "x.env"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400) | st.lists(st.sampled_from([
    "from_pretrained(", "pipeline(", "model=", "model: ", '"org/name"', "'", "(", ")", "\n", "\\\n", "FROM ",
    "ollama pull ", "hf download ", "--repo-type", "=", "@", ":", "{", "[", "#", " ", "M", "hf.co/", "ollama/",
]), max_size=40).map("".join), name=st.sampled_from(SCANNED_NAMES))
def test_scanner_never_raises_on_arbitrary_text(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    result = scan([path], root=tmp_path)
    assert result.references == sorted(result.references, key=lambda r: (r.path, r.line, r.name, r.kind, r.via))
    for ref in result.references:
        assert 1 <= ref.line <= text.count("\n") + 1
        assert ref.kind in ("hf", "ollama")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(st.text(max_size=40) | st.sampled_from(
    ["MODEL = 'org/m'\n", "!hf download org/n\n", "AutoModel.from_pretrained(MODEL)", "%%bash\n", "def f(:\n"]),
    max_size=5), max_size=4))
def test_notebook_scanner_never_raises_and_lines_stay_in_the_file(tmp_path, cells):
    text = notebook(*cells)
    (tmp_path / "nb.ipynb").write_text(text)
    for ref in scan([tmp_path / "nb.ipynb"], root=tmp_path).references:
        assert 1 <= ref.line <= text.count("\n") + 1


def test_results_merge_in_order_without_duplicates(tmp_path):
    cache = make_cache(tmp_path / "cache", "models--huggyllama--llama-7b", empty=("models--org--partial",))
    result = scan([PROJECT / "config"], root=PROJECT)
    result.merge(scan_hf_cache(cache))
    result.merge(scan([PROJECT / "config" / "train.yaml"], root=PROJECT))
    assert found(result)[0] == ("", "huggyllama/llama-7b", "hf")
    assert len(result.references) == 6
    assert result.files_scanned == 3 + 2 + 1
    assert result.skipped == [("models--org--partial", "no snapshot (download incomplete or deleted)")]
