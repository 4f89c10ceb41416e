// Timeline and daily summary drawn as plain SVG/DOM from the read-only history API.

import { emotionName, locale, t } from "./i18n.js";

export const EMOTIONS = ["anger", "fear", "happiness", "sadness", "surprise", "neutral"];
const SVG = "http://www.w3.org/2000/svg";
const W = 360;
const BAR_Y = 14;
const BAR_H = 28;

function el(name, attrs = {}, text = "") {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

function hhmm(ts) {
  return new Date(ts * 1000).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
}

/** Draw mood segments over [doc.start, doc.end] with track marks and time ticks. */
export function drawTimeline(svg, doc) {
  svg.replaceChildren();
  const span = Math.max(doc.end - doc.start, 1);
  const x = (ts) => ((ts - doc.start) / span) * W;
  svg.append(el("rect", { x: 0, y: BAR_Y, width: W, height: BAR_H, rx: 4, fill: "#252937" }));
  for (const seg of doc.segments) {
    const rect = el("rect", {
      x: x(seg.start).toFixed(2), y: BAR_Y, height: BAR_H,
      width: Math.max(x(seg.end) - x(seg.start), 1).toFixed(2),
      class: `seg m-${seg.mood}`, "data-mood": seg.mood,
    });
    rect.append(el("title", {}, `${emotionName(seg.mood)} ${hhmm(seg.start)}–${hhmm(seg.end)}`));
    svg.append(rect);
  }
  for (const t of doc.tracks) {
    const mark = el("path", { d: `M${x(t.ts).toFixed(2)} 4 l3 6 h-6 z`, class: "t-mark" });
    mark.append(el("title", {}, `${hhmm(t.ts)} ${t.artist} – ${t.title}`));
    svg.append(mark);
  }
  const ticks = 4;
  for (let i = 0; i <= ticks; i += 1) {
    const ts = doc.start + (span * i) / ticks;
    const anchor = i === 0 ? "start" : i === ticks ? "end" : "middle";
    svg.append(el("line", { x1: x(ts), x2: x(ts), y1: BAR_Y + BAR_H, y2: BAR_Y + BAR_H + 4, class: "axis" }));
    svg.append(el("text", { x: x(ts), y: 60, "text-anchor": anchor }, hhmm(ts)));
  }
  return doc.segments.length;
}

function minutes(seconds) {
  if (seconds >= 3600) return t("time.h", { n: (seconds / 3600).toFixed(1) });
  return t("time.min", { n: Math.round(seconds / 60) });
}

/** One row per day: a stacked bar of time per mood and the day's counts. */
export function drawDays(list, doc) {
  list.replaceChildren();
  for (const day of doc.days.slice().reverse()) {
    const li = document.createElement("li");
    li.dataset.day = day.day;
    const name = document.createElement("span");
    const date = new Date(day.start * 1000);
    name.textContent = date.toLocaleDateString(locale(), { weekday: "short", day: "numeric" });
    const stack = document.createElement("div");
    stack.className = "stack";
    const total = Object.values(day.seconds).reduce((a, b) => a + b, 0);
    for (const mood of EMOTIONS) {
      const secs = day.seconds[mood] || 0;
      if (!secs) continue;
      const part = document.createElement("span");
      part.className = `m-${mood}`;
      part.style.width = `${(100 * secs) / total}%`;
      part.title = `${emotionName(mood)}: ${minutes(secs)}`;
      stack.append(part);
    }
    li.append(name, stack);
    if (total || day.tracks) {
      const meta = document.createElement("span");
      meta.className = "meta";
      const parts = [t("days.changes", { n: day.changes }), t("days.tracks", { n: day.tracks })];
      if (total) parts.unshift(t("days.mostly", { mood: emotionName(day.top) }));
      meta.textContent = parts.join(" · ");
      li.append(meta);
    } else {
      li.className = "empty";
      stack.title = t("days.nothing");
    }
    list.append(li);
  }
}

export function drawLegend(list) {
  list.replaceChildren();
  for (const mood of EMOTIONS) {
    const li = document.createElement("li");
    const sw = document.createElement("span");
    sw.className = `swatch m-${mood}`;
    li.dataset.mood = mood;
    li.append(sw, document.createTextNode(emotionName(mood)));
    list.append(li);
  }
}
