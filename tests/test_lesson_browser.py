"""The Lesson in headless Chromium at a projector's 1280×720 and on a phone: every step, Next, a link, a drawing,
exercises. Screenshots go to artifacts/screenshots/lesson/ to be looked at."""

from __future__ import annotations

import time

import pytest

from playground.lesson.steps import STEPS, lesson_facts
from tests.appserver import ROOT, no_exception, settle

playwright_api = pytest.importorskip("playwright.sync_api", reason="install requirements-dev.txt")
pytestmark = pytest.mark.browser
SHOTS = ROOT / "artifacts" / "screenshots" / "lesson"
SHOTS.mkdir(parents=True, exist_ok=True)
TITLES = [step.filled(lesson_facts(60000, 10000, 10, 28)).title for step in STEPS]
PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
TRY_STEP = 1 + [step.key for step in STEPS].index("try")


def heading(page, title: str) -> None:
    page.get_by_role("heading", name=title).first.wait_for(timeout=90_000)


def step_shown(page, number: int, title: str) -> None:
    """The step is drawn to its end (its link at the bottom), and its title is on screen, not scrolled away."""
    heading(page, title)
    page.locator("code", has_text=f"?step={number}").first.wait_for(timeout=90_000)
    settle(page)
    top = page.get_by_role("heading", name=title).first.bounding_box()["y"]
    assert 0 <= top < page.viewport_size["height"] / 2, f"step {number}'s title is at {top} px: scrolled away"


def fits_the_width(page) -> None:
    """Nothing pushes the page sideways: a phone would have to scroll left and right to read it."""
    overflow = page.evaluate(
        """() => { const main = document.querySelector('[data-testid="stMain"]') || document.body;
        return main.scrollWidth - main.clientWidth; }"""
    )
    assert overflow <= 1, f"the page is {overflow} px wider than the screen"


TROUSER_STROKES = (((0.3, 0.15), (0.7, 0.15)), ((0.35, 0.15), (0.33, 0.9)), ((0.65, 0.15), (0.67, 0.9)))
INK = """(canvas, points) => {
  const scale = canvas.width / canvas.clientWidth, pen = canvas.getContext('2d');
  const at = (share, size) => Math.round(share * size * scale);
  return points.map(([x, y]) => pen.getImageData(at(x, canvas.clientWidth), at(y, canvas.clientHeight), 1, 1).data[0]);
}"""


def draw_trousers(page) -> None:
    """A waistband and two legs on the Lesson's canvas, with the mouse, each stroke answered before the next."""
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    canvas.wait_for(timeout=30_000)
    box = canvas.bounding_box()
    left, top, side = box["x"], box["y"], box["width"]
    for start, end in TROUSER_STROKES:
        page.mouse.move(left + start[0] * side, top + start[1] * side)
        page.mouse.down()
        for fraction in range(1, 21):
            x = start[0] + (end[0] - start[0]) * fraction / 20
            y = start[1] + (end[1] - start[1]) * fraction / 20
            page.mouse.move(left + x * side, top + y * side)
        page.mouse.up()
        settle(page, 0.5)  # the page reruns after every stroke: the canvas must keep what was drawn
    middles = [[(a + b) / 2 for a, b in zip(*stroke, strict=True)] for stroke in TROUSER_STROKES]
    drawn = page.locator("canvas.dc-canvas.lower-canvas").first.evaluate(
        INK, middles
    )  # the strokes, not the background
    assert all(red > 200 for red in drawn), f"a stroke was lost on a rerun: red at the strokes' middles {drawn}"


def walk_the_lesson(page, app_url: str, shot_prefix: str) -> None:
    """Every step by Next, from its top (screenshot) to its bottom (screenshot), drawing on the try-it step."""
    page.goto(f"{app_url}/lesson")
    for number, title in enumerate(TITLES, start=1):
        step_shown(page, number, title)
        no_exception(page)
        fits_the_width(page)
        assert page.url.endswith(f"step={number}") or f"step={number}&" in page.url, page.url
        page.screenshot(path=str(SHOTS / f"{shot_prefix}step{number}_top.png"))  # what the room sees first
        if number == TRY_STEP:
            page.get_by_text("Draw a garment on the black square").first.wait_for(timeout=30_000)
            draw_trousers(page)
            answer = page.get_by_text("The ready-made network is").first
            answer.wait_for(timeout=30_000)
            settle(page)
            no_exception(page)
            answer.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"{shot_prefix}step{number}_drawn.png"))
        page.locator(".st-key-lesson_next").scroll_into_view_if_needed()  # the app scrolls inside its main area
        time.sleep(0.3)
        page.screenshot(path=str(SHOTS / f"{shot_prefix}step{number}_bottom.png"))
        if number < len(TITLES):
            page.locator(".st-key-lesson_next button").click()
    page.locator(".st-key-lesson_back button").click()
    step_shown(page, len(TITLES) - 1, TITLES[-2])


def test_walk_the_lesson_on_a_projector(browser, app_url):
    context = browser.new_context(viewport=PROJECTOR)
    walk_the_lesson(context.new_page(), app_url, "")
    context.close()


def test_walk_the_lesson_on_a_phone(browser, app_url):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    walk_the_lesson(context.new_page(), app_url, "phone_")
    context.close()


def test_a_link_and_exercises_on_a_projector(browser, app_url):
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
    page.goto(f"{app_url}/lesson?step=9&exercise=8")
    heading(page, TITLES[8])
    settle(page)
    page.locator(".st-key-ex8_choice").get_by_text("88%").click()
    settle(page)
    page.locator(".st-key-ex8_show button").first.click()
    page.get_by_text("Every target, as recorded").first.wait_for(timeout=30_000)
    settle(page)
    no_exception(page)
    page.get_by_text("Every target, as recorded").first.scroll_into_view_if_needed()
    page.mouse.move(5, 5)  # away from the button, whose tooltip would hide the choice
    time.sleep(0.5)
    page.screenshot(path=str(SHOTS / "exercise8_answer.png"))
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


def test_a_live_run_in_the_lesson_draws_the_live_chart_once_and_finishes(browser, app_url):
    """Exercise 1 run live: the same live chart as Train's, mounted once, growing until the run's answer."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.goto(f"{app_url}/lesson?step=9&exercise=1")
    heading(page, TITLES[8])
    settle(page)
    page.locator(".st-key-ex1_live button").first.click()
    plot = ".st-key-ex1_live_chart .js-plotly-plot"
    page.locator(plot).first.wait_for(timeout=120_000)
    page.evaluate(f"() => {{ window.__lessonPlot = document.querySelector('{plot}'); }}")
    points = f"() => document.querySelector('{plot}')._fullData[0].x.length"
    first = page.evaluate(points)
    page.wait_for_function(f"() => document.querySelector('{plot}')._fullData[0].x.length > {first}", timeout=60_000)
    assert page.evaluate(f"() => document.querySelector('{plot}') === window.__lessonPlot"), "mounted again"
    page.get_by_text("The true label is").first.wait_for(timeout=300_000)
    assert page.locator(plot).count() == 1
    no_exception(page)
    context.close()
