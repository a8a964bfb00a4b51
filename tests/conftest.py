"""Shared fixtures: the real dataset (loaded once) and small arrays for fast tests."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Page tests get the whole Train page at once, sparing each first run its half-second wait before the settings
# (tests/test_pages.py and tests/test_browser.py check that first view on their own; app servers use the default).
os.environ["PLAYGROUND_SETTINGS_DELAY"] = "0"


@pytest.fixture(scope="session")
def fashion():
    """The real Fashion-MNIST, from the Debian package or FASHION_MNIST_DIR; the suite needs it."""
    from playground.data.fashion_mnist import load_fashion_mnist

    return load_fashion_mnist()


# -- For the browser tests: one app server and one Chromium per test module ------------------------------


@pytest.fixture(scope="module")
def app_url():
    """The real app started with `streamlit run`, for this module's tests."""
    from tests.appserver import running_app

    with running_app() as (url, _, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through Playwright, for this module's tests."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="install requirements-dev.txt")
    from tests.appserver import launch_chromium

    with playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()
