"""--region: licenses that grant no rights in a territory (issue 18: Hunyuan's Territory, Llama 3.2/4 multimodal)."""

from __future__ import annotations

import json

import pytest
from conftest import run, write_card

from llmpick.core import vocab

# Tencent Hunyuan Community License: "Territory" excludes the European Union, the United Kingdom and South Korea.
# Llama 3.2 and 4 AUPs: the multimodal models' Section 1(a) rights are not granted to EU-domiciled licensees.
LICENSES = """\
- id: terra-limited
  name: Terra Limited License
  url: https://terra.example/license
  commercial: conditional
  conditions: [region-restriction]
  excluded_regions: [EU, GB]
  summary: No rights in the EU or the UK.
- id: terra-vision
  name: Terra Vision License
  url: https://terra.example/vision
  commercial: conditional
  conditions: [region-restriction]
  excluded_regions: [EU]
  excluded_regions_scope: multimodal
  summary: No rights to the multimodal models in the EU.
"""


def rejections(*args: str) -> dict[str, str]:
    result = run("recommend", *args, "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    return {r["model"]: r["reason"] for r in data["rejections"] if r["rule"] == "region"}


def test_builtin_territorial_exclusions_follow_the_licence_texts():
    de = rejections("--commercial", "--region", "DE", "--vram", "400")
    assert "grants no rights in EU" in de["hunyuan-a13b-instruct"]
    assert "for multimodal models" in de["llama-4-scout-17b-16e-instruct"]
    assert "llama-3.2-3b-instruct" not in de  # text-only: the Llama 3.2 restriction covers multimodal models
    gb = rejections("--region", "uk", "--vram", "400")  # the EU's old code for the United Kingdom
    assert "grants no rights in GB" in gb["hunyuan-a13b-instruct"]
    assert "llama-4-scout-17b-16e-instruct" not in gb
    assert rejections("--region", "US", "--vram", "400") == {}


def test_exclusion_is_inherited_from_the_base_model(tmp_path):
    (tmp_path / "licenses.yaml").write_text(LICENSES)
    write_card(tmp_path / "models", id="terra-base", license="terra-limited", hf_repos=["t/base"])
    write_card(tmp_path / "models", id="terra-tune", license="apache-2.0", base_model="terra-base",
               hf_repos=["t/tune"])
    write_card(tmp_path / "models", id="terra-eye", license="terra-vision", hf_repos=["t/eye"],
               modalities=["text", "image"])
    write_card(tmp_path / "models", id="terra-text", license="terra-vision", hf_repos=["t/text"])
    found = rejections("--catalog", str(tmp_path), "--region", "FR")
    assert found["terra-tune"] == "license terra-limited via base terra-base grants no rights in EU (--region FR)"
    assert "terra-base" in found and "terra-eye" in found
    assert "terra-text" not in found
    assert not set(rejections("--catalog", str(tmp_path), "--region", "CH")) & {"terra-base", "terra-tune", "terra-eye"}


def test_export_and_profiles_take_the_region(tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("region: KR\n")
    result = run("export", "--profile", str(profile), "--format", "json", "--columns", "id")
    assert result.exit_code == 0, result.output
    ids = {row["id"] for row in json.loads(result.stdout)["data"]["models"]}
    assert "hunyuan-a13b-instruct" not in ids and "llama-4-scout-17b-16e-instruct" in ids


@pytest.mark.parametrize("value", ["Europe", "XX", "", "D"])
def test_unknown_region_is_a_usage_error(value):
    result = run("recommend", "--region", value, "--vram", "12")
    assert result.exit_code == 2
    assert "unknown region" in result.output and "ISO 3166-1" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("entry", "words"), [
    ("  excluded_regions: [EU]\n", "needs the condition region-restriction"),
    ("  conditions: [region-restriction]\n  excluded_regions: [Mars]\n", "unknown region 'Mars'"),
])
def test_bad_excluded_regions_are_located(tmp_path, entry, words):
    (tmp_path / "licenses.yaml").write_text("- id: odd\n  name: Odd\n  url: https://odd.example\n  commercial: 'no'\n"
                                            "  summary: Odd.\n" + entry)
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1
    assert "licenses.yaml:" in result.output and words in result.output


def test_region_vocabulary():
    assert len(vocab.COUNTRIES) == 249 and len(vocab.EU_MEMBERS) == 27 and vocab.EU_MEMBERS <= vocab.COUNTRIES
    assert vocab.region_code(" de ") == "DE" and vocab.region_code("EL") == "GR" and vocab.region_code("EU") == "EU"
    assert vocab.region_within("IE", "EU") and not vocab.region_within("GB", "EU") and vocab.region_within("GB", "GB")
