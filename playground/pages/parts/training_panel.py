"""The Train page's parts: Train and Stop, the live view (bar, words for screen readers, live chart), the model
summary and, after a run, its results. The words come from the core (playground.server.run_words)."""

from __future__ import annotations

import html

import streamlit as st

from playground.pages.parts.common import (
    current_config,
    dataset_problem,
    keep_pace,
    live_feed_token,
    refresh_seconds,
    session_lab,
)
from playground.pages.parts.plotly_js import preload_plotly
from playground.pages.parts.settings import commit_widgets, forget_link_notes, settled
from playground.server.run_words import announcement, progress_line
from playground.server.workers import RemoteRun, TrainerBusy
from playground.training.snapshots import RunState

# Said to screen readers, politely, when it changes (once an epoch at most: playground.server.run_words.announcement);
# shown to nobody else, since the bar above says the same and more.
ANNOUNCER = (
    '<div role="status" aria-live="polite" aria-atomic="true" class="run-announcer" style="position:absolute;'
    'width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap">{text}</div>'
)


def summary_markdown(rows: list[dict]) -> str:
    """The model summary as a small Markdown table (a data grid or st.table costs a slow browser far more)."""
    lines = ["| layer | kind | output shape | weights |", "| --- | --- | --- | ---: |"]
    lines += [f"| {r['layer']} | {r['kind']} | {r['output shape']} | {r['parameters']:,} |" for r in rows]
    return "\n".join(lines)


def press_train() -> None:
    """Runs before the page is drawn again, so the page already shows the new run and a disabled Train."""
    forget_link_notes()
    problem = dataset_problem()
    if problem is not None:  # nothing to train on: the page says so and nothing starts
        st.session_state.trainer_busy = problem
        return
    commit_widgets()  # this very click may also have committed a typed-in value; a bad one keeps the last good
    try:
        session_lab().start(current_config())
    except TrainerBusy as busy:
        st.session_state.trainer_busy = str(busy)


def live_view(run: RemoteRun, refresh: float | None, feed: str | None) -> None:
    """The bar, the words for screen readers and the live chart. With `feed` (a live_feed token) the browser
    fetches the news itself, and draws the bar and the words above the chart, until the run ends."""
    snap = run.snapshot
    keep_pace(snap, refresh, fed=feed is not None)
    fed = feed is not None and not snap.state.done  # if so, the chart's own script draws the bar and the words
    if not fed:
        st.html(ANNOUNCER.format(text=html.escape(announcement(snap))), width="content")
        if not snap.state.done:
            st.progress(snap.progress, text=progress_line(snap))
        elif snap.state is RunState.FAILED:
            st.error(snap.error, icon=":material/error:")
        else:
            message = f"Training {snap.state.value}: {snap.stop_reason}. ({snap.elapsed:.0f} s)"
            st.success(message, icon=":material/check:")
    if fed or snap.batch_points or snap.epoch_history:
        from playground.pages.parts.live_chart import live_chart  # with Plotly, once a run exists

        live_chart(run, snap, "live_chart", "fashion-training-live", feed=feed if fed else None)
    elif not snap.state.done:
        # Nothing to plot yet: the figure (Plotly's, built here) comes with the first numbers, and the click is
        # answered by the bar above alone. (The browser's plotly.js was loaded before the click: preload_plotly.)
        st.caption("The chart appears with the first batches.")
    if snap.state.done and st.session_state.get("finished_run") != run.uid:
        st.session_state.finished_run = run.uid
        st.rerun()  # once, to stop the timer and draw the results below


def training_panel() -> None:
    """Train, Stop and the live view. A click here reruns only this part: the sidebar and the summary stay as
    they are, which spares a busy browser most of the work (a class of 30 may share one slow machine)."""
    run = session_lab().current
    shown = st.session_state.get("results_shown_for")
    if run is not None and shown is not None and shown != run.uid:
        st.rerun()  # a new run replaces the last one's results below: redraw the whole page, once
    active = run is not None and not run.snapshot.state.done
    train_column, stop_column, spare_column = st.columns([1, 1, 4])
    train_column.button(
        "Train",
        type="primary",
        icon=":material/play_arrow:",
        disabled=active,
        key="train_button",
        on_click=press_train,
        help="Start training with these settings." if not active else "Stop the current run first.",
    )
    stop_column.button(
        "Stop",
        icon=":material/stop:",
        disabled=not active,
        key="stop_button",
        on_click=(run.stop if run is not None else None),
        help="End training after the current batch. The model trained so far is kept.",
    )
    if settled():  # not in a first look: the whole page is drawn before plotly.js takes the main thread
        with spare_column:  # nothing shown: plotly.js loaded while the visitor reads, not after the click
            preload_plotly(armed=not active)
    if "trainer_busy" in st.session_state:  # nothing was started, nothing changed: say why
        st.warning(st.session_state.pop("trainer_busy"), icon=":material/hourglass_top:")
    if run is None:
        st.info("Press **Train** to start. The lecture model takes about 10 seconds here.", icon=":material/school:")
        return
    st.subheader("Watch it learn")
    feed = live_feed_token(run)
    refresh = refresh_seconds(run.snapshot, fed=feed is not None)
    st.fragment(run_every=refresh, key="live_view")(live_view)(run, refresh, feed)


def whole_live_chart_again(run: RemoteRun | None) -> None:
    """The whole page is drawn: the live chart's whole figure too (a visitor may be back from elsewhere)."""
    if run is not None:
        from playground.pages.parts.live_chart import send_everything_again  # Plotly only once a run exists

        send_everything_again("live_chart")


def results(run: RemoteRun, data, runs: list[RemoteRun]) -> None:
    """The finished (or running) run's results; pandas and Plotly are loaded from here on only."""
    from playground.pages.parts.results import show_results

    show_results(run, data, runs)
