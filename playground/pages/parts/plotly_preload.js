// This app's plotly.js loaded while the Train page is idle, before any chart needs it, and one small chart drawn
// out of sight and removed, so that plotly.js's own first-draw setup is done too. Both cost a tab slowed 4x about
// 2 s of its main thread; done here, they are not done in the seconds after a click on Train, when the visitor
// watches the run start (bench/liveview.py). Each waits for an idle moment (requestIdleCallback), so the page's
// own drawing comes first; a chart that needs plotly.js sooner loads it itself (plotly_loader.js, the same promise).

function whenIdle(work) {
  if (window.requestIdleCallback) window.requestIdleCallback(work, { timeout: 4000 });
  else setTimeout(work, 500);
}

// Two panels of lines and markers with a legend, as the live chart has: what plotly.js sets up on its first draw.
function warm(Plotly) {
  if (window.__playgroundPlotlyWarm) return;
  window.__playgroundPlotlyWarm = true;
  const div = document.createElement("div");
  div.setAttribute("aria-hidden", "true");
  div.style.cssText = "position:fixed;left:-10000px;top:0;width:640px;height:440px;visibility:hidden";
  document.body.append(div);
  const line = (name, axis) => ({ x: [1, 2, 3], y: [3, 1, 2], name, type: "scatter", mode: "lines", yaxis: axis });
  const dots = (name, axis) => ({ ...line(name, axis), mode: "markers" });
  const layout = { grid: { rows: 2, columns: 1 }, yaxis2: { anchor: "x" }, showlegend: true };
  Promise.resolve(Plotly.newPlot(div, [line("a", "y"), dots("b", "y"), line("c", "y2"), dots("d", "y2")], layout))
    .catch(() => null)
    .then(() => {
      Plotly.purge(div);
      div.remove();
    });
}

export default function () {
  if (window.__playgroundPlotly) return; // loaded already (or loading): nothing to do
  whenIdle(() =>
    plotly()
      .then((Plotly) => whenIdle(() => warm(Plotly)))
      .catch(() => null), // unreachable now: the chart that needs it tries again and says so
  );
}
