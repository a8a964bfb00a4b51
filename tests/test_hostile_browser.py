"""The real app in headless Chromium meets the files that crashed and hung it: a plain message each time, the
server up for everyone, a second visitor unaffected, and the valid model still loading after them."""

from __future__ import annotations

import urllib.request

import pytest

from tests.appserver import no_exception, settle
from tests.hostile import make

playwright_api = pytest.importorskip("playwright.sync_api", reason="install requirements-dev.txt")
pytestmark = pytest.mark.browser
MODEL_INPUT = ".st-key-model_file [data-testid='stFileUploaderDropzoneInput']"
# The files that, before the sandbox, crashed the server (HDF5's fletcher32 filter on a chunk of size 0), hung
# every visitor's model upload (external storage naming a FIFO) or read a file of the server's (a canary).
HOSTILE = ("fletcher32 chunk of size 0", "external storage: FIFO", "external storage: canary", "bzip2 bomb 1.25 GB")


def open_upload(page, url: str) -> None:
    page.goto(f"{url}/try_it")
    page.get_by_role("heading", name="Try it").first.wait_for(timeout=90_000)
    settle(page)
    page.get_by_text("A model you upload").click()
    page.locator(MODEL_INPUT).wait_for(state="attached", timeout=30_000)


def test_crashing_and_hanging_files_get_a_plain_message_and_the_server_lives(browser, app_url, tmp_path):
    page = browser.new_context(viewport={"width": 1280, "height": 1200}).new_page()
    open_upload(page, app_url)
    for number, name in enumerate(HOSTILE):
        folder = tmp_path / str(number)
        folder.mkdir()
        path = folder / f"hostile{number}.keras"
        path.write_bytes(make(name, folder))
        page.locator(MODEL_INPUT).set_input_files(str(path))
        page.get_by_text(f"“hostile{number}.keras” was not loaded.").wait_for(timeout=20_000)
        settle(page)
        no_exception(page)
        text = page.locator("[data-testid='stMain']").inner_text()
        if (folder / "canary.bin").exists():
            secret = (folder / "canary.bin").read_bytes()
            assert secret.decode("latin-1") not in text and secret.hex() not in text
        with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=5) as health:
            assert health.status == 200
    # Another visitor, meanwhile, gets a model loaded as usual.
    other = browser.new_context(viewport={"width": 1280, "height": 1200}).new_page()
    open_upload(other, app_url)
    valid = tmp_path / "valid.keras"
    valid.write_bytes(make("valid", tmp_path))
    other.locator(MODEL_INPUT).set_input_files(str(valid))
    other.get_by_text("Answering: valid.keras").wait_for(timeout=20_000)
    no_exception(other)
    assert "Connection error" not in page.content()
    page.context.close()
    other.context.close()
