"""Accessibility of the real app in headless Chromium: axe-core on every page and state, the keyboard, touch.

axe-core comes from npm, pinned in tests/package-lock.json and installed by `scripts/setup.sh --dev` (`npm ci`);
it is read from tests/node_modules and put into the page by Playwright, so nothing is fetched at test time.
One app server and one browser serve the whole module.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from tests.appserver import PAGES, ROOT, draw_a_trouser_leg, no_exception, settle

playwright_api = pytest.importorskip("playwright.sync_api", reason="install requirements-dev.txt")
pytestmark = pytest.mark.browser
AXE = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "artifacts" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # WCAG 2.0, 2.1 and 2.2, levels A and AA
DESKTOP, PHONE, TABLET = (1280, 800), (390, 844), (820, 1180)
MAX_TABS_TO_TRAIN = 15

# Serious and critical violations of the app's own, as "rule (impact): node -- what to fix" lines.
# Left out, and only these: Streamlit's own sidebar navigation markup. With pages grouped into sections
# (st.navigation({"Learn": [...], "Use": [...]}) in streamlit_app.py), Streamlit 1.67 wraps each section in a <div>
# inside its <ul data-testid="stSidebarNavItems">, so axe's `list` rule flags that <ul> and `listitem` its <li>s.
# The markup is the framework's (no public API changes it); position="top" keeps it on phones, where the navigation
# falls back to the sidebar, and dropping the sections would lose the Learn / Use headings.
AUDIT = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const inNav = (node) => node.target.length === 1 &&
    document.querySelector(node.target[0])?.closest('[data-testid="stSidebarNavItems"]');
  const framework = (rule, node) => (rule === 'list' || rule === 'listitem') && inNav(node);
  const found = [];
  for (const rule of result.violations) {
    if (rule.impact !== 'serious' && rule.impact !== 'critical') continue;
    for (const node of rule.nodes)
      if (!framework(rule.id, node))
        found.push(`${rule.id} (${rule.impact}): ${node.html.slice(0, 160)} -- ${node.failureSummary}`);
  }
  return found;
}"""
UNNAMED_CHARTS = """() => document.querySelectorAll(
  '[data-testid="stPlotlyChart"]:not([aria-label]), .playground-live-plot:not([aria-label]), '
  + '.playground-figure:not([aria-label])').length"""
FOCUSED = """() => {
  const e = document.activeElement;
  const key = e.closest('[class*="st-key-"]');
  return {tag: e.tagName, text: (e.getAttribute('aria-label') || e.innerText || '').trim().slice(0, 60),
          key: key ? [...key.classList].find(c => c.startsWith('st-key-')) : null};
}"""


WATCH_FILE_INPUT = """() => {
  window.fileInputClicked = false;
  for (const input of document.querySelectorAll('input[type=file]'))
    input.addEventListener('click', () => { window.fileInputClicked = true; }, {once: true});
}"""


def audit(page, where: str) -> list[str]:
    """axe-core's serious and critical findings here (see AUDIT), plus any chart without a text alternative."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    found = [f"{where}: {line}" for line in page.evaluate(AUDIT, WCAG_TAGS)]
    if unnamed := page.evaluate(UNNAMED_CHARTS):
        found.append(f"{where}: {unnamed} chart(s) without a text alternative (st.plotly_chart(alt=...))")
    return found


def assert_clean(findings: list[str]) -> None:
    assert not findings, f"{len(findings)} accessibility problem(s):\n" + "\n".join(findings)


def open_page(page, url: str, path: str, title: str) -> None:
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name=title).first.wait_for(timeout=90_000)
    settle(page)


def tab_to(page, wanted, most: int) -> int:
    """Press Tab until wanted(focused) holds (a skip link met on the way is followed with Enter); the presses."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return presses
        if focused["tag"] == "A" and focused["text"] == "Skip to main content":
            page.keyboard.press("Enter")
    raise AssertionError(f"not reached in {most} Tab presses; last focused: {page.evaluate(FOCUSED)}")


def key_is(name: str):
    return lambda focused: focused["key"] == f"st-key-{name}" and focused["tag"] in ("BUTTON", "INPUT")


# Deuteranopia (no green cones), Machado, Oliveira and Fernandes (2009), severity 1, as an SVG colour matrix over the
# page: the screenshots it makes show the results charts as a deuteranope sees them (looked at by a person).
DEUTERANOPIA = """() => {
  document.body.insertAdjacentHTML('beforeend', `<svg id="deuteranopia" style="position:absolute;height:0;width:0">
    <filter id="deuteranopia-filter"><feColorMatrix type="matrix" values="
      0.367322 0.860646 -0.227968 0 0  0.280085 0.672501 0.047413 0 0  -0.011820 0.042940 0.968881 0 0  0 0 0 1 0"/>
    </filter></svg>`);
  document.querySelector('[data-testid="stMain"]').style.filter = 'url(#deuteranopia-filter)';
}"""
UNFILTERED = """() => {
  document.getElementById('deuteranopia')?.remove();
  document.querySelector('[data-testid="stMain"]').style.filter = '';
}"""


def deuteranopia_screenshots(page, *charts: str) -> None:
    """Each chart (its widget key) as a deuteranope sees it, in artifacts/screenshots/deuteranopia_<key>.png."""
    page.evaluate(DEUTERANOPIA)
    for key in charts:
        page.locator(f".st-key-{key}").first.screenshot(path=str(SHOTS / f"deuteranopia_{key}.png"))
    page.evaluate(UNFILTERED)


def sneaker_photo(fashion, orientation: int | None) -> bytes:
    """A Fashion-MNIST sneaker as a phone photo: dark on white, taller than wide, stored turned a quarter to the
    left with EXIF orientation 6 (show it turned right), as a phone held upright saves it."""
    sneaker = fashion.test_images[np.flatnonzero(fashion.test_labels == 7)[0]]
    upright = np.kron(255 - sneaker, np.ones((12, 12), dtype=np.uint8))
    upright = np.vstack([np.full((72, upright.shape[1]), 255, np.uint8), upright, np.full((72, 336), 255, np.uint8)])
    photo = Image.fromarray(upright).convert("RGB")
    exif = Image.Exif()
    if orientation is not None:
        photo = photo.transpose(Image.Transpose.ROTATE_90)
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=90, exif=exif)
    return buffer.getvalue()


@pytest.fixture
def context_for(browser):
    """new(viewport, touch=False) opens a fresh browser context (a session of its own); all closed afterwards."""
    opened = []

    def new(size: tuple[int, int], touch: bool = False):
        context = browser.new_context(
            viewport={"width": size[0], "height": size[1]}, has_touch=touch, is_mobile=touch, device_scale_factor=1
        )
        opened.append(context)
        return context.new_page()

    yield new
    for context in opened:
        context.close()


# -- axe on every page and state ---------------------------------------------------------------------------


def test_axe_finds_nothing_serious_on_any_page_at_desktop_and_phone_sizes(context_for, app_url):
    findings = []
    for size in (DESKTOP, PHONE):
        page = context_for(size)
        for path, title in PAGES.items():
            open_page(page, app_url, path, title)
            no_exception(page)
            findings += audit(page, f"{path or 'train'} at {size[0]}x{size[1]}")
    assert_clean(findings)


def test_every_lesson_step_by_keyboard_with_axe(context_for, app_url):
    """Next and Back by keyboard alone (Tab to them, Enter), and axe on each of the nine steps."""
    page = context_for(DESKTOP)
    open_page(page, app_url, "lesson?step=1", "The pictures")
    findings = audit(page, "lesson step 1")
    for number in range(2, 10):
        tab_to(page, key_is("lesson_next"), 80)
        page.keyboard.press("Enter")
        page.get_by_text(f"The lesson, step {number} of 9").wait_for(timeout=30_000)
        settle(page)
        no_exception(page)
        findings += audit(page, f"lesson step {number}")
    tab_to(page, key_is("lesson_back"), 80)
    page.keyboard.press("Enter")
    page.get_by_text("The lesson, step 8 of 9").wait_for(timeout=30_000)
    assert_clean(findings)


def cell_shown(true: str | None = None, guess: str | None = None) -> re.Pattern:
    """What the results say under the confusion matrix once the cell (true, guess) is chosen (any garment for None):
    the caption under its test images, or that there are none."""
    true, guess = (re.escape(name) if name else ".+" for name in (true, guess))
    return re.compile(
        rf"Real garment: {true} · model's guess: {guess} ·|No test image of a {true} was called a {guess}\."
    )


def type_into_box(page, key: str, garment: str) -> None:
    """Tab to the selectbox `key`'s text box, empty it and type `garment`, checking what it holds at each step.

    Backspace first empties the box (it shows the garment chosen now): typed straight in, the first letter clears
    that text, and on a busy machine the clearing came after it ("oat" for "Coat"; "hirt" for "Shirt", which puts
    T-shirt/top first: a CI failure). A box that did not empty had lost the focus (once, locally, after the Tab
    presses had found it): the box is tabbed to again, three times at most."""
    box = page.locator(f".st-key-{key} input")
    for _ in range(3):
        tab_to(page, lambda focused: key_is(key)(focused) and focused["tag"] == "INPUT", 60)
        page.keyboard.press("Backspace")
        try:
            playwright_api.expect(box).to_have_value("", timeout=5_000)
        except AssertionError:
            continue
        page.keyboard.type(garment)
        playwright_api.expect(box).to_have_value(garment, timeout=10_000)  # what a visitor sees before Enter
        return
    pytest.fail(f"the {key} box never emptied for typing: it holds {box.input_value()!r}")


def test_train_by_keyboard_with_axe_mid_run_and_after(context_for, app_url):
    """Train within 15 Tab presses and Enter, Stop by keyboard, a confusion cell picked by keyboard; axe mid-run,
    after the run and on every results tab; progress and the run's end reach a screen reader."""
    page = context_for(DESKTOP)
    open_page(page, app_url, "?epochs=100&train_limit=6000", "Train a network")  # long enough to be stopped
    presses = tab_to(page, key_is("train_button"), MAX_TABS_TO_TRAIN)
    assert presses <= MAX_TABS_TO_TRAIN
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(r"Epoch ([2-9]|\d\d) of 100")).first.wait_for(timeout=90_000)
    page.locator(".st-key-live_chart").first.wait_for(timeout=30_000)
    progress = page.locator("[role=progressbar]").first
    assert 0 <= int(progress.get_attribute("aria-valuenow")) <= 100
    # Progress in words, for screen readers: a polite live region whose words change with the epochs.
    announcer = page.locator("[role=status][aria-live=polite].run-announcer").first
    announcer.wait_for(state="attached", timeout=30_000)
    said = announcer.text_content()
    assert re.fullmatch(r"(Training started: 100 epochs to go|Epoch \d+ of 100: accuracy \d+%.*)\.", said), said
    page.wait_for_function(
        "said => document.querySelector('.run-announcer')?.textContent.match(/^Epoch \\d+ of 100/) &&"
        " document.querySelector('.run-announcer').textContent !== said",
        arg=said,
        timeout=90_000,
    )
    findings = audit(page, "train mid-run")
    page.screenshot(path=str(SHOTS / "a11y_train_mid_run.png"))

    tab_to(page, key_is("stop_button"), 30)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="How well did it learn?").wait_for(timeout=60_000)
    settle(page)
    no_exception(page)
    # The run's end is said in a live region (Streamlit's alerts are role="status"), and by the announcer.
    said = page.locator("[role=status]").filter(has_text="Training").first.inner_text()
    assert "stopped by you" in said, said
    assert "stopped by you" in announcer.text_content(), announcer.text_content()
    findings += audit(page, "train after a run, confusion matrix")
    deuteranopia_screenshots(page, "live_chart", "accuracy_bars", "confusion")

    # A confusion cell by keyboard: the two boxes under the matrix choose it, and its images follow: under them
    # the caption names the cell, or, for a cell the model never chose (a run stopped early may never have called
    # a coat a T-shirt), the page says there is none. Each choice is waited for before the next.
    choices = (("cell_true", "Coat", cell_shown("Coat")), ("cell_guess", "Shirt", cell_shown("Coat", "Shirt")))
    for key, garment, shown in choices:
        settle(page, 0.5)
        type_into_box(page, key, garment)
        page.keyboard.press("Enter")
        try:
            page.get_by_text(shown).first.wait_for(timeout=30_000)
        except playwright_api.TimeoutError:  # a rare failure in CI: say what the page showed instead
            boxes = {box: page.locator(f".st-key-{box}").inner_text() for box in ("cell_true", "cell_guess")}
            said = page.get_by_text(cell_shown()).all_inner_texts()
            pytest.fail(f"choosing {garment!r} in {key}: the boxes show {boxes}; under them: {said}")
        settle(page, 0.5)

    for name in ("Per garment", "Its mistakes", "Inside the network", "Compare runs"):
        tab = page.get_by_role("tab", name=name)
        tab.focus()  # the tab list is one Tab stop; its tabs are chosen with the arrow keys and Enter
        page.keyboard.press("Enter")
        assert tab.get_attribute("aria-selected") == "true"
        settle(page, 1)
        findings += audit(page, f"train after a run, {name}")
        if name in ("Per garment", "Compare runs"):
            deuteranopia_screenshots(page, "per_class" if name == "Per garment" else "comparison")
    page.screenshot(path=str(SHOTS / "a11y_train_results.png"), full_page=True)
    assert_clean(findings)


def test_try_it_answers_a_drawing_and_a_keyboard_upload_with_exif_honoured(context_for, app_url, fashion, tmp_path):
    """axe after a drawing's answer and after an upload's; the upload by keyboard alone; EXIF rotation honoured."""
    page = context_for(DESKTOP)
    open_page(page, app_url, "try_it", "Try it")
    draw_a_trouser_leg(page)
    page.get_by_text("The model is").first.wait_for(timeout=30_000)
    settle(page)
    findings = audit(page, "try it after a drawing")

    photo = tmp_path / "phone_photo.jpg"
    photo.write_bytes(sneaker_photo(fashion, orientation=6))
    page.get_by_role("tab", name="Upload").focus()
    page.keyboard.press("Enter")
    page.locator("[data-testid='stFileUploaderDropzone']").first.wait_for(timeout=30_000)
    settle(page)  # a press while the page redraws can land on a button that is being replaced
    tab_to(page, lambda f: f["key"] == "st-key-upload" and f["tag"] == "BUTTON" and f["text"].endswith("Upload"), 30)
    # Enter on the button must open the browser's file dialog, which it does by clicking the hidden file input.
    # (Playwright's filechooser event was seen to stop firing once other contexts of the same browser had opened
    # pages, so the click itself is watched.)
    page.evaluate(WATCH_FILE_INPUT)
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.fileInputClicked === true", timeout=15_000)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(photo))
    page.locator("[data-testid='stAlertContentSuccess']").filter(has_text="Sneaker").first.wait_for(timeout=30_000)
    settle(page)
    no_exception(page)
    given = page.get_by_role("img", name="The picture you gave").first
    width, height = given.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert height > width, f"the photo was shown {width}x{height}: its EXIF turn was not applied"
    findings += audit(page, "try it after an upload")
    assert_clean(findings)


# -- Touch: a phone and a tablet ---------------------------------------------------------------------------


def touch_stroke(page, x: float, y: float, steps: int = 30) -> None:
    """One finger drawn down and across (touch events, as a phone sends them)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, steps + 1):
        point = {"x": x + step * 1.5, "y": y + step * 6}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


@pytest.mark.parametrize("size", [PHONE, TABLET], ids=["phone", "tablet"])
def test_drawing_training_and_the_lesson_by_touch(context_for, app_url, size):
    page = context_for(size, touch=True)
    open_page(page, app_url, "try_it", "Try it")
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    # The whole canvas lies inside its column and the screen (at 820 px the sidebar is open beside it): nothing of
    # it is hidden in a box that scrolls sideways.
    column = page.locator(".st-key-canvas_column").first.bounding_box()
    main = page.locator("[data-testid='stMain']").first.bounding_box()
    assert column["x"] <= box["x"] and box["x"] + box["width"] <= column["x"] + column["width"] + 0.5, (box, column)
    assert main["x"] <= box["x"] and box["x"] + box["width"] <= min(size[0], main["x"] + main["width"]), (box, main)
    touch_stroke(page, box["x"] + box["width"] / 2, box["y"] + 40)
    page.get_by_text("The model is").first.wait_for(timeout=30_000)
    no_exception(page)

    open_page(page, app_url, "?epochs=30&train_limit=6000", "Train a network")
    page.locator(".st-key-train_button button:visible").first.tap()
    stop = page.locator(".st-key-stop_button button:visible:not([disabled])").first
    stop.wait_for(timeout=60_000)
    page.get_by_text(re.compile(r"Epoch \d+ of 30")).first.wait_for(timeout=90_000)
    stop.tap()
    page.get_by_text("stopped by you").first.wait_for(timeout=60_000)
    no_exception(page)

    open_page(page, app_url, "lesson?step=1", "The pictures")
    page.locator(".st-key-lesson_next button:visible").first.tap()
    page.get_by_text("The lesson, step 2 of 9").wait_for(timeout=30_000)
    settle(page)
    page.locator(".st-key-lesson_back button:visible").first.tap()
    page.get_by_text("The lesson, step 1 of 9").wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / f"a11y_lesson_touch_{size[0]}.png"))
