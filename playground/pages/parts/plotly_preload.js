// This app's plotly.js loaded while the Train page is idle, before any chart needs it, and one small chart drawn
// out of sight and removed, so that plotly.js's own first-draw setup is done too. Both cost a tab slowed 4x about
// 2 s of its main thread; done here, they are not done in the seconds after a click on Train, when the visitor
// watches the run start (bench/liveview.py).
//
// Only in a quiet page: QUIET_MS after the page was drawn and after the visitor's last click or key, at an idle
// moment (requestIdleCallback), and only while `data.armed` (no run under way: a run's chart loads plotly.js itself,
// plotly_loader.js). A class pressing Train together as soon as their pages show (bench/crowd.py: ten tabs on one
// core) would otherwise meet each other's loading at the moment of the click.

const QUIET_MS = 1000;
const INPUT = ["pointerdown", "keydown"];
let pending = null; // {timer}: a preload armed and not begun yet; an idle callback of an older one does nothing

function disarm() {
  if (pending) clearTimeout(pending.timer);
  pending = null;
  INPUT.forEach((type) => window.removeEventListener(type, rearm, true));
}

function arm() {
  disarm();
  const mine = (pending = {});
  INPUT.forEach((type) => window.addEventListener(type, rearm, true));
  mine.timer = setTimeout(() => whenIdle(() => pending === mine && start()), QUIET_MS);
}

function rearm() {
  if (pending) arm(); // the visitor is doing something: the quiet starts over
}

function whenIdle(work) {
  if (window.requestIdleCallback) window.requestIdleCallback(work, { timeout: 4000 });
  else setTimeout(work, 0);
}

function start() {
  disarm();
  if (window.__playgroundPlotly) return; // a chart loaded it meanwhile, and drew with it
  plotly()
    .then((Plotly) => whenIdle(() => warm(Plotly)))
    .catch(() => null); // unreachable now: the chart that needs it tries again and says so
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

export default function ({ data }) {
  if (window.__playgroundPlotly || !data || !data.armed) disarm();
  else if (!pending) arm(); // drawn again with nothing changed: the quiet already counting goes on
}
