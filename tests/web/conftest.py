"""Browser fixtures: the app served by a real HTTP server and headless Chromium sized like a phone (or a laptop).

The live server answers on its own database connections, so the data these tests use is committed for real
(unique unit codes keep runs apart) instead of living in the rolled-back `db_session` transaction."""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from werkzeug.serving import make_server

from survey_api.extensions import db
from tests.conftest import skip_or_fail
from tests.factories import create_campaign, create_unit

from .console_client import sign_in

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PHONE_WIDTH, PHONE_HEIGHT, PIXEL_RATIO = 390, 844, 3.0
LAPTOP_WIDTH, LAPTOP_HEIGHT = 1280, 900
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# A mobile browser lays out a page without a viewport meta tag 980 px wide, so measure on one that has it.
VIEWPORT_PROBE = "data:text/html,<meta name='viewport' content='width=device-width, initial-scale=1'><p>probe</p>"


@dataclass(frozen=True)
class Survey:
    """One committed open campaign over one unit, and the public address of its questionnaire."""

    unit_code: str
    unit_name: str
    title: str
    token: str
    url: str


@pytest.fixture(scope="session")
def live_server(app):
    """The base URL of the app served by werkzeug on a free local port in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def survey(app, live_server) -> Survey:
    """A fresh unit with an open campaign, committed so the live server sees it; each test gets its own link."""
    code = f"WEB{uuid.uuid4().hex[:10].upper()}"
    with app.app_context():
        unit = create_unit(code=code, name="城关街道")
        campaign = create_campaign(units=[unit])
        db.session.commit()
        token = campaign.links[0].link_token
        found = Survey(
            unit_code=code, unit_name=unit.name, title=campaign.title, token=token, url=f"{live_server}/s/{token}"
        )
    return found


def _chrome(profile_dir: str, javascript: bool, width: int, height: int, mobile: bool = True):
    """Start headless Chromium emulating a phone of the given size (with mobile=False, a desktop screen at pixel
    ratio 1); skip (or fail in CI) when it cannot run."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            skip_or_fail(f"{path} is not installed")
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile_dir}")
    metrics = {"width": width, "height": height, "pixelRatio": PIXEL_RATIO}
    emulate_with_devtools = not (mobile and javascript)
    if not mobile:
        options.add_argument(f"--window-size={width},{height}")
    elif javascript:
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    if not javascript:
        # With mobileEmulation, chromedriver taps through touch events and its clicks and typing hang when the
        # page may not run scripts; so this phone gets the same screen through the DevTools emulation instead.
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except WebDriverException as error:
        skip_or_fail(f"cannot start headless Chromium: {error.msg}")
    if emulate_with_devtools:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": PIXEL_RATIO if mobile else 1, "mobile": mobile},
        )
    driver.set_page_load_timeout(30)
    driver.get(VIEWPORT_PROBE)
    inner_width = driver.execute_script("return window.innerWidth")
    if inner_width != width:
        driver.quit()
        pytest.fail(f"screen emulation gave window.innerWidth {inner_width}, expected {width}")
    return driver


@pytest.fixture(scope="module")
def chrome_factory(tmp_path_factory) -> Callable:
    """Make extra browsers (another size, say); every one made is closed at the end of the module."""
    drivers = []

    def make(javascript: bool = True, width: int = PHONE_WIDTH, height: int = PHONE_HEIGHT, mobile: bool = True):
        driver = _chrome(str(tmp_path_factory.mktemp("chrome-profile")), javascript, width, height, mobile)
        drivers.append(driver)
        return driver

    yield make
    for driver in drivers:
        driver.quit()


@pytest.fixture(scope="module")
def browser(chrome_factory):
    """A 390×844 phone with JavaScript on."""
    return chrome_factory(javascript=True)


@pytest.fixture(scope="module")
def browser_no_js(chrome_factory):
    """A 390×844 phone with JavaScript switched off by Chrome's content setting."""
    return chrome_factory(javascript=False)


@pytest.fixture(scope="module")
def laptop(chrome_factory):
    """A 1280×900 desktop browser (pixel ratio 1, not a mobile device) with JavaScript on, for the console."""
    return chrome_factory(javascript=True, width=LAPTOP_WIDTH, height=LAPTOP_HEIGHT, mobile=False)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    """Where the tests leave phone screenshots for a human to look at: BROWSER_SCREENSHOT_DIR, else a tmp dir."""
    chosen = os.environ.get("BROWSER_SCREENSHOT_DIR")
    if not chosen:
        return tmp_path_factory.mktemp("screenshots")
    folder = Path(chosen)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def signed_in(app, persona_tokens):
    """signed_in("admin") is a test client with that persona's console session."""

    def make(name: str):
        client = app.test_client()
        assert sign_in(client, f"p_{name}").status_code == 302
        return client

    return make
