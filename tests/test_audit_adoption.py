"""Adoption files: the composite action and the pre-commit hook run the real CLI; docs/ci.md is current."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from llmpick.audit.findings import RULES
from llmpick.audit.policy import Policy
from llmpick.catalog import resolve
from tests.audit_helpers import shared_cache, warm_cache
from tests.conftest import run
from tests.test_audit_cli import APP

__all__ = ["shared_cache", "warm_cache"]  # fixtures

ROOT = Path(__file__).resolve().parent.parent
CI_DOC = (ROOT / "docs" / "ci.md").read_text()


def action_script() -> str:
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    return next(step["run"] for step in steps if step.get("name") == "llmpick audit")


@pytest.fixture
def action_env(tmp_path):
    """The environment the composite action's audit step sees, with its venv pointing at this one."""
    llmpick = shutil.which("llmpick", path=str(Path(sys.executable).parent))
    if llmpick is None:
        pytest.skip("the llmpick console script is not installed in this environment")
    venv = tmp_path / "runner" / "llmpick-venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "llmpick").symlink_to(llmpick)
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(APP)
    env = {**os.environ, "RUNNER_TEMP": str(tmp_path / "runner"), "SCAN": ".", "POLICY": "", "MANIFEST": "",
           "FORMAT": "", "OUTPUT": "", "WARN_ONLY": "false", "ARGS": ""}
    return project, env


def run_action(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-eo", "pipefail", "-c", action_script()], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60)


def test_action_fails_the_step_on_a_violation_and_writes_sarif(action_env):
    project, env = action_env
    done = run_action(project, {**env, "FORMAT": "sarif", "OUTPUT": "llmpick.sarif"})
    assert done.returncode == 1, done.stderr
    assert '"ruleId": "LLMPICK001"' in (project / "llmpick.sarif").read_text()
    assert "llmpick audit FAILED" in done.stderr


def test_action_warn_only_and_extra_args(action_env):
    project, env = action_env
    done = run_action(project, {**env, "WARN_ONLY": "true", "ARGS": "--sbom cyclonedx"})
    assert done.returncode == 0, done.stderr
    assert '"bomFormat": "CycloneDX"' in done.stdout


def test_action_inputs_are_the_ones_the_script_reads():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    env = next(step for step in action["runs"]["steps"] if step.get("name") == "llmpick audit")["env"]
    assert {value.removeprefix("${{ inputs.").removesuffix(" }}") for value in env.values()} == set(action["inputs"])
    for name in action["inputs"]:
        assert f"`{name}`" in CI_DOC, name


def test_pre_commit_hook_entry_is_a_working_audit_command(tmp_path, monkeypatch):
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] in CI_DOC and hook["pass_filenames"] is False
    program, *args = shlex.split(hook["entry"])
    assert program == "llmpick"
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    assert run(*args).exit_code == 1


def test_ci_doc_lists_every_rule_policy_field_and_resolution_rule():
    for rule in RULES.values():
        assert f"| {rule.id} | {rule.name} |" in CI_DOC
    for name in Policy.model_fields:
        assert f"| `{name}` |" in CI_DOC, name
    for name in re.findall(r"^\d\. ``([^`]+)``", resolve.__doc__, re.MULTILINE):
        assert f"`{name}`" in CI_DOC, name


def test_readme_has_a_three_line_actions_step_and_the_audit_exit_codes():
    readme = (ROOT / "README.md").read_text()
    step = re.search(r"```yaml\n(.*?)```", readme.split("### In CI", 1)[1], re.DOTALL).group(1)
    assert len(step.strip().splitlines()) == 3 and "llmpick@" in step
    assert "`audit`: a model the policy does not allow" in readme


def test_the_python_example_of_the_ci_doc_runs(tmp_path, monkeypatch, capsys):
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    example = re.search(r"## From Python\n\n```python\n(.*?)```", CI_DOC, re.DOTALL).group(1)
    exec(compile(example, "docs/ci.md", "exec"), {})
    assert capsys.readouterr().out.startswith("LLMPICK001 guanaco-7b effective license llama-1-research")
