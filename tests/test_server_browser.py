"""The check-and-submit page in a real browser: Debian's chromium driven by its chromedriver
(selenium; selenium-manager never downloads a browser) against `fourgood serve` started on
127.0.0.1. Uploads a real filled form, reads the verdict, submits it with a token, and saves the
screenshot shown in the README (docs/img/trang-kiem-tra.png)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="chromium + chromium-driver not installed (.ci/install installs them)")
webdriver = pytest.importorskip("selenium.webdriver")

from fourgood.server import token_command  # noqa: E402

from .helpers import scores_totalling  # noqa: E402
from .server_process import Served  # noqa: E402
from .server_support import form, write_roster  # noqa: E402

SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "img" / "trang-kiem-tra.png"


@pytest.fixture
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,1300",
                "--lang=vi"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def _wait_text(driver, element_id: str, contains: str, timeout: float = 30) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: contains in d.find_element(By.ID, element_id).text)
    return driver.find_element(By.ID, element_id).text


@pytest.mark.slow
def test_the_page_checks_a_form_shows_located_problems_and_submits_it(browser, tmp_path, template_dir, specs, capsys):
    from selenium.webdriver.common.by import By

    roster = write_roster(template_dir, tmp_path / "danh-sach.xlsx")
    inbox = tmp_path / "hop-thu"
    token_command("add", inbox=str(inbox), unit="BV", role="unit")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    spec = specs["public_service"]
    scores = scores_totalling(spec, 100)
    scores["1.1"] = spec.criteria[0].max + 1
    bad = form(template_dir, specs, tmp_path / "CB Khoa Noi A - thang 11.xlsx", "BV-01", self_scores=scores)
    good = form(template_dir, specs, tmp_path / "CB Khoa Noi B - thang 11.xlsx", "BV-02", 96.5)
    with Served(inbox, roster) as server:
        browser.get(server.url + "/")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Kiểm tra và nộp phiếu “Chi bộ 4 tốt”"
        browser.find_element(By.ID, "tep").send_keys(str(bad))
        assert _wait_text(browser, "ket-luan", "lỗi") == "Còn 1 lỗi cần sửa"
        rows = browser.find_elements(By.CSS_SELECTOR, "#loi tbody tr")
        cells = [td.text for td in rows[0].find_elements(By.TAG_NAME, "td")]
        assert cells[0] == "Lỗi" and cells[1] == "Chấm điểm" and cells[3] == "1.1" and cells[5] == "score_above_max"
        assert cells[4].startswith("Tiêu chí 1.1: điểm")
        assert browser.find_element(By.ID, "nop").get_attribute("disabled")  # a form with errors cannot be sent
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(tmp_path / "loi.png"))
        browser.find_element(By.ID, "tep").send_keys(str(good))
        assert _wait_text(browser, "ket-luan", "96,5") == "Đạt “Chi bộ 4 tốt”: 96,5 điểm"
        assert browser.find_element(By.ID, "kq-ma").text == "BV-02"
        assert browser.find_element(By.ID, "kq-ky").text == "Tháng 11 năm 2026"
        browser.find_element(By.ID, "ma-truy-cap").send_keys(token)
        browser.find_element(By.ID, "nop").click()
        receipt = _wait_text(browser, "bien-nhan", "Số biên nhận")
        assert receipt.startswith("Đã nhận phiếu của chi bộ BV-02, kỳ Tháng 11 năm 2026. Số biên nhận: ")
        stored = list(inbox.iterdir())
        assert [p.read_bytes() for p in stored] == [good.read_bytes()]
        # the page works under its Content-Security-Policy: nothing it uses was blocked
        blocked = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
        assert not blocked, blocked
        shutil.copy(tmp_path / "loi.png", SCREENSHOT)
