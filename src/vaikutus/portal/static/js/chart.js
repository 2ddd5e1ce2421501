// Draws the Vega-Lite charts of a page: the explorer's series (#chart-spec) and the evaluation charts.
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
  // Evaluation page: observed vs synthetic, gap with the placebo band, DiD event study. Charts in
  // a closed <details> are drawn when it opens (a hidden container has no width to draw into).
  const evalText = JSON.parse((document.getElementById("evaluation-i18n") || { textContent: "{}" }).textContent);
  const month = (t) => t + "-01";
  const startRule = (start) => ({
    data: { values: [{ start: month(start), label: evalText.start }] },
    mark: { type: "rule", strokeDash: [4, 4], color: "#555" },
    encoding: { x: { field: "start", type: "temporal" }, tooltip: { field: "label" } },
  });
  const zeroRule = { data: { values: [{ y: 0 }] }, mark: { type: "rule", color: "#000" }, encoding: { y: { field: "y", type: "quantitative" } } };
  const timeAxis = { field: "date", type: "temporal", title: evalText.month, axis: { format: "%Y" } };
  const evaluationSpecs = {
    trajectory: (path, start) => ({
      layer: [
        {
          data: { values: path.flatMap((p) => [
            { date: month(p.time), value: p.observed, series: evalText.observed },
            { date: month(p.time), value: p.synthetic, series: evalText.synthetic },
          ]) },
          mark: { type: "line", tooltip: true },
          encoding: {
            x: timeAxis,
            y: { field: "value", type: "quantitative", scale: { zero: false }, title: "%" },
            color: { field: "series", type: "nominal", title: null, scale: { range: ["#1f3b73", "#b35806"] }, legend: { orient: "bottom" } },
            strokeDash: { field: "series", type: "nominal", legend: null },
          },
        },
        startRule(start),
      ],
    }),
    gap: (path, start) => ({
      data: { values: path.map((p) => ({ ...p, date: month(p.time) })) },
      layer: [
        { mark: { type: "area", color: "#c6cdd5", opacity: 0.8 },
          encoding: { x: timeAxis, y: { field: "band_low", type: "quantitative", title: evalText.gap + " (" + evalText.pp + ")" }, y2: { field: "band_high" } } },
        { mark: { type: "line", color: "#1f3b73", tooltip: true }, encoding: { x: timeAxis, y: { field: "gap", type: "quantitative" } } },
        zeroRule,
        startRule(start),
      ],
    }),
    event: (path) => ({
      data: { values: path },
      layer: [
        { mark: { type: "area", color: "#c6cdd5", opacity: 0.8 },
          encoding: { x: { field: "event_time", type: "quantitative", title: evalText.event_month },
                      y: { field: "band_low", type: "quantitative", title: evalText.estimate }, y2: { field: "band_high" } } },
        { mark: { type: "line", color: "#1f3b73", tooltip: true },
          encoding: { x: { field: "event_time", type: "quantitative" }, y: { field: "att", type: "quantitative" } } },
        zeroRule,
      ],
    }),
  };
  const drawEvaluationCharts = (root) => {
    root.querySelectorAll("[data-evaluation-chart]").forEach((el) => {
      if (el.dataset.drawn || el.closest("details:not([open])")) return;
      el.dataset.drawn = "true";
      const columns = JSON.parse(document.getElementById(el.dataset.source).textContent);
      const names = Object.keys(columns);
      const rows = (columns[names[0]] || []).map((_, i) => Object.fromEntries(names.map((n) => [n, columns[n][i]])));
      const spec = evaluationSpecs[el.dataset.evaluationChart](rows, el.dataset.start);
      vegaEmbed(el, { $schema: "https://vega.github.io/schema/vega-lite/v6.json", width: "container", height: 220, ...spec }, options)
        .then(() => el.setAttribute("data-ready", "true"));
    });
  };
  drawEvaluationCharts(document);
  document.querySelectorAll("details").forEach((d) => d.addEventListener("toggle", () => d.open && drawEvaluationCharts(d)));
  document.querySelectorAll("[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
})();
