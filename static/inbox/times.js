/* Times in the reader's own time zone and words. The server renders <time datetime="ISO 8601">, with at
 * most a fallback text in the server's zone; this module rewrites each one with Intl, so the browser's
 * zone and locale are used: "14:05" today, "3 Mar, 14:05" this year, "3 Mar 2024, 14:05" before, and
 * the full date with the zone's name on hover.
 *
 * Loaded by a page (<script type="module">) it shows every time already on the page; page modules import
 * timeElement() for the times they add later. */

const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayAndClock = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
const dateAndClock = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
});
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });

export function formatTime(when, now = new Date()) {
  if (when.toDateString() === now.toDateString()) return clock.format(when);
  if (when.getFullYear() === now.getFullYear()) return dayAndClock.format(when);
  return dateAndClock.format(when);
}

/* Show one <time datetime> in the reader's zone; one without a valid datetime keeps its text. */
export function showTime(el) {
  const when = new Date(el.getAttribute("datetime"));
  if (Number.isNaN(when.getTime())) return;
  el.textContent = formatTime(when);
  el.title = full.format(when);
}

export function showTimes(root = document) {
  root.querySelectorAll("time[datetime]").forEach(showTime);
}

/* A new <time> for an ISO 8601 string, already shown in the reader's zone. */
export function timeElement(iso) {
  const el = document.createElement("time");
  if (!iso) return el;
  el.setAttribute("datetime", iso);
  showTime(el);
  return el;
}

showTimes(document);
