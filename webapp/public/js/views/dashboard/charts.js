// The dashboard's charts, drawn by uPlot (npm `uplot`, served from app/vendor/ by the
// build and loaded the first time a chart is drawn). Colours come from the theme (the
// --tg-theme-* variables through app.css): a chart is drawn again when the theme changes,
// and follows its box's width.
import { assetUrl, h } from "../../dom.js";
import { i18n } from "../../i18n.js";

let loading = null;

// Resolves with uPlot once its script and stylesheet are in the page.
export function loadUplot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  loading ??= new Promise((resolve, reject) => {
    document.head.append(h("link", { rel: "stylesheet", href: assetUrl("vendor/uPlot.min.css") }));
    const script = h("script", { src: assetUrl("vendor/uPlot.iife.min.js") });
    script.addEventListener("load", () => resolve(window.uPlot));
    script.addEventListener("error", () => {
      loading = null;
      reject(new Error("uPlot could not be loaded"));
    });
    document.head.append(script);
  });
  return loading;
}

// A CSS colour as the canvas takes it, "rgb(r, g, b)" or with `alpha` "rgba(…)". The
// variables may hold var() and color-mix(), so the browser resolves them on a probe.
function themeColour(variable, alpha = 1) {
  const probe = h("span", { hidden: true });
  probe.style.color = `var(${variable})`;
  document.body.append(probe);
  const rgb = getComputedStyle(probe).color.match(/[\d.]+/g)?.slice(0, 3) ?? [128, 128, 128];
  probe.remove();
  return alpha === 1 ? `rgb(${rgb.join(", ")})` : `rgba(${rgb.join(", ")}, ${alpha})`;
}

function palette() {
  return {
    text: themeColour("--hint"),
    grid: themeColour("--hint", 0.18),
    primary: themeColour("--brand"),
    primaryFill: themeColour("--brand", 0.18),
    secondary: themeColour("--text", 0.75),
    warning: themeColour("--destructive"),
    band: themeColour("--link", 0.16),
  };
}

const axis = (colours, extra = {}) => ({
  stroke: colours.text, grid: { stroke: colours.grid, width: 1 }, ticks: { stroke: colours.grid, width: 1 },
  font: "11px system-ui, sans-serif", ...extra,
});

// Labels for time axes, in the interface's language: hours within a day, else dates.
function timeAxisValues(hourly) {
  const hour = new Intl.DateTimeFormat(i18n.language, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const day = new Intl.DateTimeFormat(i18n.language, { day: "numeric", month: "short" });
  const weekday = new Intl.DateTimeFormat(i18n.language, { weekday: "short", day: "numeric" });
  return (u, splits) => splits.map((seconds) => {
    const date = new Date(seconds * 1000);
    if (!hourly) return day.format(date);
    const midnight = date.getHours() === 0 && date.getMinutes() === 0;
    return midnight ? weekday.format(date) : hour.format(date);
  });
}

// The time under the cursor, in the legend.
function timeLegend(label, hourly) {
  const format = new Intl.DateTimeFormat(i18n.language, hourly
    ? { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
    : { weekday: "short", day: "numeric", month: "short" });
  return { label, value: (u, seconds) => (seconds == null ? "–" : format.format(new Date(seconds * 1000))) };
}

const integerValues = (u, splits) => splits.map((value) => (Number.isInteger(value) ? String(value) : ""));

// A chart in `container`: uPlot's options from `build(colours, width)`, its columns
// `data`. Drawn again when the theme changes (`onTheme(callback)` → the function that
// stops it) and resized with the container. → { ready, update(data), dispose() }.
export function mountChart(container, build, data, onTheme) {
  let chart = null;
  let current = data;
  const width = () => Math.max(200, Math.floor(container.clientWidth));
  const draw = (uPlot) => {
    chart?.destroy();
    chart = new uPlot(build(palette(), width()), current, container);
    container.dataset.points = String(current[0].length);
  };
  let uPlotClass = null;
  const ready = loadUplot().then((uPlot) => {
    uPlotClass = uPlot;
    draw(uPlot);
  });
  const resize = new ResizeObserver(() => {
    if (chart && Math.abs(chart.width - width()) > 1) chart.setSize({ width: width(), height: chart.height });
  });
  resize.observe(container);
  const scheme = window.matchMedia("(prefers-color-scheme: dark)");
  const redraw = () => uPlotClass && draw(uPlotClass);
  scheme.addEventListener("change", redraw);
  const offThemeChange = onTheme(redraw);
  return {
    ready,
    update(next) {
      current = next;
      if (!chart) return;
      chart.setData(next);
      container.dataset.points = String(next[0].length);
    },
    dispose() {
      resize.disconnect();
      scheme.removeEventListener("change", redraw);
      offThemeChange();
      chart?.destroy();
      chart = null;
    },
  };
}

// Tickets created and resolved per point of the period; a dot on each day up to a month.
export function timelineOptions(labels, hourly, count) {
  const dots = !hourly && count <= 31;
  return (colours, width) => ({
    width, height: 220,
    scales: { x: { time: true } },
    axes: [axis(colours, { values: timeAxisValues(hourly), space: 60 }), axis(colours, { values: integerValues, size: 40 })],
    series: [
      timeLegend(labels.time, hourly),
      { label: labels.created, stroke: colours.primary, fill: colours.primaryFill, width: 2, points: { show: dots } },
      { label: labels.resolved, stroke: colours.secondary, width: 2, dash: [6, 4], points: { show: dots } },
    ],
  });
}

export function timelineData(points) {
  return [points.map((p) => Date.parse(p.t) / 1000), points.map((p) => p.created), points.map((p) => p.resolved)];
}

// Tickets created per hour of the week as bars, a day per 24, Monday first.
export function weekLoadOptions(labels) {
  const weekdays = new Intl.DateTimeFormat(i18n.language, { weekday: "short", timeZone: "UTC" });
  // 2024-01-01 was a Monday.
  const dayName = (index) => weekdays.format(new Date(Date.UTC(2024, 0, 1 + index)));
  return (colours, width) => ({
    width, height: 180,
    scales: { x: { time: false, range: [-0.5, 167.5] } },
    axes: [
      axis(colours, { splits: () => [0, 24, 48, 72, 96, 120, 144],
                      values: (u, splits) => splits.map((slot) => dayName(slot / 24)) }),
      axis(colours, { size: 40 }),
    ],
    series: [
      { label: labels.slot, value: (u, slot) => (slot == null ? "" : `${dayName(Math.floor(slot / 24))} ${String(slot % 24).padStart(2, "0")}:00`) },
      { label: labels.perHour, stroke: colours.primary, fill: colours.primaryFill, width: 1,
        paths: window.uPlot.paths.bars({ size: [0.9, 10] }), points: { show: false },
        value: (u, value) => (value == null ? "" : value.toFixed(1)) },
    ],
  });
}

export function weekLoadData(averages) {
  return [averages.map((_, slot) => slot), averages];
}

// The forecast: expected tickets per hour in its low–high band, and the staff needed (a
// step line on its own scale, right).
export function forecastOptions(labels) {
  return (colours, width) => ({
    width, height: 240,
    scales: { x: { time: true }, staff: { range: (u, min, max) => [0, Math.max(1, max) + 1] } },
    axes: [
      axis(colours, { values: timeAxisValues(true), space: 60 }),
      axis(colours, { size: 40 }),
      axis(colours, { scale: "staff", side: 1, values: integerValues, size: 30, grid: { show: false } }),
    ],
    series: [
      timeLegend(labels.time, true),
      { label: labels.high, stroke: "transparent", points: { show: false } },
      { label: labels.expected, stroke: colours.primary, width: 2, points: { show: false } },
      { label: labels.low, stroke: "transparent", points: { show: false } },
      { label: labels.staff, scale: "staff", stroke: colours.warning, width: 2, points: { show: false },
        paths: window.uPlot.paths.stepped({ align: 1 }) },
    ],
    bands: [{ series: [1, 3], fill: colours.band }],
  });
}

export function forecastData(points) {
  return [points.map((p) => Date.parse(p.t) / 1000), points.map((p) => p.high), points.map((p) => p.expected),
          points.map((p) => p.low), points.map((p) => p.staff_needed)];
}
