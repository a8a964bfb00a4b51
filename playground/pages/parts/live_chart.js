// The live training chart: drawn once per run, then only new points appended (appendPoints: Plotly.animate).
//
// Streamlit calls this function again whenever the page is drawn, with `data`: {slot, run, generation, words, alt,
// and either config, counts and figure (the whole chart; with a feed and no points yet, the figure comes later from
// the feed), or base, x, y (new points), or neither}. A message with `counts` starts the chart afresh (a new run,
// or everything again); one with points carries the latest points of
// each trace, `base[i]` being how many trace i had before them. Streamlit may skip a message when several arrive at
// once (React draws the latest), so those messages overlap and only what this tab has not got is appended.
//
// With `feed` (the server has playground.server.live_feed's route) the page is drawn once per run, and this script
// asks the feed itself, a few times a second, for what is new: points, the bar and its words (`status`, drawn here
// above the chart), what a screen reader is told. No Streamlit rerun per look, which on a slow device is what costs.
// When the run ends it tells Streamlit ("ended"), which draws the results; if the feed cannot be reached it says
// "lost" and the page goes back to rerunning.

// What each chart has drawn, kept by slot for the tab's life: Streamlit's pages change without reloading, so
// a visitor coming back to Train finds the run's points here and the chart is drawn again at once.
const views = (window.__playgroundLiveViews = window.__playgroundLiveViews || {});
const asked = {}; // by slot: the last request for everything again, so it is made once

function make(tag, className, attributes = {}) {
  const element = document.createElement(tag);
  element.className = className;
  Object.entries(attributes).forEach(([name, value]) => element.setAttribute(name, value));
  return element;
}

// The component's own elements: [status: words, bar, announcer] (only with a feed), plot, words for screen readers.
function parts(parentElement) {
  let plot = parentElement.querySelector(":scope > .playground-live-plot");
  if (!plot) {
    const status = make("div", "playground-live-status");
    const line = make("p", "playground-live-line");
    const bar = make("div", "playground-live-bar", {
      role: "progressbar",
      "aria-label": "Training progress",
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-valuenow": "0",
    });
    bar.append(make("div", "playground-live-fill"));
    // Said to screen readers, politely, when it changes (once an epoch at most); the bar shows the same and more.
    const announcer = make("div", "run-announcer playground-live-hidden", {
      role: "status",
      "aria-live": "polite",
      "aria-atomic": "true",
    });
    status.append(line, bar, announcer);
    status.hidden = true;
    const words = make("p", "playground-live-words playground-live-hidden");
    words.id = `playground-live-words-${Math.random().toString(36).slice(2)}`;
    plot = make("div", "playground-live-plot", { role: "figure", "aria-describedby": words.id });
    // a figure, not an image: its camera button stays reachable
    parentElement.append(status, plot, words);
  }
  const one = (name) => parentElement.querySelector(`:scope > ${name}`);
  return {
    plot,
    words: one(".playground-live-words"),
    status: one(".playground-live-status"),
    line: one(".playground-live-status > .playground-live-line"),
    bar: one(".playground-live-status > .playground-live-bar"),
    announcer: one(".playground-live-status > .run-announcer"),
  };
}

function showStatus(element, status) {
  if (!status) {
    element.status.hidden = true;
    return;
  }
  element.status.hidden = false;
  const percent = Math.round(100 * status.progress);
  element.bar.setAttribute("aria-valuenow", String(percent));
  element.bar.firstChild.style.width = `${percent}%`;
  if (element.line.textContent !== status.line) element.line.textContent = status.line;
  if (element.announcer.textContent !== status.announce) element.announcer.textContent = status.announce;
}

function plotted(view) {
  return view.plot.classList.contains("js-plotly-plot") && Array.isArray(view.plot.data); // purged: no data
}

function lengths(view) {
  const { pending } = view;
  return view.plot.data.map((trace, i) => points(trace, "x").length + (pending ? pending.x[i].length : 0));
}

// A trace with no points yet is drawn with one empty point (null), so that its legend entry is there from the
// start: plotly.js leaves an empty trace out of the legend, and adding it later took a full redraw at the first
// epoch's end (the epoch-end markers), on a slowed tab the slowest draw of the run after the first. A real point's
// x is always a number.
function withPlaceholders(data) {
  return data.map((trace) => (trace.x && trace.x.length ? trace : { ...trace, x: [null], y: [null] }));
}

// A trace's points along "x" or "y": none for the placeholder.
function points(trace, axis) {
  return trace.x.length === 1 && trace.x[0] === null ? [] : trace[axis];
}

function figureHasPoints(figure) {
  return figure.data.some((trace) => trace.x && trace.x.length);
}

// A slow device draws less often rather than falling behind: a draw that took d ms (script and frame) comes at most
// once every DRAW_SHARE_GAP * d ms, so drawing takes about a quarter of the main thread at most; the points meanwhile
// are appended together. A fast one draws at every look.
const DRAW_SHARE_GAP = 4;
const LONGEST_WAIT = 600; // ms: the chart never stands still for long (without the feed)
const SLOW_DRAW = 80; // ms: a draw slower than this, three times, and the server is asked to send news less often
const LONGEST_FEED_CYCLE = 450; // ms from one look to the next at most while training, however slow the draw: the
// chart changes at least twice a second (a tab slowed 4x, whose draws take 140 ms in a slow moment, drew 1.8 times
// a second at 750 ms, bench/liveview.py)
const FEED_TRIES = 5; // looks in a row the server refuses before the page is told the feed is lost
let slowDraws = 0;

function timed(view, took, started) {
  view.nextDraw = started + Math.min(LONGEST_WAIT, DRAW_SHARE_GAP * took);
  if (took > SLOW_DRAW && ++slowDraws === 3 && view.setStateValue && !view.feed) view.setStateValue("slow", true);
}

// New points, `x[i]` and `y[i]` for trace i. Only the traces that have new points are redrawn (Plotly.animate
// without a redraw, which leaves the axes, legend and other traces as they are): on a tab slowed 4x that costs
// about half of extendTraces' full redraw (bench/liveview.py: feed_draw_ms against plot_redraw_ms). A point
// outside what an axis that ranges itself shows needs the full redraw, which widens that axis, and so does a
// trace's first point, which adds its entry to the legend (Plotly leaves an empty trace out of it: the epoch-end
// markers' entries would otherwise come only with the whole figure at the end; the live chart draws a placeholder
// instead, withPlaceholders). The first points take away the "waiting" note of an empty chart.
async function appendPoints(Plotly, plot, x, y) {
  const traces = x.flatMap((values, i) => (values.length ? [i] : []));
  if (!traces.length) return;
  if (hasAnnotations(plot)) await Plotly.relayout(plot, { annotations: [] });
  const first = traces.some((i) => !plot.data[i].x.length);
  if (first || !traces.every((i) => withinRange(plot, i, x[i], y[i]))) {
    for (const i of traces) {
      const trace = plot.data[i];
      Object.assign(trace, { x: points(trace, "x"), y: points(trace, "y") }); // the placeholder goes
    }
    return Plotly.extendTraces(plot, { x, y }, x.map((_, i) => i));
  }
  const data = traces.map((i) => ({
    x: [...points(plot.data[i], "x"), ...x[i]],
    y: [...points(plot.data[i], "y"), ...y[i]],
  }));
  const now = { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" };
  return Plotly.animate(plot, { data, traces }, now);
}

window.__playgroundLiveAppend = appendPoints; // tried directly by tests/test_browser.py
window.__playgroundLivePlaceholders = withPlaceholders; // and this

// Whether trace i's new values lie inside the ranges its axes show, for each axis Plotly ranges by itself (an axis
// the figure fixes, or the visitor zoomed, keeps its range whatever comes).
function withinRange(plot, i, xs, ys) {
  const trace = plot.data[i];
  return [
    [`xaxis${(trace.xaxis || "x").slice(1)}`, xs],
    [`yaxis${(trace.yaxis || "y").slice(1)}`, ys],
  ].every(([name, values]) => {
    const axis = plot._fullLayout[name];
    if (!axis || !axis.autorange) return true;
    const [low, high] = [Math.min(...axis.range), Math.max(...axis.range)];
    return values.every((v) => v === null || (v >= low && v <= high));
  });
}

function flush(Plotly, view) {
  const now = performance.now();
  if (view.timer) return;
  if (now < (view.nextDraw || 0)) {
    view.timer = setTimeout(() => {
      view.timer = null;
      flush(Plotly, view);
    }, view.nextDraw - now);
    return;
  }
  const { pending, plot } = view;
  if (!pending || !plot.isConnected) return;
  view.pending = null;
  const started = performance.now();
  inTurn(async () => {
    if (plot !== view.plot || !plotted(view)) return;
    const took = await drawn(() => appendPoints(Plotly, plot, pending.x, pending.y));
    timed(view, took, started);
  });
}

// The whole figure: the same plot element again keeps its zoom (Plotly.react and the figure's uirevision).
function drawWhole(Plotly, view, figure, config) {
  if (view.timer) clearTimeout(view.timer);
  view.timer = null;
  view.pending = null;
  const started = performance.now();
  const data = withPlaceholders(figure.data);
  if (plotted(view)) Plotly.react(view.plot, data, figure.layout, config);
  else Plotly.newPlot(view.plot, data, figure.layout, config);
  timed(view, performance.now() - started, started);
}

function append(Plotly, view, update, skip) {
  if (!update.x.some((x, i) => x.length > skip[i])) return;
  if (!view.pending) view.pending = { x: update.x.map(() => []), y: update.y.map(() => []) };
  update.x.forEach((x, i) => view.pending.x[i].push(...x.slice(skip[i])));
  update.y.forEach((y, i) => view.pending.y[i].push(...y.slice(skip[i])));
  flush(Plotly, view);
}

// ---- the feed: this tab asks the server for news itself ----

function look(view, wait) {
  clearTimeout(view.looking);
  view.looking = setTimeout(() => lookNow(view), wait);
}

async function lookNow(view) {
  view.looking = null;
  if (!view.feed || !view.plot.isConnected) {
    view.asking = false; // the visitor left the page, or the run ended: a page drawn again starts anew
    return;
  }
  const [points, epochs, step] = view.counts;
  const seq = view.seq;
  const lookStarted = performance.now();
  let news;
  try {
    const url = new URL(view.feed, document.baseURI);
    const query = { points, epochs, step: step === null ? "" : step, ...(view.whole ? { whole: 1 } : {}) };
    url.search = new URLSearchParams(query).toString();
    const response = await fetch(url, { cache: "no-store" });
    if (response.ok) {
      news = await response.json();
    } else if (++view.failures >= FEED_TRIES) {
      // The server (or something between) refuses: back to Streamlit's reruns for this session.
      view.asking = false;
      view.feed = null;
      view.setTriggerValue("lost", `${view.run}:${response.status}`);
      return;
    }
  } catch (error) {
    news = null; // offline (a phone that locked, a train tunnel): keep trying, the page reconnects by itself
  }
  if (!news) {
    look(view, 2000);
    return;
  }
  view.failures = 0;
  window.__playgroundLiveLooks = (window.__playgroundLiveLooks || 0) + 1; // read by tests and bench/liveview.py
  inTurn(async () => {
    if (seq !== view.seq || !view.feed) {
      look(view, 0); // a whole figure came meanwhile: ask again from there
      return;
    }
    let took = 0;
    try {
      // The words and the bar first, in the same task as the draw: one frame shows both (after the draw, they
      // took a frame of their own, with its style, layout, paint and the browser's hover check: bench/liveview.py).
      if (view.element.words.textContent !== news.words) view.element.words.textContent = news.words;
      showStatus(view.element, news);
      if (news.figure) {
        const figure = JSON.parse(news.figure);
        const Plotly = await plotly();
        took = await drawn(() => drawWhole(Plotly, view, figure, view.config));
        view.whole = false;
      } else if (news.update) {
        const Plotly = await plotly();
        if (!plotted(view) && !view.skeleton) {
          view.whole = true; // the first points, and no figure yet: ask for the whole of it at once
          look(view, 0);
          return;
        }
        took = await drawn(async () => {
          const { skeleton } = view;
          const data = !plotted(view) && withPlaceholders(skeleton.data);
          if (data) await Plotly.newPlot(view.plot, data, skeleton.layout, view.config);
          const have = lengths(view);
          const skip = have.map((length, i) => length - news.update.base[i]);
          const fresh = (values) => values.map((v, i) => v.slice(Math.max(0, skip[i])));
          return appendPoints(Plotly, view.plot, fresh(news.update.x), fresh(news.update.y));
        });
      }
      if (took) {
        const draws = (window.__playgroundLiveDraws = window.__playgroundLiveDraws || []); // read by bench/liveview.py
        draws.push(Math.round(took));
        if (draws.length > 1000) draws.splice(0, 500);
      }
      view.counts = news.counts;
    } catch (error) {
      console.error("live chart:", error);
      view.whole = true; // drawn in part, perhaps: the whole figure at the next look
    }
    if (news.done) {
      view.asking = false;
      view.setTriggerValue("ended", `${view.run}`); // Streamlit draws the run's end and its results
      return;
    }
    // A slow device looks (and draws) less often rather than spending its main thread on the chart: the next look
    // comes wait_ms after this one began (the server's pace: a queued run's is slow), or DRAW_SHARE_GAP times this
    // draw's time after it, but no later than LONGEST_FEED_CYCLE, so the chart never stands still for long.
    const cycle = Math.max(news.wait_ms, Math.min(LONGEST_FEED_CYCLE, DRAW_SHARE_GAP * took));
    look(view, Math.max(0, cycle - (performance.now() - lookStarted)));
  });
}

// How long `draw` keeps the main thread: its script, then the style, layout and paint of the frame it changed.
// Plotly.animate's promise is kept in its own animation frame, the one that shows the points: a timer set then runs
// after that frame's style, layout and paint. A draw that ends before any frame (the whole figure) waits for the
// next one first. Asking for a frame after Plotly.animate's would cost the page an extra frame at every draw.
async function drawn(draw) {
  const started = performance.now();
  let framed = false;
  requestAnimationFrame(() => {
    framed = true;
  });
  await draw();
  return new Promise((resolve) => {
    const done = () => resolve(performance.now() - started);
    const fallback = setTimeout(done, 1000); // no frames in a hidden tab
    const afterTheFrame = () =>
      setTimeout(() => {
        clearTimeout(fallback);
        done();
      }, 0);
    if (framed) afterTheFrame();
    else requestAnimationFrame(afterTheFrame);
  });
}

function hasAnnotations(plot) {
  return Boolean(plot.layout && plot.layout.annotations && plot.layout.annotations.length);
}

// Streamlit's messages and the feed's news are drawn one at a time, in the order they came (loading Plotly waits).
let turns = Promise.resolve();
function inTurn(work) {
  turns = turns.then(work).catch((error) => console.error("live chart:", error));
  return turns;
}

async function draw(data, parentElement, setTriggerValue, setStateValue) {
  const element = parts(parentElement);
  const { plot } = element;
  let view = views[data.slot];
  const sameRun = view && view.run === data.run;
  if (data.counts) {
    const figure = data.figure ? JSON.parse(data.figure) : null; // none: the feed sends it with the first points
    if (view && !sameRun) {
      clearTimeout(view.looking); // the last run's looks end here
      view.feed = null;
    }
    const keep = sameRun && view.plot === plot && plotted(view);
    if (sameRun) view.seq += 1; // news asked for before this figure is not drawn
    else view = views[data.slot] = { run: data.run, seq: 0, failures: 0 };
    clearTimeout(view.timer);
    Object.assign(view, { generation: data.generation, config: data.config, plot, counts: data.counts });
    Object.assign(view, { skeleton: figure, timer: null, pending: null });
    // With a feed the chart waits for the first points (plotly.js is loaded by then as a rule: plotly_preload.js).
    if (figure && (keep || figureHasPoints(figure) || !data.feed)) {
      drawWhole(await plotly(), view, figure, data.config);
    } else if (plotted(view)) {
      (await plotly()).purge(plot); // a new run in the same slot, not begun yet: its chart comes with its points
    }
  } else if (view && sameRun && view.plot !== plot) {
    // Mounted again (the visitor came back to this page): the points kept here, at once, zoom included.
    const old = view.plot;
    view.plot = plot;
    if (old.data) (await plotly()).newPlot(plot, old.data, old.layout, view.config);
  }
  if (!view || view.run !== data.run) {
    // Nothing of this run here (the tab was reloaded, or a message was missed): ask for the whole figure, once.
    const asking = `${data.run}:${data.generation}:none`;
    if (asked[data.slot] !== asking) {
      asked[data.slot] = asking;
      setTriggerValue("resend", asking);
    }
    return;
  }
  view.element = element;
  view.setTriggerValue = setTriggerValue;
  view.setStateValue = setStateValue;
  if (data.x) {
    const have = view.run === data.run && view.generation === data.generation && plotted(view) ? lengths(view) : null;
    const skip = have && have.map((length, i) => length - data.base[i]);
    if (!skip || skip.some((n) => n < 0)) {
      // This tab has not got the points these follow (messages were missed): ask for all of them, once.
      const asking = `${data.run}:${data.generation}:${data.base}:${have}`;
      if (asked[data.slot] !== asking) {
        asked[data.slot] = asking;
        window.__playgroundLiveResends = (window.__playgroundLiveResends || 0) + 1; // read by bench/liveview.py
        setTriggerValue("resend", asking);
      }
    } else {
      append(await plotly(), view, data, skip);
    }
  }
  plot.setAttribute("aria-label", data.alt);
  element.words.textContent = data.words;
  view.feed = data.feed || null;
  showStatus(element, data.feed ? data.status : null);
  if (view.feed && !view.asking) {
    view.asking = true;
    look(view, 0);
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  inTurn(() =>
    draw(data, parentElement, setTriggerValue, setStateValue).catch((error) => {
      parts(parentElement).words.textContent = `The live chart could not be drawn: ${error.message}`;
    }),
  );
}
