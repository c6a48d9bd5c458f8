// Progressive enhancement only: every page works without this file.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

initAll();

// Draw each chart from the Vega-Lite spec beside it (the table below it holds the same figures).
// Canvas rendering and Vega's expression interpreter keep within the page's content security policy.
function drawCharts(root) {
  if (typeof window.vegaEmbed !== "function") return;
  root.querySelectorAll("[data-chart]").forEach((el) => {
    if (el.dataset.drawn) return;
    const source = document.getElementById(el.dataset.chart);
    if (!source) return;
    el.dataset.drawn = "1";
    window.vegaEmbed(el, JSON.parse(source.textContent), {
      renderer: "canvas", actions: false, ast: true, defaultStyle: false, tooltip: false,
    }).catch(() => { el.remove(); });
  });
}

drawCharts(document);
document.body.addEventListener("htmx:afterSwap", (event) => drawCharts(event.target));
