// Draws the Vega-Lite charts of a page: the explorer's series (#chart-spec) and the evaluation paths.
// Charts repeat what the tables beside them hold; without JS the tables remain.
(function () {
  "use strict";
  if (typeof vegaEmbed === "undefined") return;
  const i18n = JSON.parse(document.getElementById("i18n").textContent);
  const options = { actions: false, renderer: "svg" };
  const specEl = document.getElementById("chart-spec");
  if (specEl) {
    vegaEmbed("#chart", JSON.parse(specEl.textContent), options).then(() => {
      document.getElementById("chart").setAttribute("data-ready", "true");
    });
  }
  document.querySelectorAll("[data-evaluation]").forEach((el) => {
    const path = JSON.parse(el.dataset.evaluation || "[]");
    const rows = [];
    path.forEach((p) => {
      rows.push({ time: p.time, value: p.observed, series: i18n.observed });
      rows.push({ time: p.time, value: p.synthetic, series: i18n.synthetic });
    });
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: "container", height: 260, data: { values: rows },
      mark: { type: "line", tooltip: true },
      encoding: {
        x: { field: "time", type: "ordinal", title: i18n.period, axis: { labelOverlap: true } },
        y: { field: "value", type: "quantitative", scale: { zero: false }, title: null },
        color: { field: "series", type: "nominal", title: null },
        strokeDash: { field: "series", type: "nominal", legend: null },
      },
    };
    vegaEmbed(el, spec, options);
  });
  document.querySelectorAll("[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
})();
