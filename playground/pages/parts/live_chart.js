// The live training chart: drawn once per run, then only new points appended (Plotly.extendTraces).
// Streamlit calls this function again with new `data`: {slot, run, generation, words, and either figure and config,
// or base, x, y}. A message with `figure` starts the chart afresh (a new run, or everything again); any other
// carries the latest points of each trace, `base[i]` being how many trace i had before them. Streamlit may skip a
// message when several arrive at once (React draws the latest), so the messages overlap and only what this tab
// has not got is appended.

// Filled in by live_chart.py from its module name (declare_component serves plotly.min.js under it).
const PLOTLY_URL = "__PLOTLY_URL__";

// What each chart has drawn, kept by slot for the tab's life: Streamlit's pages change without reloading, so
// a visitor coming back to Train finds the run's points here and the chart is drawn again at once.
const views = (window.__playgroundLiveViews = window.__playgroundLiveViews || {});
const asked = {}; // by slot: the last request for everything again, so it is made once

function plotly() {
  if (!window.__playgroundPlotly) {
    window.__playgroundPlotly = window.Plotly
      ? Promise.resolve(window.Plotly)
      : new Promise((resolve, reject) => {
          const script = document.createElement("script");
          script.src = new URL(PLOTLY_URL, document.baseURI).href; // offline: the plotly package's own copy
          script.onload = () => resolve(window.Plotly);
          script.onerror = () => reject(new Error("plotly.js could not be loaded"));
          document.head.appendChild(script);
        });
  }
  return window.__playgroundPlotly;
}

function parts(parentElement) {
  let plot = parentElement.querySelector(":scope > .playground-live-plot");
  if (!plot) {
    const words = document.createElement("p");
    words.className = "playground-live-words";
    words.id = `playground-live-words-${Math.random().toString(36).slice(2)}`;
    plot = document.createElement("div");
    plot.className = "playground-live-plot";
    plot.setAttribute("role", "figure"); // a figure, not an image: its camera button stays reachable
    plot.setAttribute("aria-describedby", words.id);
    parentElement.append(plot, words);
  }
  return { plot, words: parentElement.querySelector(":scope > .playground-live-words") };
}

function lengths(view) {
  return view.plot.data.map((trace, i) => trace.x.length + (view.pending ? view.pending.x[i].length : 0));
}

// A slow device draws less often rather than falling behind: after a draw that took d ms, the next waits until
// DRAW_SHARE_GAP * d ms have passed (at most LONGEST_WAIT), so drawing takes about a quarter of the main thread at
// most; the points meanwhile are appended together. A fast one draws every refresh.
const DRAW_SHARE_GAP = 4;
const LONGEST_WAIT = 600; // ms: the chart never stands still for long
const SLOW_DRAW = 80; // ms: a draw slower than this, three times, and the server is asked to send news less often
let slowDraws = 0;

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
  if (plot.layout.annotations && plot.layout.annotations.length) {
    Plotly.relayout(plot, { annotations: [] }); // the "waiting for the first batches" note
  }
  Plotly.extendTraces(plot, pending, pending.x.map((_, i) => i));
  const took = performance.now() - now;
  view.nextDraw = now + Math.min(LONGEST_WAIT, DRAW_SHARE_GAP * took);
  if (took > SLOW_DRAW && ++slowDraws === 3 && view.setStateValue) view.setStateValue("slow", true);
}

function draw(Plotly, data, parentElement, setTriggerValue, setStateValue) {
  const { plot, words } = parts(parentElement);
  let view = views[data.slot];
  if (data.figure) {
    const figure = JSON.parse(data.figure);
    if (view && view.run === data.run && view.plot === plot && plot.classList.contains("js-plotly-plot")) {
      Plotly.react(plot, figure.data, figure.layout, view.config); // the same uirevision: a zoom stays
    } else {
      Plotly.newPlot(plot, figure.data, figure.layout, data.config);
    }
    if (view && view.timer) clearTimeout(view.timer);
    view = views[data.slot] = { run: data.run, generation: data.generation, config: data.config, plot };
  } else {
    if (view && view.run === data.run && (view.plot !== plot || !plot.classList.contains("js-plotly-plot"))) {
      // Mounted again (the visitor came back to this page): the points kept here, at once, zoom included.
      Plotly.newPlot(plot, view.plot.data, view.plot.layout, view.config);
      view.plot = plot;
    }
    if (view) view.setStateValue = setStateValue;
    const have = view && view.run === data.run && view.generation === data.generation ? lengths(view) : null;
    const skip = have && have.map((length, i) => length - data.base[i]);
    if (!skip || skip.some((n) => n < 0)) {
      // This tab has not got the points these follow (messages were missed): ask for all of them, once.
      const asking = `${data.run}:${data.generation}:${data.base}:${have}`;
      if (asked[data.slot] !== asking) {
        asked[data.slot] = asking;
        window.__playgroundLiveResends = (window.__playgroundLiveResends || 0) + 1; // read by bench/liveview.py
        setTriggerValue("resend", asking);
      }
      return;
    }
    if (data.x.some((x, i) => x.length > skip[i])) {
      if (!view.pending) view.pending = { x: data.x.map(() => []), y: data.y.map(() => []) };
      data.x.forEach((x, i) => view.pending.x[i].push(...x.slice(skip[i])));
      data.y.forEach((y, i) => view.pending.y[i].push(...y.slice(skip[i])));
      flush(Plotly, view);
    }
  }
  plot.setAttribute("aria-label", data.alt);
  words.textContent = data.words;
}

export default function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  plotly()
    .then((Plotly) => draw(Plotly, data, parentElement, setTriggerValue, setStateValue))
    .catch((error) => {
      parts(parentElement).words.textContent = `The live chart could not be drawn: ${error.message}`;
    });
}
