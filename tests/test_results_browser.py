"""The Train page's results in headless Chromium: a click on a confusion cell shows that cell's test images, the
downloads give files that load or parse, and the charts' toolbar holds only the camera."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from playground.pages.parts.plotly_js import PLOTLY_URL
from tests.appserver import ROOT, launch_chromium, no_exception, running_app, settle

playwright_api = pytest.importorskip("playwright.sync_api", reason="install requirements-dev.txt")
pytestmark = pytest.mark.browser
SHOTS = ROOT / "artifacts" / "screenshots"
# Where a confusion cell (true row t, guessed column p) is on the screen, from Plotly's own axes.
CELL_CENTRE = """([t, p]) => {
  const plot = document.querySelector('.st-key-confusion .js-plotly-plot');
  const layout = plot._fullLayout, box = plot.getBoundingClientRect();
  return [box.left + layout.xaxis._offset + layout.xaxis.l2p(p), box.top + layout.yaxis._offset + layout.yaxis.l2p(t)];
}"""


@pytest.fixture(scope="module")
def results_page():
    """One short run (1 epoch, 2,000 images) trained in the real app; its results page, shared by the tests."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_app() as (url, _, _), playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1400, "height": 2000}, accept_downloads=True)
        page = context.new_page()
        page.requested = []  # every URL the page asked the server for
        page.on("request", lambda request: page.requested.append(request.url))
        page.goto(f"{url}/?epochs=1&train_limit=2000")
        page.get_by_role("heading", name="Train a network").first.wait_for(timeout=90_000)
        settle(page)
        page.locator(".st-key-train_button button").first.click()
        page.get_by_role("heading", name="Take it home").wait_for(timeout=120_000)
        settle(page)
        yield page
        context.close()
        browser.close()


def chosen(page) -> tuple[str, str]:
    """The two selectboxes' values (Streamlit 1.67 draws a selectbox as a combobox input)."""
    return tuple(page.locator(f".st-key-{key} input").first.input_value() for key in ("cell_true", "cell_guess"))


def test_clicking_a_confusion_cell_shows_its_images(results_page):
    page = results_page
    page.locator(".st-key-confusion .js-plotly-plot").first.scroll_into_view_if_needed()
    before = chosen(page)
    cells = [(1, 1), (7, 7)] if before != ("Trouser", "Trouser") else [(7, 7), (1, 1)]
    names = {1: "Trouser", 7: "Sneaker"}
    for true_index, guess_index in cells:
        x, y = page.evaluate(CELL_CENTRE, [true_index, guess_index])
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        true_name, guess_name = names[true_index], names[guess_index]
        caption = f"Real garment: {true_name} · model's guess: {guess_name}"
        page.get_by_text(caption).wait_for(timeout=30_000)
        settle(page)
        no_exception(page)
        assert chosen(page) == (true_name, guess_name), "the keyboard's selectboxes follow the click"
        grid = page.locator(".st-key-cell_images .js-plotly-plot").first
        assert grid.is_visible()
        # The outline sits on the clicked cell.
        shape = page.evaluate("() => document.querySelector('.st-key-confusion .js-plotly-plot').layout.shapes[0]")
        assert (shape["x0"] + 0.5, shape["y0"] + 0.5) == (guess_index, true_index)
    page.screenshot(path=str(SHOTS / "train_confusion_click.png"), full_page=True)


def test_the_results_are_drawn_with_the_live_charts_plotly_js_alone(results_page):
    """The results' charts load no plotly.js of their own (st.plotly_chart's is the full bundle, about 3 s of a
    slowed tab's main thread): one plotly.js was fetched, and every tab's chart is drawn when its tab opens."""
    page = results_page
    plotly_files = [url.rsplit("/", 1)[-1] for url in page.requested if "plotly" in url.lower()]
    assert plotly_files == [PLOTLY_URL.rsplit("/", 1)[-1]], plotly_files
    tabs = {"Per garment": "per_class", "Inside the network": "first_layer", "Compare runs": "comparison"}
    for tab, chart in tabs.items():
        page.get_by_role("tab", name=tab).click()
        plot = page.locator(f".st-key-{chart} .js-plotly-plot .main-svg").first
        plot.wait_for(timeout=30_000)
        assert plot.bounding_box()["width"] > 300, f"{tab}: drawn at its tab's width"
    page.get_by_role("tab", name="Confusion matrix").click()
    no_exception(page)


def test_the_downloads_give_files_that_load_or_parse(results_page, tmp_path, fashion):
    import keras

    page = results_page
    files = {}
    for key in ("download_model", "download_history", "download_comparison", "download_record"):
        with page.expect_download(timeout=60_000) as download_info:
            page.locator(f".st-key-{key} button").first.click()
        download = download_info.value
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        files[key] = path
    assert files["download_model"].name == "fashion-dense128-adam-1ep.keras"
    assert files["download_record"].name == "fashion-dense128-adam-1ep.json"
    model = keras.saving.load_model(files["download_model"], safe_mode=True)
    answers = np.asarray(model(fashion.test_images[:1000], training=False)).argmax(1)
    record = json.loads(files["download_record"].read_text())
    assert np.mean(answers == fashion.test_labels[:1000]) == pytest.approx(record["test"]["accuracy"], abs=0.05)
    history = list(csv.DictReader(io.StringIO(files["download_history"].read_text())))
    assert history[0]["row"] == "epoch" and float(history[0]["accuracy"]) == pytest.approx(record["train_accuracy"])
    compared = list(csv.DictReader(io.StringIO(files["download_comparison"].read_text())))
    assert len(compared) == 1 and compared[0]["train_limit"] == "2000"
    no_exception(page)


def test_the_charts_toolbar_is_only_the_camera(results_page):
    page = results_page
    plot = page.locator(".st-key-accuracy_bars .js-plotly-plot").first
    plot.hover()
    buttons = plot.locator(".modebar-btn")
    buttons.first.wait_for(timeout=10_000)
    titles = [buttons.nth(i).get_attribute("data-title").lower() for i in range(buttons.count())]
    assert titles == ["download plot as a png"]
    with page.expect_download(timeout=30_000) as download_info:
        buttons.first.click()
    assert download_info.value.suggested_filename == "fashion-dense128-adam-1ep-accuracy.png"
