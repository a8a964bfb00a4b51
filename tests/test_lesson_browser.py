"""The Lesson in headless Chromium at a projector's 1280×720 and on a phone: every step, Next, a link, an exercise."""

from __future__ import annotations

import time

import pytest

from playground.lesson import STEPS, lesson_facts
from tests.appserver import ROOT, launch_chromium, running_app

playwright_api = pytest.importorskip("playwright.sync_api", reason="install requirements-dev.txt")
pytestmark = pytest.mark.browser
SHOTS = ROOT / "artifacts" / "screenshots" / "lesson"
TITLES = [step.filled(lesson_facts(60000, 10000, 10, 28)).title for step in STEPS]
PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def app_url():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app() as (url, _, _):
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


def settle(page, seconds: float = 1.0) -> None:
    time.sleep(seconds)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def heading(page, title: str) -> None:
    page.get_by_role("heading", name=title).first.wait_for(timeout=90_000)


def test_walk_the_lesson_on_a_projector(browser, app_url):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.goto(f"{app_url}/lesson")
    for number, title in enumerate(TITLES, start=1):
        heading(page, title)
        settle(page)
        no_exception(page)
        assert page.url.endswith(f"step={number}") or f"step={number}&" in page.url, page.url
        page.screenshot(path=str(SHOTS / f"step{number}_top.png"))  # what the room sees first
        page.locator(".st-key-lesson_next").scroll_into_view_if_needed()  # the app scrolls inside its main area
        time.sleep(0.3)
        page.screenshot(path=str(SHOTS / f"step{number}_bottom.png"))
        if number < len(TITLES):
            page.locator(".st-key-lesson_next button").click()
    page.locator(".st-key-lesson_back button").click()
    heading(page, TITLES[-2])
    context.close()


def test_a_link_and_an_exercise_on_a_projector(browser, app_url):
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.goto(f"{app_url}/lesson?step=9&exercise=3")
    heading(page, TITLES[8])
    settle(page)
    page.locator(".st-key-ex3_show button").first.click()
    page.get_by_text("ValueError").first.wait_for(timeout=30_000)
    settle(page)
    no_exception(page)
    page.get_by_text("Keras stops").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "exercise3_answer.png"))
    page.goto(f"{app_url}/lesson?step=6")
    heading(page, TITLES[5])
    settle(page)
    page.locator(".st-key-step_overfit_show button").first.click()
    page.get_by_text("overfitting").last.wait_for(timeout=30_000)
    settle(page)
    no_exception(page)
    page.get_by_text("overfitting").last.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "step6_answer.png"))
    context.close()


def test_the_lesson_on_a_phone(browser, app_url):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{app_url}/lesson?step=2")
    heading(page, TITLES[1])
    settle(page)
    no_exception(page)
    page.screenshot(path=str(SHOTS / "phone_step2_top.png"))
    page.locator(".st-key-lesson_next").scroll_into_view_if_needed()
    time.sleep(0.3)
    page.screenshot(path=str(SHOTS / "phone_step2_bottom.png"))
    context.close()
