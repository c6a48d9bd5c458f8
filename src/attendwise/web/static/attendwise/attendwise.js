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

// A table (or chart) wider than the page scrolls sideways in its own region: a keyboard can reach it
// (tabindex), and a screen reader hears what it is (a labelled region). Regions that fit are left alone.
function labelScrollingRegions(root) {
  root.querySelectorAll(".aw-table-scroll, .aw-chart").forEach((el) => {
    const scrolls = el.scrollWidth > el.clientWidth + 1;
    if (scrolls && !el.hasAttribute("tabindex")) {
      const caption = el.querySelector("caption");
      const figure = el.closest("figure");
      const title = figure && figure.querySelector("h2, h3");
      const name = (caption && caption.textContent.trim()) || (title && title.textContent.trim()) || "Table";
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", name + " (scrolls sideways)");
    } else if (!scrolls && el.getAttribute("role") === "region") {
      el.removeAttribute("tabindex");
      el.removeAttribute("role");
      el.removeAttribute("aria-label");
    }
  });
}

labelScrollingRegions(document);
window.addEventListener("resize", () => labelScrollingRegions(document));
document.body.addEventListener("htmx:afterSwap", (event) => labelScrollingRegions(event.target));
