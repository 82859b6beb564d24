// The dashboard (statistics.view: helpers see their own figures, moderators and above the
// team's): cards, created vs resolved over time, load by hour of week, the agent and
// category tables, a period picker and a category filter; for moderators the forecast,
// for admins the export. Live: the `dashboard` topic pushes `stats.updated` for the last
// 24 hours (period.js LIVE_PERIOD), shown as they come; another period is fetched again,
// at most once a second, when a push says the figures moved.
import { field, h, replace } from "../dom.js";
import { can } from "../domain.js";
import { i18n } from "../i18n.js";
import { mountChart, timelineData, timelineOptions, weekLoadData, weekLoadOptions } from "./dashboard/charts.js";
import { exportControl } from "./dashboard/export.js";
import { forecastPanel } from "./dashboard/forecast.js";
import { formatDuration, formatNumber, formatPercent, formatRating } from "./dashboard/format.js";
import {
  hourlyPoints, hourOfWeek, LIVE_PERIOD, localDay, PERIODS, periodRange, statisticsQuery, weekLoadRange,
} from "./dashboard/period.js";
import { AGENT_COLUMNS, CATEGORY_COLUMNS, sortableTable } from "./dashboard/tables.js";

const REFETCH_MS = 1000;
const STATE_KEY = "tb.dashboard";

export default function dashboardView(app) {
  const t = i18n.t;
  const user = app.session.user;
  const team = can(user, "statistics.view_all");
  const onTheme = (callback) => app.telegram.onThemeChanged(callback);
  const saved = JSON.parse(sessionStorage.getItem(STATE_KEY) ?? "{}");
  const state = { period: PERIODS.includes(saved.period) ? saved.period : LIVE_PERIOD, category: saved.category ?? "",
                  custom: saved.custom ?? { from: localDay(-13), to: localDay(0) } };
  let alive = true;
  let shown = null;  // the Statistics on the screen
  let request = 0;  // so that a late answer for an earlier choice is dropped

  // ----- controls
  const periodSelect = h("select", { name: "period" },
    PERIODS.map((period) => h("option", { value: period, selected: period === state.period }, t(`dashboard.period.${period}`))));
  const fromInput = h("input", { type: "date", value: state.custom.from, max: localDay(0) });
  const toInput = h("input", { type: "date", value: state.custom.to, max: localDay(0) });
  const customFields = h("div", { class: "dashboard-custom", hidden: state.period !== "custom" },
    field(t("dashboard.from"), fromInput), field(t("dashboard.to"), toInput));
  const categorySelect = h("select", { name: "category" }, h("option", { value: "" }, t("dashboard.allCategories")));
  app.api.get("/categories").then(({ items }) => categorySelect.append(...items.map((category) =>
    h("option", { value: category.id, selected: String(category.id) === String(state.category) }, category.name))))
    .catch(() => {});
  const problem = h("div", { role: "alert" });
  const range = () => periodRange(state.period, state.custom);
  const exporter = can(user, "reports.export") ? exportControl(app, () => shown, () => state.category) : null;

  const changed = () => {
    sessionStorage.setItem(STATE_KEY, JSON.stringify(state));
    customFields.hidden = state.period !== "custom";
    shown = null;  // no export of the period being left
    exporter?.refresh();
    load();
  };
  periodSelect.addEventListener("change", () => { state.period = periodSelect.value; changed(); });
  categorySelect.addEventListener("change", () => { state.category = categorySelect.value; changed(); });
  for (const input of [fromInput, toInput]) {
    input.addEventListener("change", () => {
      if (!fromInput.value || !toInput.value || fromInput.value > toInput.value) {
        replace(problem, h("p", { class: "notice error" }, t("dashboard.badRange")));
        return;
      }
      state.custom = { from: fromInput.value, to: toInput.value };
      changed();
    });
  }

  // ----- figures
  const cards = h("div", { class: "dashboard-cards" });
  const periodNote = h("p", { class: "hint dashboard-period-note" });
  const timelineBox = h("div", { class: "chart", dataset: { chart: "timeline" } });
  const weekBox = h("div", { class: "chart", dataset: { chart: "week-load" } });
  const weekNote = h("p", { class: "hint" });
  const agents = sortableTable(t("dashboard.agents"), AGENT_COLUMNS, { className: "agents", empty: t("dashboard.noAgents") });
  const categories = sortableTable(t("dashboard.categories"), CATEGORY_COLUMNS,
                                   { className: "categories", empty: t("dashboard.noCategories") });
  let timeline = null;
  let weekLoad = null;
  const forecast = can(user, "forecast.view") ? forecastPanel(app, onTheme) : null;

  const card = (key, label, value, detail) => h("div", { class: "stat-card", dataset: { card: key } },
    h("span", { class: "stat-label" }, label), h("span", { class: "stat-value" }, value),
    detail ? h("span", { class: "stat-detail" }, detail) : null);

  const showCards = (stats) => replace(cards,
    card("open", t("dashboard.card.open"), formatNumber(stats.backlog.open),
         stats.backlog.oldest_open_age_s === null ? null
           : t("dashboard.card.oldest", { age: formatDuration(stats.backlog.oldest_open_age_s) })),
    team ? card("unassigned", t("dashboard.card.unassigned"), formatNumber(stats.unassigned)) : null,
    card("breached", t("dashboard.card.breached"), formatNumber(stats.breached),
         stats.sla_breach_rate === null ? null : t("dashboard.card.breachRate", { rate: formatPercent(stats.sla_breach_rate) })),
    card("first-response", t("dashboard.card.firstResponse"), formatDuration(stats.median_first_response_s),
         t("dashboard.card.p90", { value: formatDuration(stats.p90_first_response_s) })),
    card("csat", t("dashboard.card.csat"), stats.csat_avg === null ? "—" : `${formatNumber(stats.csat_avg, 1)} ★`,
         t("dashboard.card.ratings", { count: formatNumber(stats.csat_count) })),
    card("created", t("dashboard.card.created"), formatNumber(stats.tickets),
         t("dashboard.card.resolved", { count: formatNumber(stats.resolved) })));

  const showFigures = (stats) => {
    shown = stats;
    replace(problem);
    showCards(stats);
    // `to` is exclusive: the note shows the period's last minute.
    const last = new Date(Date.parse(stats.to) - 60_000).toISOString();
    periodNote.textContent = t("dashboard.periodNote", { from: i18n.date(stats.from), to: i18n.date(last) });
    Object.assign(periodNote.dataset, { from: stats.from, to: stats.to });
    const hourly = stats.timeseries.interval === "hour";
    const data = timelineData(stats.timeseries.points);
    const shape = `${stats.timeseries.interval}:${data[0].length}`;
    if (timeline && timeline.shape === shape) timeline.update(data);
    else {
      timeline?.dispose();
      timeline = mountChart(timelineBox, timelineOptions({ time: t("dashboard.time"), created: t("dashboard.created"),
                                                           resolved: t("dashboard.resolved") }, hourly, data[0].length),
                            data, onTheme);
      timeline.shape = shape;
      timeline.ready.catch(() => replace(timelineBox, h("p", { class: "hint" }, t("dashboard.noCharts"))));
    }
    agents.show(stats.agents);
    categories.show(stats.by_category);
    exporter?.refresh();
  };

  const showWeekLoad = (points, weeks) => {
    const day = (text) => new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" }).format(new Date(`${text}T12:00`));
    weekNote.textContent = t("dashboard.weekLoadNote", { from: day(weeks.from), to: day(weeks.to) });
    const data = weekLoadData(hourOfWeek(points));
    if (weekLoad) weekLoad.update(data);
    else {
      weekLoad = mountChart(weekBox, weekLoadOptions({ perHour: t("dashboard.perHour"), slot: t("dashboard.hourOfWeek") }), data, onTheme);
      weekLoad.ready.catch(() => replace(weekBox, h("p", { class: "hint" }, t("dashboard.noCharts"))));
    }
  };

  const failed = (error) => {
    if (alive) replace(problem, h("p", { class: "notice error" }, i18n.error(error)));
  };

  const loadWeekLoad = (period, ticket, stats) => {
    const weeks = weekLoadRange(period);
    // A week or less, hour by hour: the period's own points already are the week's.
    const reuse = stats && stats.timeseries.interval === "hour" && period.days >= 7 && weeks === period;
    const points = reuse ? Promise.resolve(stats.timeseries.points) : hourlyPoints(app.api, weeks, state.category);
    return points.then((list) => { if (alive && ticket === request) showWeekLoad(list, weeks); });
  };

  const load = () => {
    if (!alive) return Promise.resolve();
    const ticket = ++request;
    const period = range();
    return app.api.get("/statistics", statisticsQuery(period, state.category)).then((stats) => {
      if (!alive || ticket !== request) return;
      showFigures(stats);
      return loadWeekLoad(period, ticket, stats);
    }).catch(failed);
  };
  const refetch = atMostOncePer(REFETCH_MS, load);
  const refetchWeekLoad = atMostOncePer(REFETCH_MS, () => loadWeekLoad(range(), request, null).catch(failed));

  // ----- live
  const offPush = app.realtime.on("stats.updated", ({ statistics }) => {
    if (!alive) return;
    if (state.period === LIVE_PERIOD && !state.category) {
      showFigures(statistics);
      refetchWeekLoad();
    } else {
      refetch();
    }
  });
  // Back after a drop: pushes may have been missed.
  const offState = app.realtime.on("state", ({ state: connection }) => { if (connection === "connected") refetch(); });
  app.realtime.subscribe("dashboard");
  load();

  const toolbar = h("div", { class: "card dashboard-toolbar" },
    h("div", { class: "filters" }, field(t("dashboard.period"), periodSelect), field(t("dashboard.category"), categorySelect)),
    customFields, exporter?.node, periodNote);

  return {
    title: t("dashboard.title"),
    node: h("section", { class: "dashboard", dataset: { scope: team ? "team" : "own" } },
      toolbar, problem,
      h("p", { class: "hint dashboard-scope" }, t(team ? "dashboard.scopeTeam" : "dashboard.scopeOwn")),
      cards,
      h("div", { class: "dashboard-charts" },
        h("section", { class: "card dashboard-panel", "aria-labelledby": "timeline-title" },
          h("h2", { id: "timeline-title" }, t("dashboard.timeline")), timelineBox),
        h("section", { class: "card dashboard-panel", "aria-labelledby": "week-load-title" },
          h("h2", { id: "week-load-title" }, t("dashboard.weekLoad")), weekBox, weekNote)),
      h("section", { class: "card dashboard-panel", "aria-labelledby": "agents-title" },
        h("h2", { id: "agents-title" }, t(team ? "dashboard.agents" : "dashboard.ownFigures")), agents.node),
      h("section", { class: "card dashboard-panel", "aria-labelledby": "categories-title" },
        h("h2", { id: "categories-title" }, t("dashboard.categories")), categories.node),
      forecast?.node),
    dispose: () => {
      alive = false;
      offPush();
      offState();
      app.realtime.unsubscribe("dashboard");
      timeline?.dispose();
      weekLoad?.dispose();
      forecast?.dispose();
    },
  };
}

// `run` a moment after the first call, once for every call made meanwhile: unlike a
// debounce, a steady stream of calls (a push each second) cannot put it off for ever.
function atMostOncePer(ms, run) {
  let timer = null;
  return () => {
    timer ??= setTimeout(() => {
      timer = null;
      run();
    }, ms);
  };
}
