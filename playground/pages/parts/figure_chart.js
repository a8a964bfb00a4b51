// A Plotly figure drawn with this app's own plotly.js (plotly_loader.js) instead of st.plotly_chart's copy, so that a
// page whose live chart has loaded it draws its other charts without a second plotly.js to evaluate.
//
// Streamlit calls this function again whenever the page is drawn, with `data`: {figure (the figure as JSON text),
// config, alt, clickable}. The plot is drawn again only when the figure changed (Plotly.react). A chart in a closed
// tab has no width: it is drawn when its tab opens, and it follows its container's width. With `clickable`, a
// click on points that carry customdata tells Streamlit ("click": {points: [{customdata}]}, as st.plotly_chart's
// selection says it).

const states = new WeakMap(); // by the component's element: {plot, want, drawn, drawing, observer}

function stateOf(parentElement) {
  let state = states.get(parentElement);
  if (!state) {
    const plot = document.createElement("div");
    plot.className = "playground-figure";
    plot.setAttribute("role", "figure"); // a figure, not an image: its camera button stays reachable
    parentElement.append(plot);
    state = { plot, want: null, drawn: null, drawing: false };
    state.observer = new ResizeObserver(() => {
      if (!state.plot.clientWidth) return;
      if (state.want && state.drawn === state.want.figure) {
        plotly().then((Plotly) => Plotly.Plots.resize(state.plot));
      } else draw(state); // first shown (a tab opened): drawn now, at its width
    });
    state.observer.observe(plot);
    states.set(parentElement, state);
  }
  return state;
}

async function draw(state) {
  const want = state.want;
  if (state.drawing || !want || state.drawn === want.figure || !state.plot.clientWidth) return;
  state.drawing = true;
  try {
    const Plotly = await plotly();
    const figure = JSON.parse(want.figure);
    await Plotly.react(state.plot, figure.data, figure.layout || {}, want.config || {});
    state.drawn = want.figure;
    if (want.clickable && !state.plot.__playgroundClicks) {
      state.plot.__playgroundClicks = true;
      state.plot.on("plotly_click", (event) => {
        const points = (event.points || []).filter((p) => p.customdata !== undefined);
        const click = { points: points.map((p) => ({ customdata: p.customdata })) };
        if (points.length && state.setTriggerValue) state.setTriggerValue("click", click);
      });
    }
  } finally {
    state.drawing = false;
  }
  if (state.want !== want) draw(state); // a newer figure came while this one was drawn
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const state = stateOf(parentElement);
  state.setTriggerValue = setTriggerValue;
  state.plot.setAttribute("aria-label", data.alt || "A chart");
  state.want = data;
  draw(state).catch((error) => {
    state.plot.textContent = `The chart could not be drawn: ${error.message}`;
  });
}
