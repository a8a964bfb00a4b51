// plotly.js for this app's own charts (live_chart.js, figure_chart.js, plotly_preload.js), loaded once per tab by
// whichever needs it first (a failed load is tried again by the next). Filled in by plotly_js.py: where this server
// serves the bundle (no CDN).
const PLOTLY_URL = "__PLOTLY_URL__";

function plotly() {
  if (!window.__playgroundPlotly) {
    window.__playgroundPlotly = window.Plotly
      ? Promise.resolve(window.Plotly)
      : new Promise((resolve, reject) => {
          const script = document.createElement("script");
          script.src = new URL(PLOTLY_URL, document.baseURI).href;
          script.onload = () => resolve(window.Plotly);
          script.onerror = () => {
            window.__playgroundPlotly = null; // the next chart (or look) tries again
            script.remove();
            reject(new Error("plotly.js could not be loaded"));
          };
          document.head.appendChild(script);
        });
  }
  return window.__playgroundPlotly;
}
