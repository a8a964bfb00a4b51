"""The real app in headless Debian Chromium: train live, stop, draw, upload; no exception on any page."""

from __future__ import annotations

import io
import re
import time

import numpy as np
import pytest
from PIL import Image

from playground.pages.parts.plotly_js import COMPILE_HINT, PLOTLY_URL
from tests.appserver import PAGES, ROOT, draw_a_trouser_leg, no_exception, running_app, settle

playwright_api = pytest.importorskip("playwright.sync_api", reason="install requirements-dev.txt")
pytestmark = pytest.mark.browser
SHOTS = ROOT / "artifacts" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
CHART_STATE = """() => {
  const plot = document.querySelector('.st-key-live_chart .js-plotly-plot');
  if (!plot || !plot._fullData || !plot._fullData.length) return null;
  const batches = plot._fullData[0];
  const n = batches.x ? batches.x.length : 0;
  return n ? n + ':' + batches.y[n - 1] : null;
}"""


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    yield page
    context.close()


def open_page(page, url: str, path: str, title: str) -> None:
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name=title).first.wait_for(timeout=90_000)


def said(page, text: str):
    """The run's end as the page shows it (the words for screen readers, in .run-announcer, say it again)."""
    return page.locator("[data-testid='stAlertContentSuccess']").get_by_text(text)


def wait_for_text(page, text, seconds: float) -> None:
    """Wait for text; on a timeout, say what the page showed instead (a CI log is all there is to go on)."""
    try:
        page.get_by_text(text).first.wait_for(timeout=seconds * 1000)
    except playwright_api.TimeoutError:
        shown = page.locator("[data-testid='stMain']").inner_text(timeout=5_000)
        pytest.fail(f"{text!r} did not show within {seconds} s; the page showed:\n{shown[:3000]}")


def test_every_page_opens_without_exception(page, app_url):
    """Every page opens, and asks nothing of any server but the app's own (no CDN, no fonts, no tab icon). A
    component's inline script is imported from a blob: URL of the page's own origin: in memory, no server."""
    own = (app_url, "data:", f"blob:{app_url}/")
    elsewhere = []
    page.on("request", lambda request: None if request.url.startswith(own) else elsewhere.append(request.url))
    for path, title in PAGES.items():
        open_page(page, app_url, path, title)
        settle(page)
        no_exception(page)
        page.screenshot(path=str(SHOTS / f"{path or 'train'}.png"), full_page=True)
        assert page.get_by_text("Page not found").count() == 0
    assert not elsewhere, elsewhere


def test_the_train_page_loads_plotly_js_before_the_click_and_shows_nothing_of_it(page, app_url):
    """While a visitor reads the Train page, its plotly.js is loaded (plotly_preload.js) and its first-draw setup
    done on a chart out of sight, then removed: the seconds after a click on Train don't pay for them. One file,
    from this server, with V8's compile hint first; nothing of it left in the page or taking room there."""
    plotly_files = []
    page.on("request", lambda request: plotly_files.append(request.url) if "plotly" in request.url.lower() else None)
    page.goto(f"{app_url}/?epochs=2&train_limit=2000")
    page.locator(".st-key-train_button button:not([disabled])").first.wait_for(timeout=90_000)
    page.wait_for_function("() => window.Plotly && window.__playgroundPlotlyWarm", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('.js-plotly-plot')", timeout=10_000)  # the warm-up's plot
    assert [url.rsplit("/", 1)[-1] for url in plotly_files] == [PLOTLY_URL.rsplit("/", 1)[-1]]
    preload = page.locator(".st-key-plotly_preload")
    assert preload.count() == 1 and preload.bounding_box()["height"] == 0
    page.locator(".st-key-train_button button").first.click()
    page.locator(".st-key-live_chart .js-plotly-plot").first.wait_for(timeout=60_000)
    wait_for_text(page, re.compile(r"Training finished"), 120)
    assert len(plotly_files) == 1, plotly_files
    no_exception(page)
    head = page.evaluate("async (url) => (await (await fetch(url)).text()).slice(0, 60)", PLOTLY_URL)
    assert head.startswith(COMPILE_HINT.decode()), head  # compiled while it downloads (plotly_js.COMPILE_HINT)


def test_a_failed_early_load_of_plotly_js_is_tried_again_by_the_live_chart(page, app_url):
    """The preload's request for plotly.js fails (a dropped connection): the live chart, when its points come,
    asks again and draws; nothing is left broken by the early try."""
    asked = []

    def first_fails(route):
        asked.append(route.request.url)
        route.abort() if len(asked) == 1 else route.continue_()

    page.route(re.compile(r".*plotly.*\.js$"), first_fails)
    page.goto(f"{app_url}/?epochs=2&train_limit=2000")
    page.locator(".st-key-train_button button:not([disabled])").first.wait_for(timeout=90_000)
    deadline = time.monotonic() + 60
    while not asked and time.monotonic() < deadline:  # the preload's try, refused
        page.wait_for_timeout(200)
    assert asked, "the Train page did not load plotly.js before the click"
    page.wait_for_timeout(500)
    page.locator(".st-key-train_button button").first.click()
    page.locator(".st-key-live_chart .js-plotly-plot .main-svg").first.wait_for(timeout=60_000)
    wait_for_text(page, re.compile(r"Training finished"), 120)
    assert len(asked) == 2, asked
    assert page.get_by_text("could not be drawn").count() == 0
    no_exception(page)


def test_live_training_updates_the_chart_and_stop_keeps_the_model(page, app_url):
    open_page(page, app_url, "?epochs=30", "Train a network")
    settle(page)
    page.locator(".st-key-train_button button").first.click()
    states, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline and len(set(states)) < 8:
        state = page.evaluate(CHART_STATE)
        if state:
            states.append(state)
        time.sleep(0.1)
    assert len(set(states)) >= 8, f"the live chart changed only {len(set(states))} times"
    # The chart fetched its points from the live feed (playground.server.live_feed), not through page reruns.
    assert page.evaluate("() => window.__playgroundLiveLooks || 0") >= 8
    assert page.locator(".playground-live-bar[role=progressbar]:visible").count() == 1
    page.screenshot(path=str(SHOTS / "train_live.png"), full_page=True)
    no_exception(page)

    # Training goes on while the visitor looks at another page, and the live view picks up again.
    page.get_by_role("link", name="Explore the data").click()
    page.get_by_role("heading", name="Explore the data").wait_for()
    page.get_by_text("Your model is training in the background").wait_for(timeout=20_000)
    page.get_by_role("link", name="Train").click()
    page.get_by_role("heading", name="Watch it learn").wait_for(timeout=30_000)
    before = page.evaluate(CHART_STATE)
    time.sleep(2)
    assert page.evaluate(CHART_STATE) != before, "the live view did not resume"

    page.locator(".st-key-stop_button button").first.click()
    said(page, "stopped by you").wait_for(timeout=60_000)
    page.get_by_role("heading", name="How well did it learn?").wait_for(timeout=30_000)
    settle(page)
    no_exception(page)
    page.screenshot(path=str(SHOTS / "train_results.png"), full_page=True)

    # Train again: the last run's results make way for the new run.
    page.locator(".st-key-train_button button").first.click()
    page.locator(".st-key-stop_button button:not([disabled])").first.wait_for(timeout=30_000)
    page.get_by_role("heading", name="How well did it learn?").wait_for(state="detached", timeout=30_000)
    settle(page)
    assert page.locator(".st-key-stop_button button:visible").count() == 1
    page.screenshot(path=str(SHOTS / "train_again.png"), full_page=True)
    # One whole epoch done: there are results to show. Any later epoch will do, since an epoch can pass between
    # two refreshes of the live view.
    wait_for_text(page, re.compile(r"Epoch ([2-9]|[12]\d|30) of 30"), 60)
    page.locator(".st-key-stop_button button:visible").first.click()
    page.get_by_role("heading", name="How well did it learn?").wait_for(timeout=60_000)
    no_exception(page)


X_RANGE = """() => {
  const plot = document.querySelector('.st-key-live_chart .js-plotly-plot');
  return plot && plot._fullLayout ? plot._fullLayout.xaxis.range.map(Number) : null;
}"""


def wait_for_chart_changes(page, count: int, seconds: float = 60) -> None:
    """Wait until the live chart's data has changed `count` more times."""
    seen, deadline = [page.evaluate(CHART_STATE)], time.monotonic() + seconds
    while time.monotonic() < deadline and len(set(seen)) <= count:
        seen.append(page.evaluate(CHART_STATE))
        time.sleep(0.05)
    assert len(set(seen)) > count, f"the live chart changed only {len(set(seen)) - 1} times in {seconds} s"


def test_a_zoom_survives_the_live_updates_and_the_plot_is_mounted_once(page, app_url):
    """A visitor drags a box on the live chart mid-run: the next updates add points to the same plot, which keeps
    the visitor's x range (a plot mounted afresh at every update, as st.plotly_chart's was, loses it). The plot is
    drawn by plotly.js's cartesian bundle (what setup installs), whose camera button still saves it as a PNG."""
    bundles = []
    page.on("request", lambda request: bundles.append(request.url) if "plotly" in request.url else None)
    open_page(page, app_url, "?epochs=30", "Train a network")
    settle(page)
    page.locator(".st-key-train_button button").first.click()
    wait_for_chart_changes(page, 2)
    page.evaluate("() => { window.__livePlot = document.querySelector('.st-key-live_chart .js-plotly-plot'); }")
    box = page.locator(".st-key-live_chart .js-plotly-plot .nsewdrag").first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.2, y, steps=4)
    page.mouse.move(box["x"] + box["width"] * 0.3, y, steps=4)
    page.mouse.up()
    zoomed = page.evaluate(X_RANGE)
    assert 0 < zoomed[0] < zoomed[1] < 30 * 0.5, f"the drag did not zoom: {zoomed}"
    wait_for_chart_changes(page, 2)
    assert page.evaluate(X_RANGE) == pytest.approx(zoomed), "the zoom was lost at an update"
    assert page.evaluate("() => document.querySelector('.st-key-live_chart .js-plotly-plot') === window.__livePlot")
    assert [url.rsplit("/", 1)[-1] for url in bundles] == ["plotly-cartesian.min.js"], bundles
    plot = page.locator(".st-key-live_chart .js-plotly-plot").first
    plot.hover()
    camera = plot.locator(".modebar-btn")
    camera.first.wait_for(timeout=10_000)
    assert [camera.nth(i).get_attribute("data-title").lower() for i in range(camera.count())] == [
        "download plot as a png"
    ]
    with page.expect_download(timeout=30_000) as download_info:
        camera.first.click()
    assert download_info.value.suggested_filename == "fashion-training-live.png"
    assert download_info.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.locator(".st-key-stop_button button").first.click()
    said(page, "stopped by you").wait_for(timeout=60_000)
    no_exception(page)


# With the plotly.js that drew the live chart (live_chart.js's own): once the results are drawn, window.Plotly is
# Streamlit's copy (its PlotlyChart script sets it), and that copy's calls on a plot the other drew can fail.
APPEND = """async () => {
  const plot = document.querySelector('.st-key-live_chart .js-plotly-plot');
  const Plotly = await window.__playgroundPlotly, append = window.__playgroundLiveAppend;
  let fullRedraws = 0;
  const extendTraces = Plotly.extendTraces;
  Plotly.extendTraces = (...args) => { fullRedraws += 1; return extendTraces.apply(Plotly, args); };
  const look = () => ({top: plot._fullLayout.yaxis.range[1], n: plot.data[0].x.length, fullRedraws,
                       last: plot.data[0].y[plot.data[0].y.length - 1], notes: (plot.layout.annotations || []).length});
  const before = look();
  const at = plot.data[0].x[before.n - 1];
  const point = (loss) => [plot.data.map((_, i) => (i ? [] : [at])), plot.data.map((_, i) => (i ? [] : [loss]))];
  await append(Plotly, plot, plot.data.map(() => []), plot.data.map(() => []));  // nothing new: nothing changes
  await Plotly.relayout(plot, {annotations: [{text: 'waiting', x: 0.5, y: 0.5, xref: 'paper', yref: 'paper'}]});
  before.notes = look().notes;
  await append(Plotly, plot, ...point(before.top / 2));
  const inside = look();
  await append(Plotly, plot, ...point(before.top * 3));
  const outside = look();
  Plotly.extendTraces = extendTraces;
  return {before, inside, outside};
}"""


# A plot like the live chart's, one trace with points and an epoch-end trace still empty (Plotly leaves it out of
# the legend), then that trace's first point appended as the live chart appends it.
FIRST_POINT = """async () => {
  const Plotly = await window.__playgroundPlotly, append = window.__playgroundLiveAppend;
  const plot = document.createElement('div');
  plot.style.width = '600px';
  plot.style.height = '300px';
  document.body.append(plot);
  await Plotly.newPlot(plot, [{name: 'Batches', x: [0, 0.5], y: [2, 1], mode: 'lines'},
                              {name: 'Epoch end', x: [], y: [], mode: 'markers'}],
                       {showlegend: true, xaxis: {range: [0, 3]}, yaxis: {range: [0, 3]}});
  const legend = () => [...plot.querySelectorAll('.legend .legendtext')].map((t) => t.textContent);
  const before = legend();
  await append(Plotly, plot, [[], [1]], [[], [0.8]]);
  const after = legend();
  await append(Plotly, plot, [[1.5], [2]], [[0.7], [0.6]]);
  const later = legend();
  // As the live chart draws a whole figure: the empty trace gets a placeholder, in the legend from the start, and
  // its first point is drawn alone (Plotly.animate), with no full redraw.
  let fullRedraws = 0;
  const extendTraces = Plotly.extendTraces;
  Plotly.extendTraces = (...args) => { fullRedraws += 1; return extendTraces.apply(Plotly, args); };
  const data = window.__playgroundLivePlaceholders([{name: 'Batches', x: [0, 0.5], y: [2, 1], mode: 'lines'},
                                                    {name: 'Epoch end', x: [], y: [], mode: 'markers'}]);
  await Plotly.react(plot, data, {showlegend: true, xaxis: {range: [0, 3]}, yaxis: {range: [0, 3]}});
  const held = legend();
  await append(Plotly, plot, [[], [1]], [[], [0.8]]);
  const placeholder = {before: held, after: legend(), fullRedraws, x: plot.data[1].x, y: plot.data[1].y,
                       markers: plot.querySelectorAll('.scatterlayer .trace:nth-child(2) .point').length};
  Plotly.extendTraces = extendTraces;
  Plotly.purge(plot);
  plot.remove();
  return {before, after, later, placeholder};
}"""


def test_new_points_are_drawn_alone_unless_the_loss_axis_must_widen(page, app_url):
    """live_chart.js's appendPoints, in the page: a batch point inside what the axes show is drawn without a full
    redraw (the loss axis stays as it is) and takes away an empty chart's note; a loss above the axis' top takes the
    full redraw, which widens the axis. A trace's first point (the first epoch's end) brings its legend entry at
    once, not only with the whole figure at the run's end; the live chart's placeholder for an empty trace has its
    entry there from the start, and its first point needs no full redraw."""
    open_page(page, app_url, "?epochs=1", "Train a network")
    settle(page)
    page.locator(".st-key-train_button button").first.click()
    said(page, "Training finished").wait_for(timeout=120_000)
    settle(page)
    seen = page.evaluate(APPEND)
    before, inside, outside = seen["before"], seen["inside"], seen["outside"]
    assert before["notes"] == 1 and inside["notes"] == 0, f"an empty chart's note stayed with the points: {seen}"
    assert inside["n"] == before["n"] + 1 and inside["last"] == pytest.approx(before["top"] / 2), seen
    assert inside["fullRedraws"] == 0 and inside["top"] == pytest.approx(before["top"]), seen
    assert outside["n"] == before["n"] + 2 and outside["fullRedraws"] == 1, seen
    assert outside["top"] >= 3 * before["top"], f"the loss axis did not widen to show the new point: {seen}"
    legends = page.evaluate(FIRST_POINT)
    assert legends["before"] == ["Batches"], legends
    assert legends["after"] == legends["later"] == ["Batches", "Epoch end"], f"no legend entry came: {legends}"
    held = legends["placeholder"]
    assert held["before"] == held["after"] == ["Batches", "Epoch end"], f"the placeholder is not in the legend: {held}"
    assert held["fullRedraws"] == 0 and held["x"] == [1] and held["y"] == [0.8] and held["markers"] == 1, held
    no_exception(page)


def test_without_the_live_feed_the_live_view_reruns_instead(browser):
    """Started as streamlit_app.py (no app.py, so no live feed route), the live view brings its news by rerunning:
    the bar is Streamlit's, the chart still grows in the same plot, and Stop ends the run with its results."""
    with running_app(script=ROOT / "streamlit_app.py") as (url, _, _):
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        page = context.new_page()
        try:
            # Long enough to see the chart change three times on a loaded machine (a 3-epoch run once ended first).
            open_page(page, url, "?epochs=30&train_limit=20000", "Train a network")
            settle(page)
            page.locator(".st-key-train_button button").first.click()
            page.locator("[data-testid='stProgress']").first.wait_for(timeout=60_000)
            wait_for_chart_changes(page, 3)
            page.locator(".st-key-stop_button button").first.click()
            said(page, "stopped by you").wait_for(timeout=120_000)
            page.get_by_role("heading", name="How well did it learn?").wait_for(timeout=30_000)
            assert page.evaluate("() => window.__playgroundLiveLooks || 0") == 0
            assert page.locator(".playground-live-bar:visible").count() == 0
            no_exception(page)
        finally:
            context.close()


def test_drawing_on_the_canvas_gets_softmax_bars(page, app_url):
    open_page(page, app_url, "try_it", "Try it")
    settle(page, 3)
    draw_a_trouser_leg(page)
    page.get_by_text("The model is").first.wait_for(timeout=30_000)
    settle(page)
    bars = page.locator(".st-key-bars_canvas .js-plotly-plot").first
    assert page.evaluate("el => el._fullData[0].y.length", bars.element_handle()) == 10
    no_exception(page)
    page.screenshot(path=str(SHOTS / "try_it_drawing.png"), full_page=True)


def test_uploading_a_photo_through_the_real_widget(page, app_url, fashion, tmp_path):
    sneaker = fashion.test_images[np.flatnonzero(fashion.test_labels == 7)[0]]
    photo = Image.fromarray(np.kron(255 - sneaker, np.ones((12, 12), dtype=np.uint8))).convert("RGB")
    path = tmp_path / "sneaker.jpg"
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    open_page(page, app_url, "try_it", "Try it")
    settle(page)
    page.get_by_role("tab", name="Upload").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    page.get_by_text("Sneaker", exact=False).first.wait_for(timeout=30_000)
    page.get_by_text("The model is").first.wait_for(timeout=30_000)
    settle(page)
    assert "Sneaker" in page.locator("[data-testid='stAlertContentSuccess']").first.inner_text()
    no_exception(page)
    page.screenshot(path=str(SHOTS / "try_it_upload.png"), full_page=True)


def test_a_first_view_trains_at_once_and_its_settings_follow(browser):
    """The Train page's first view comes before its settings widgets (held back 4 s here to watch it): Train
    pressed then trains the link's settings, and the settings that follow show them, toggles included."""
    with running_app(env={"PLAYGROUND_SETTINGS_DELAY": "4"}) as (url, _, _):
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        page = context.new_page()
        try:
            page.goto(f"{url}/?epochs=2&train_limit=2000")
            train = page.locator(".st-key-train_button button:not([disabled])").first
            train.wait_for(timeout=90_000)
            assert page.get_by_text("Loading the settings").count() == 1
            assert page.locator(".st-key-hp_epochs").count() == 0, "no settings widgets in the first view"
            assert page.locator(".st-key-plotly_preload").count() == 0, "plotly.js waits for the whole page"
            train.click()
            wait_for_text(page, re.compile(r"Training finished"), 120)
            wait_for_text(page, re.compile(r"finished all 2 epochs"), 5)
            assert page.locator(".st-key-hp_normalize input").is_checked()
            assert "2" in page.locator(".st-key-hp_epochs").inner_text()
            no_exception(page)
        finally:
            context.close()


def test_closing_the_tab_stops_its_training_and_frees_the_trainer(browser):
    """One trainer only: a second visitor waits in the queue until the first closes their tab."""
    extra = ("--server.disconnectedSessionTTL", "2")
    with running_app(extra_args=extra, env={"PLAYGROUND_WORKERS": "1"}) as (url, _, _):
        first = browser.new_context(viewport={"width": 1400, "height": 1800})
        first_page = first.new_page()
        open_page(first_page, url, "?epochs=100", "Train a network")
        settle(first_page)
        first_page.locator(".st-key-train_button button").first.click()
        wait_for_text(first_page, re.compile(r"Epoch \d+ of 100"), 60)

        second = browser.new_context(viewport={"width": 1400, "height": 1800})
        second_page = second.new_page()
        open_page(second_page, url, "?epochs=1&train_limit=2000", "Train a network")
        settle(second_page)
        second_page.locator(".st-key-train_button button").first.click()
        second_page.get_by_text("you are number 1 in the queue").wait_for(timeout=30_000)

        first.close()  # the first visitor leaves mid-training
        said(second_page, "Training finished").wait_for(timeout=30_000)
        no_exception(second_page)
        second.close()


def test_a_dropped_connection_loses_nothing(browser, app_url):
    """A phone that locks for 30 s: the run goes on meanwhile, and the page picks it up again afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    try:
        open_page(page, app_url, "?epochs=12&train_limit=20000", "Train a network")
        settle(page)
        page.locator(".st-key-train_button button").first.click()
        wait_for_text(page, re.compile(r"Epoch ([2-9]|1[0-2]) of 12|Training finished"), 90)
        context.set_offline(True)
        time.sleep(30)
        context.set_offline(False)
        # Back online: the same session, with the run either still going (past where it was) or finished.
        wait_for_text(page, re.compile(r"Epoch ([3-9]|1[0-2]) of 12|Training finished"), 90)
        wait_for_text(page, "Training finished", 120)
        page.get_by_role("heading", name="How well did it learn?").wait_for(timeout=30_000)
        assert said(page, "finished all 12 epochs").count() == 1
        no_exception(page)
    finally:
        context.close()
