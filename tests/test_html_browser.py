"""The HTML export in a real headless Chromium: it renders, sorts, filters, logs no error, fetches nothing."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import run
from tests.test_render import HOSTILE, hostile_catalog

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="no Chromium: install Debian's chromium and chromium-driver (.ci/run does) to run the browser tests",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def visible_ids(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    return [row.find_elements(By.TAG_NAME, "td")[0].text
            for row in driver.find_elements(By.CSS_SELECTOR, "#data tbody tr") if row.is_displayed()]


def test_page_sorts_filters_and_stays_offline(browser, tmp_path, monkeypatch):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    hostile_catalog(tmp_path, monkeypatch)  # the fixture catalog plus a card full of markup and formulas
    page = tmp_path / "models.html"
    result = run("export", "--format", "html", "--output", page,
                 "--columns", "id,name,params,license,commercial,memory_q4_k_m,mmlu")
    assert result.exit_code == 0, result.output
    browser.get(page.as_uri())

    ids = visible_ids(browser)
    assert ids == sorted(ids) and len(ids) == 7  # the hostile card's <script> did not run (no alert, no error)
    names = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#data tbody tr td:nth-child(2)")]
    assert any("<script>alert(1)</script>" in name for name in names)  # shown as text
    assert browser.find_element(By.ID, "count").text == "7 of 7 rows"

    header = browser.find_element(By.XPATH, "//th[button='Parameters']/button")
    header.click()
    assert visible_ids(browser)[:2] == ["bert-base-uncased", "llama-7b"]
    header.click()
    assert visible_ids(browser)[0] == "mixtral-8x7b-v0.1"
    assert browser.find_element(By.XPATH, "//th[button='Parameters']").get_attribute("aria-sort") == "descending"

    browser.find_element(By.ID, "filter").send_keys("apache")
    assert set(visible_ids(browser)) == {"mistral-7b-v0.1", "mixtral-8x7b-v0.1", "bert-base-uncased", "hostile"}
    assert browser.find_element(By.ID, "count").text == "4 of 7 rows"
    browser.find_element(By.ID, "filter").clear()
    browser.find_element(By.ID, "filter").send_keys(" ")  # clear() fires no input event; a key does
    Select(browser.find_element(By.ID, "verdict")).select_by_value("no")
    assert set(visible_ids(browser)) == {"llama-7b", "llama-13b", "vicuna-13b-v1.1"}

    # every model with a quality index (all but the encoder); too few figures to calibrate: each one estimated
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure svg circle")) == 6
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure svg circle.estimated")) == 6
    resources = browser.execute_script("return performance.getEntriesByType('resource').length")
    assert resources == 0
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    assert HOSTILE.split("\n")[0] in browser.page_source.replace("&lt;", "<").replace("&gt;", ">").replace(
        "&amp;", "&").replace("&quot;", '"')
