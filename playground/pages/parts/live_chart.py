"""The live training chart as a Streamlit component: mounted once per run, then sent only the points that are new.

st.plotly_chart hashes its figure into the element's id (Streamlit 1.67), so a chart whose figure changes every
second is a new element every second: drawn from nothing, a visitor's zoom lost. This one is a custom component
(st.components.v2: inline JavaScript in the page, no iframe, no build step) keyed by its slot: the figure goes to
the browser once, and live_chart.js appends the points that are new (Plotly.animate, see its appendPoints):
points it fetches itself from playground.server.live_feed when the server has that route (app.py), else points each
refresh of the page carries (the batch points and epoch results after the ones already sent). plotly.js is served
by this server, no CDN (plotly_js.py).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from playground.charts.live import live_chart_json, live_chart_update, live_chart_words
from playground.charts.style import LIVE_CHART_ALT, plotly_config
from playground.pages.parts.plotly_js import module_js
from playground.server.live_feed import PATH, counts, status
from playground.server.run_words import progress_line

HERE = Path(__file__).parent

# The bar drawn by live_chart.js when it feeds itself (playground.server.live_feed) looks like st.progress: the
# theme's primary colour (.streamlit/config.toml) on a light track, its words above it in the page's text colour.
CSS = """
.playground-live-plot { width: 100%; min-height: 440px; }
.playground-live-status[hidden] { display: none; }
.playground-live-line { margin: 0 0 0.4rem; font-size: 0.875rem; }
.playground-live-bar { height: 0.5rem; border-radius: 0.25rem; background: #E6E7EA; overflow: hidden; }
.playground-live-fill { height: 100%; width: 0; background: #B93A14; }
.playground-live-hidden {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
"""
_component = st.components.v2.component(
    "playground.live_chart",
    js=module_js(HERE / "live_chart.js"),
    css=CSS,
    isolate_styles=False,  # in the page's own DOM, so `.st-key-<key> .js-plotly-plot` finds the plot
)


OVERLAP = 4  # refreshes: each one repeats the points of the last few, in case the browser skipped one (below)


def _sent_key(key: str) -> str:
    return f"{key}_sent"


def send_everything_again(key: str) -> None:
    """The next refresh of the chart `key` sends the whole figure: the browser asked (it missed a message), or the
    whole page is being drawn (a visitor back from another page, whose last refresh there may have been lost)."""
    st.session_state.pop(_sent_key(key), None)


def _slow_device() -> None:
    """The browser said it takes long to draw: its live views look for news less often (common.refresh_seconds)."""
    st.session_state.slow_device = True


def _feed_lost() -> None:
    """The browser could not reach the live feed: this session's live views rerun to bring the news instead."""
    st.session_state.no_live_feed = True


def live_chart(run, snapshot, key: str, filename: str, feed: str | None = None, line=progress_line) -> None:
    """The live chart of `run` at `snapshot`: the whole figure the first time (or when the browser asks for it
    again), afterwards only the points added lately. `filename` names the camera's PNG.

    With `feed` (a token of playground.server.live_feed) the browser fetches the points itself and draws the bar
    above the chart, worded by `line`; the page then sends the whole figure once and, later, nothing but the bar.

    A browser busy with several messages at once draws only the latest (React renders the last data it was given),
    so each refresh carries the points since the refresh OVERLAP before, with how many each trace had before them;
    the browser appends what it has not got, and asks for everything only if the gap is wider than that."""
    sent = st.session_state.get(_sent_key(key))  # {"run", "figure": number, "counts": [(points, epochs, step)]}
    update = None
    if sent is not None and sent["run"] == run.uid:
        # With a feed the browser keeps its own points in step: the page sends the figure only for a new run.
        update = {} if feed is not None else live_chart_update(snapshot, *sent["counts"][0])
    data = {"slot": key, "run": run.uid, "words": live_chart_words(snapshot), "alt": LIVE_CHART_ALT}
    if update is None:  # a new run, a new visitor, or the history thinned itself out: everything
        figures = st.session_state[f"{key}_figures"] = st.session_state.get(f"{key}_figures", 0) + 1
        sent = {"run": run.uid, "figure": figures, "counts": []}
        data |= {"config": plotly_config(filename), "counts": counts(snapshot)}
        if feed is None or snapshot.batch_points or snapshot.epoch_history:
            # With a feed and nothing to plot yet, the figure comes from the feed with the first points: building
            # it here would make the click that starts a run wait for Plotly (a class clicks together).
            data["figure"] = live_chart_json(snapshot)
    elif feed is None:
        data |= update
    data["generation"] = sent["figure"]  # which whole figure these points follow
    if feed is not None:
        data |= {"feed": PATH + feed, "status": status(snapshot, line)}
    _component(
        key=key,
        data=data,
        on_resend_change=lambda: send_everything_again(key),
        on_slow_change=_slow_device,
        on_ended_change=lambda: None,  # the run ended: this rerun draws it
        on_lost_change=_feed_lost,
    )
    # Only once it is on its way: a rerun interrupted before (a click elsewhere) leaves the record as it was.
    st.session_state[_sent_key(key)] = sent | {"counts": [*sent["counts"], tuple(counts(snapshot))][-OVERLAP:]}
