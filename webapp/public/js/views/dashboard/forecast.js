// The forecast panel (moderator+, `forecast.view`): tickets expected per hour for the
// next 7 days with the 90% band, the staff each hour needs, and in plain words how the
// forecast was made and how good it was in the backtest (docs/FORECAST.md).
import { h, replace } from "../../dom.js";
import { i18n } from "../../i18n.js";
import { forecastData, forecastOptions, mountChart } from "./charts.js";
import { formatDuration, formatNumber, formatPercent } from "./format.js";

const DAYS = 7;
const METHODS = ["seasonal_naive", "hour_of_week_mean", "smoothed_hour_of_week_mean", "holt_winters",
                 "double_seasonal_holt_winters"];

export function forecastPanel(app, onTheme) {
  const t = i18n.t;
  const chartBox = h("div", { class: "chart", dataset: { chart: "forecast" } });
  const about = h("div", { class: "forecast-about" });
  const node = h("section", { class: "card dashboard-panel forecast", "aria-labelledby": "forecast-title" },
    h("h2", { id: "forecast-title" }, t("dashboard.forecast.title")),
    h("p", { class: "hint" }, t("dashboard.forecast.hint")),
    chartBox, about);
  let chart = null;

  const load = () => app.api.get("/statistics/forecast", { days: DAYS }).then((forecast) => {
    replace(about, describe(forecast));
    if (chart) chart.update(forecastData(forecast.points));
    else {
      chart = mountChart(chartBox, forecastOptions({
        time: t("dashboard.time"), expected: t("dashboard.forecast.expected"), low: t("dashboard.forecast.low"),
        high: t("dashboard.forecast.high"), staff: t("dashboard.forecast.staff"),
      }), forecastData(forecast.points), onTheme);
      chart.ready.catch(() => replace(chartBox, h("p", { class: "hint" }, t("dashboard.noCharts"))));
    }
  }, (error) => replace(about, h("p", { class: "notice error", role: "alert" }, i18n.error(error))));

  load();
  return { node, dispose: () => chart?.dispose() };
}

function methodName(method) {
  const known = METHODS.find((name) => method === name);
  if (known) return i18n.t(`dashboard.method.${known}`);
  return method;  // a short-history fallback the server words itself
}

function describe(forecast) {
  const t = i18n.t;
  const { backtest, target } = forecast;
  const peak = forecast.points.reduce((most, point) => Math.max(most, point.staff_needed), 0);
  const lines = [t("dashboard.forecast.method", { method: methodName(forecast.method) })];
  if (backtest.error_mape !== null && backtest.error_mape !== undefined) {
    lines.push(t("dashboard.forecast.accuracy", {
      error: formatPercent(backtest.error_mape / 100), baseline: formatPercent(backtest.baseline_mape / 100),
      weeks: formatNumber(backtest.origins),
    }));
  } else {
    lines.push(t("dashboard.forecast.noBacktest"));
  }
  lines.push(t("dashboard.forecast.staffing", {
    share: formatPercent(target.service_level), within: formatDuration(target.first_response_s),
    aht: formatDuration(forecast.aht_s), peak: formatNumber(peak),
  }));
  return lines.map((line) => h("p", { class: "hint" }, line));
}
