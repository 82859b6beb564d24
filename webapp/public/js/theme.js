// The colours. Inside Telegram they are Telegram's theme (its themeParams, every one of them,
// followed live on themeChanged) and its light/dark scheme, which native controls follow too;
// outside Telegram a palette like Telegram's own, light or dark as the system prefers.
//
// Either way the colours are set as CSS variables on <html> (`--bg`, `--text`, `--hint`, …,
// see PARAMS) after one correction: text must stay readable (WCAG AA, 4.5:1) on the
// backgrounds it is drawn on. Telegram's themes do not promise that (its default hint
// colour, #999999 on white, is 2.8:1), so a colour that falls short is moved towards black
// or white, just as far as needed; a theme that passes is used unchanged. The tinted
// backgrounds (`--button-tint`, …) are computed here as well, so the check covers them;
// `--brand` keeps the button's colour as Telegram gives it, for lines and fills.
// The WCAG formulas are a few lines, written here rather than taken from a library.

// Telegram's theme parameter → our variable (app.css uses only ours).
const PARAMS = {
  bg_color: "--bg",
  text_color: "--text",
  hint_color: "--hint",
  link_color: "--link",
  button_color: "--button",
  button_text_color: "--button-text",
  secondary_bg_color: "--secondary-bg",
  header_bg_color: "--header-bg",
  bottom_bar_bg_color: "--bottom-bar-bg",
  accent_text_color: "--accent",
  section_bg_color: "--section-bg",
  section_header_text_color: "--section-header",
  section_separator_color: "--separator",
  subtitle_text_color: "--subtitle",
  destructive_text_color: "--destructive",
};

// Outside Telegram, and for any parameter an older Telegram does not send. The same values
// start app.css (its :root), so the first paint, before this runs, has them already.
export const PALETTES = {
  light: {
    bg_color: "#ffffff", text_color: "#1c1c1e", hint_color: "#8e8e93", link_color: "#2481cc",
    button_color: "#2481cc", button_text_color: "#ffffff", secondary_bg_color: "#f1f1f4",
    accent_text_color: "#2481cc", destructive_text_color: "#d93025",
  },
  dark: {
    bg_color: "#17212b", text_color: "#f5f5f5", hint_color: "#708499", link_color: "#6ab3f3",
    button_color: "#5288c1", button_text_color: "#ffffff", secondary_bg_color: "#232e3c",
    accent_text_color: "#6ab3f3", destructive_text_color: "#ec3942",
  },
};

// A little above 4.5, so that rounding (ours, the browser's, a checker's) cannot fall below.
const AA = 4.6;

const root = document.documentElement;
const listeners = new Set();
const systemDark = window.matchMedia?.("(prefers-color-scheme: dark)");
let telegramTheme = null;  // { params, scheme } while Telegram gives the theme
let applied = null;  // the variables as last set, for tests and for the native bars
let appliedKey = "";  // what they were computed from

export const theme = {
  // Follows the system's light/dark preference until Telegram gives a theme.
  start() {
    systemDark?.addEventListener?.("change", () => {
      if (!telegramTheme) this.apply();
    });
    this.apply();
  },

  // Telegram's themeParams and colorScheme ("light" | "dark"; when not given, judged from the
  // background as Telegram's script does); no parameters go back to the system's colours.
  useTelegram(params, scheme) {
    const given = Object.keys(params ?? {}).some((key) => key in PARAMS);
    scheme ??= isDark(parse(params?.bg_color) ?? [255, 255, 255]) ? "dark" : "light";
    telegramTheme = given ? { params, scheme: scheme === "dark" ? "dark" : "light" } : null;
    this.apply();
  },

  apply() {
    const scheme = telegramTheme?.scheme ?? (systemDark?.matches ? "dark" : "light");
    const given = { ...PALETTES[scheme], ...cleanParams(telegramTheme?.params) };
    // The same theme again (the address's, then the script's at start): nothing to redo.
    const key = `${scheme} ${JSON.stringify(given)}`;
    if (key === appliedKey) return;
    appliedKey = key;
    const colours = resolve(given, scheme);
    for (const [name, value] of Object.entries(colours)) root.style.setProperty(name, value);
    // Native controls (select lists, checkboxes, scroll bars, date pickers) follow this,
    // not the system's preference.
    root.dataset.scheme = scheme;
    root.style.colorScheme = scheme;
    document.querySelector('meta[name="color-scheme"]')?.setAttribute("content", scheme);
    applied = colours;
    for (const listener of listeners) listener(colours);
  },

  get scheme() {
    return root.dataset.scheme ?? "light";
  },

  // The colours now in use: { "--bg": "#ffffff", … }.
  get colours() {
    return { ...applied };
  },

  // Calls `callback(colours)` after every change of colours; returns the function that stops it.
  onChange(callback) {
    listeners.add(callback);
    return () => listeners.delete(callback);
  },
};

// Only the parameters we know, as #rrggbb (Telegram's script already normalises them).
function cleanParams(params) {
  const clean = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    if (key in PARAMS && parse(value)) clean[key] = toHex(parse(value));
  }
  return clean;
}

// Every variable, from the given parameters (all of PALETTES' at least), with the text
// colours corrected for contrast.
function resolve(given, scheme) {
  const colour = (key, fallback) => parse(given[key]) ?? fallback;
  const bg = colour("bg_color");
  const text = colour("text_color");
  const secondaryBg = colour("secondary_bg_color");
  const sectionBg = colour("section_bg_color", bg);
  const headerBg = colour("header_bg_color", bg);
  const bottomBarBg = colour("bottom_bar_bg_color", secondaryBg);
  const hint = colour("hint_color");
  const link = colour("link_color");
  const accent = colour("accent_text_color", link);
  const destructive = colour("destructive_text_color");
  const subtitle = colour("subtitle_text_color", hint);
  const sectionHeader = colour("section_header_text_color", accent);
  const separator = colour("section_separator_color", mix(hint, sectionBg, scheme === "dark" ? 0.35 : 0.3));

  // Opaque tints over the section background, as app.css uses them behind text.
  const buttonRaw = colour("button_color");
  const tints = {
    button: mix(buttonRaw, sectionBg, 0.15),
    link: mix(link, sectionBg, 0.12),
    accent: mix(accent, sectionBg, 0.12),
    destructive: mix(destructive, sectionBg, 0.12),
    hint: mix(hint, sectionBg, 0.16),
  };
  const plain = [bg, secondaryBg, sectionBg, headerBg];
  const buttonText = colour("button_text_color");

  return {
    "--bg": toHex(bg),
    "--secondary-bg": toHex(secondaryBg),
    "--section-bg": toHex(sectionBg),
    "--header-bg": toHex(headerBg),
    "--bottom-bar-bg": toHex(bottomBarBg),
    "--separator": toHex(separator),
    "--text": toHex(readable(text, [...plain, ...Object.values(tints)])),
    "--hint": toHex(readable(hint, [...plain, tints.button, tints.hint])),
    "--subtitle": toHex(readable(subtitle, plain)),
    "--link": toHex(readable(link, [...plain, tints.button, tints.link])),
    "--accent": toHex(readable(accent, [...plain, tints.accent])),
    "--section-header": toHex(readable(sectionHeader, plain)),
    "--destructive": toHex(readable(destructive, [...plain, tints.destructive])),
    // The button's own colour gives way, not its label: white on a lighter blue is the rule.
    "--button": toHex(readable(buttonRaw, [buttonText])),
    "--button-text": toHex(buttonText),
    // The theme's button colour as given, for graphics with no text on them (chart lines).
    "--brand": toHex(buttonRaw),
    "--button-tint": toHex(tints.button),
    "--link-tint": toHex(tints.link),
    "--accent-tint": toHex(tints.accent),
    "--destructive-tint": toHex(tints.destructive),
    "--hint-tint": toHex(tints.hint),
  };
}

// `colour`, or the nearest colour towards black or white (whichever contrasts more with the
// backgrounds) that reaches AA on every one of `backgrounds`.
function readable(colour, backgrounds) {
  const worst = (candidate) => Math.min(...backgrounds.map((background) => contrast(candidate, background)));
  if (worst(colour) >= AA) return colour;
  const black = [0, 0, 0];
  const white = [255, 255, 255];
  const pole = worst(black) >= worst(white) ? black : white;
  for (let share = 0.05; share < 1; share += 0.05) {
    const candidate = mix(pole, colour, share);
    if (worst(candidate) >= AA) return candidate;
  }
  return pole;
}

// Telegram's own test (telegram-web-app.js, isColorDark): perceived brightness below 120.
function isDark([r, g, b]) {
  return Math.sqrt(0.299 * r * r + 0.587 * g * g + 0.114 * b * b) < 120;
}

// WCAG 2 relative luminance and contrast ratio.
function luminance([r, g, b]) {
  const linear = (channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

export function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

// `share` of `a` over `b`, in sRGB like CSS color-mix(in srgb, a share, b), rounded as
// the browser renders it.
function mix(a, b, share) {
  return a.map((channel, index) => Math.round(channel * share + b[index] * (1 - share)));
}

// "#abc", "#aabbcc", "rgb(…)" → [r, g, b]; undefined for anything else.
export function parse(value) {
  if (Array.isArray(value)) return value;
  const text = String(value ?? "").trim().toLowerCase();
  let match = /^#([0-9a-f]{3})$/.exec(text);
  if (match) return [...match[1]].map((digit) => Number.parseInt(digit + digit, 16));
  match = /^#([0-9a-f]{6})([0-9a-f]{2})?$/.exec(text);
  if (match) return [0, 2, 4].map((at) => Number.parseInt(match[1].slice(at, at + 2), 16));
  match = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/.exec(text);
  if (match) return match.slice(1, 4).map(Number);
  return undefined;
}

function toHex(rgb) {
  return `#${rgb.map((channel) => channel.toString(16).padStart(2, "0")).join("")}`;
}
