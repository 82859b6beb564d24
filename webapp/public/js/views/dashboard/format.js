// Figures as people read them, in the interface's language: "12 min", "3.5 h", "18.2%",
// "4.5 ★ (84)". A missing figure (null) is "—".
import { i18n } from "../../i18n.js";

const DASH = "—";

function unit(value, name, digits = 0) {
  return new Intl.NumberFormat(i18n.language, {
    style: "unit", unit: name, unitDisplay: "short", maximumFractionDigits: digits,
  }).format(value);
}

// Seconds in the largest unit that keeps the number readable.
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return DASH;
  if (seconds < 60) return unit(seconds, "second");
  if (seconds < 3600) return unit(Math.round(seconds / 60), "minute");
  if (seconds < 2 * 86400) return unit(seconds / 3600, "hour", 1);
  return unit(seconds / 86400, "day", 1);
}

// A share (0…1).
export function formatPercent(share) {
  if (share === null || share === undefined) return DASH;
  return new Intl.NumberFormat(i18n.language, { style: "percent", maximumFractionDigits: 1 }).format(share);
}

export function formatNumber(value, digits = 0) {
  if (value === null || value === undefined) return DASH;
  return new Intl.NumberFormat(i18n.language, { maximumFractionDigits: digits }).format(value);
}

// The average rating with how many ratings it comes from.
export function formatRating(average, count) {
  if (average === null || average === undefined) return DASH;
  return `${formatNumber(average, 1)} ★ (${formatNumber(count)})`;
}
