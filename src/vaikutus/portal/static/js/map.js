// Choropleth map of one indicator, level and month (Leaflet, no tile server: boundaries only).
// The page works without this script: the same numbers are in the table below the map.
(function () {
  "use strict";
  const el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  const i18n = JSON.parse(document.getElementById("i18n").textContent);
  const lang = document.body.dataset.lang;
  const slider = document.getElementById("period");
  const output = document.getElementById("period-output");
  const hidden = document.getElementById("period-value");
  const status = document.getElementById("map-status");
  const legendEl = document.getElementById("legend");
  const periods = JSON.parse(slider.dataset.periods);
  const state = { indicator: el.dataset.indicator, level: el.dataset.level, period: el.dataset.period };
  // the figures' source (empty = the portal's default source); carried in every request and link
  const source = el.dataset.source ? `&source=${encodeURIComponent(el.dataset.source)}` : "";
  const COLORS = ["#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#2b8cbe", "#045a8d"];
  const SUPPRESSED = "#bdbdbd";
  const NO_DATA = "#ffffff";
  const fmt = new Intl.NumberFormat(lang === "en" ? "en-GB" : lang === "sv" ? "sv-FI" : "fi-FI", { maximumFractionDigits: 1 });
  const map = L.map(el, { zoomSnap: 0.25, attributionControl: true, keyboard: true }).setView([65.0, 26.0], 4.75);
  map.attributionControl.setPrefix(false).addAttribution("© Maanmittauslaitos, CC BY 4.0");
  let layer = null;
  let values = {};
  let breaks = [];

  function colour(row) {
    if (!row) return NO_DATA;
    if (row.flag) return SUPPRESSED;
    let i = 0;
    while (i < breaks.length && row.value > breaks[i]) i++;
    return COLORS[i];
  }

  function quantileBreaks(nums) {
    const sorted = nums.slice().sort((a, b) => a - b);
    if (!sorted.length) return [];
    const out = [];
    for (let k = 1; k < COLORS.length; k++) out.push(sorted[Math.floor((k * (sorted.length - 1)) / COLORS.length)]);
    return out.filter((v, i, a) => i === 0 || v > a[i - 1]);
  }

  function drawLegend() {
    const items = [];
    let low = null;
    breaks.concat([null]).forEach((b, i) => {
      const label = b === null ? (low === null ? "" : "> " + fmt.format(low)) : (low === null ? "≤ " : fmt.format(low) + " – ") + fmt.format(b);
      items.push(`<span><span class="swatch" style="background:${COLORS[i]}"></span>${label} ${el.dataset.unit}</span>`);
      low = b;
    });
    items.push(`<span><span class="swatch" style="background:${SUPPRESSED}"></span>${i18n.legend_suppressed}</span>`);
    items.push(`<span><span class="swatch" style="background:${NO_DATA}"></span>${i18n.legend_no_data}</span>`);
    legendEl.innerHTML = items.join("");
  }

  function tooltip(feature) {
    const row = values[feature.properties.code];
    const text = !row ? i18n.legend_no_data : row.flag ? i18n.legend_suppressed : fmt.format(row.value) + " " + el.dataset.unit;
    return `<strong>${feature.properties.name}</strong><br>${text}`;
  }

  async function loadValues() {
    status.textContent = i18n.map_loading;
    const url = `/api/v1/values?indicator=${encodeURIComponent(state.indicator)}&level=${state.level}&period=${state.period}&lang=${lang}${source}`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(response.statusText);
    const body = await response.json();
    values = {};
    body.rows.forEach((r) => { values[r.area_code] = r; });
    breaks = quantileBreaks(body.rows.filter((r) => !r.flag && r.value !== null).map((r) => r.value));
    drawLegend();
    if (layer) layer.setStyle((f) => ({ fillColor: colour(values[f.properties.code]) }));
    status.textContent = i18n.map_loaded.replace("{period}", state.period);
    el.setAttribute("data-ready", state.period);
  }

  async function init() {
    try {
      const geo = await (await fetch(`/api/v1/geo/${state.level}?lang=${lang}`)).json();
      await loadValues();
      layer = L.geoJSON(geo, {
        style: (f) => ({ fillColor: colour(values[f.properties.code]), weight: 0.6, color: "#555", fillOpacity: 0.85 }),
        onEachFeature: (f, l) => {
          l.bindTooltip(() => tooltip(f), { sticky: true });
          l.on("click", () => { window.location.href = `/${lang}/area/${state.level}/${f.properties.code}${source.replace("&", "?")}`; });
        },
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    } catch (err) {
      status.textContent = i18n.map_error;
    }
  }

  function syncUrl() {
    const params = new URLSearchParams(window.location.search);
    params.set("indicator", state.indicator);
    params.set("level", state.level);
    params.set("period", state.period);
    window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
  }

  slider.addEventListener("input", () => {
    state.period = periods[Number(slider.value)];
    output.textContent = state.period;
    hidden.value = state.period;
    slider.setAttribute("aria-valuetext", state.period);
  });
  slider.addEventListener("change", () => { syncUrl(); loadValues().catch(() => { status.textContent = i18n.map_error; }); });
  init();
})();
