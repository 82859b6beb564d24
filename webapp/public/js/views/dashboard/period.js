// The dashboard's periods and how to ask GET /statistics for them (docs/API.md
// "Statistics"). Days are the caller's own: `tz` is the browser's time zone, and a day
// sent as `YYYY-MM-DD` means local midnight there.

export const PERIODS = ["24h", "today", "7d", "30d", "90d", "custom"];
// The period the `dashboard` topic pushes (the last 24 whole hours up to the end of the
// current one, hour by hour): shown first, and kept live from the pushes alone.
export const LIVE_PERIOD = "24h";

const HOUR_MS = 3_600_000;
const HOURLY_MAX_DAYS = 31;  // the API's limit for interval=hour
const HOURLY_UP_TO_DAYS = 7;  // up to a week, the created/resolved chart goes hour by hour
const WEEK_DAYS = 7;

export const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

// "2026-12-02" for the local day `offset` days from today.
export function localDay(offset = 0, now = new Date()) {
  const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() + offset);
  const pad = (n) => String(n).padStart(2, "0");
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function daysBetween(first, last) {
  return Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000) + 1;
}

function shiftDay(day, offset) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + offset);
  return date.toISOString().slice(0, 10);
}

// { from, to, days } for a period; `custom` holds the picked days { from, to }.
export function periodRange(period, custom = {}, now = new Date()) {
  if (period === "24h") {
    const end = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
    return { from: new Date(end - 24 * HOUR_MS).toISOString().replace(".000", ""),
             to: new Date(end).toISOString().replace(".000", ""), days: 1 };
  }
  if (period === "custom") return { from: custom.from, to: custom.to, days: daysBetween(custom.from, custom.to) };
  const days = { today: 1, "7d": 7, "30d": 30, "90d": 90 }[period];
  return { from: localDay(1 - days, now), to: localDay(0, now), days };
}

// The query for the period's figures: hour by hour up to a week, else day by day.
export function statisticsQuery(range, categoryId) {
  return { from: range.from, to: range.to, tz: timeZone(), category_id: categoryId || undefined,
           interval: range.days <= HOURLY_UP_TO_DAYS ? "hour" : "day" };
}

// Load by hour of week needs hourly points over whole weeks: the period's own days, or
// the last week when the period is shorter than one.
export function weekLoadRange(range, now = new Date()) {
  if (range.days >= WEEK_DAYS && /^\d{4}-\d{2}-\d{2}$/.test(range.from)) return range;
  return { from: localDay(1 - WEEK_DAYS, now), to: localDay(0, now), days: WEEK_DAYS };
}

// The hourly points of a range of days, asked in pieces of at most 31 days (the API's
// limit for interval=hour), all at once.
export async function hourlyPoints(api, range, categoryId) {
  const pieces = [];
  for (let first = range.from; daysBetween(first, range.to) > 0; first = shiftDay(first, HOURLY_MAX_DAYS)) {
    const last = daysBetween(first, range.to) > HOURLY_MAX_DAYS ? shiftDay(first, HOURLY_MAX_DAYS - 1) : range.to;
    pieces.push({ from: first, to: last });
  }
  const answers = await Promise.all(pieces.map((piece) => api.get("/statistics", {
    ...piece, tz: timeZone(), interval: "hour", category_id: categoryId || undefined })));
  return answers.flatMap((answer) => answer.timeseries.points);
}

// Tickets created per hour of the week (Monday 00:00 first, local time), averaged over
// the weeks the points cover: 168 numbers.
export function hourOfWeek(points) {
  const sums = new Array(168).fill(0);
  const counts = new Array(168).fill(0);
  for (const point of points) {
    const time = new Date(point.t);
    const slot = ((time.getDay() + 6) % 7) * 24 + time.getHours();
    sums[slot] += point.created;
    counts[slot] += 1;
  }
  return sums.map((sum, slot) => (counts[slot] ? sum / counts[slot] : 0));
}
