// Rendering of the live cards (emotion, mood, track and what comes next, controls, stats) from
// MQTT payloads. Each card keeps the payload it last drew, so a language switch redraws it.

import { EMOTIONS } from "./charts.js";
import { emotionName, locale, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const last = { emotion: null, stale: null, mood: null, track: null, next: null, stats: null,
               library: null, privacy: null, paused: null };

/** "happiness" -> "Happiness" for display; labels stay lower-case in data attributes. */
export function title(word) {
  return word ? word[0].toUpperCase() + word.slice(1) : word;
}

export function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** State topics carry {"state": ..., "ts": ...}; accept a bare value too. */
export function stateValue(text) {
  const doc = parse(text);
  if (doc && typeof doc === "object" && "state" in doc) return doc.state;
  return doc === null ? text.trim() : doc;
}

export function buildBars() {
  const list = $("bars");
  list.replaceChildren();
  for (const name of EMOTIONS) {
    const li = document.createElement("li");
    li.dataset.emotion = name;
    li.innerHTML = `<span class="name"></span><span class="track-bg"><span class="fill m-${name}"></span></span><span class="pct">–</span>`;
    li.querySelector(".name").textContent = emotionName(name);
    list.append(li);
  }
}

export function showEmotion(doc) {
  [last.emotion, last.stale] = [doc, null];
  const probs = doc.probs || {};
  for (const li of $("bars").children) {
    const p = Number(probs[li.dataset.emotion] || 0);
    li.querySelector(".fill").style.width = `${(p * 100).toFixed(1)}%`;
    li.querySelector(".pct").textContent = doc.probs ? `${Math.round(p * 100)}%` : "–";
  }
  $("emotion-label").textContent = doc.label ? title(emotionName(doc.label)) : t("live.noFace");
  $("emotion-pct").textContent = doc.label && doc.probs ? `${Math.round(probs[doc.label] * 100)}%` : "";
  $("faces").textContent = t("live.faces", { n: Number(doc.faces || 0) });
  $("live").classList.remove("stale");
}

/** Dim the reading and say why (``key``: live.privacy or live.stale). */
export function markEmotionStale(key) {
  last.stale = key;
  $("live").classList.add("stale");
  $("emotion-label").textContent = t(key);
  $("emotion-pct").textContent = "";
}

export function showMood(doc) {
  last.mood = doc;
  const mood = doc && doc.mood;
  $("mood").textContent = mood ? title(emotionName(mood)) : t("mood.none");
  $("mood").dataset.mood = mood || "";
  $("mood-swatch").className = `swatch${mood ? " m-" + mood : ""}`;
  $("mood-conf").textContent = mood ? t("mood.sure", { pct: Math.round((doc.confidence || 0) * 100) }) : "";
  $("mood-card").dataset.since = doc && doc.since ? String(Date.parse(doc.since) / 1000) : "";
  refreshSince();
}

export function refreshSince() {
  const since = Number($("mood-card").dataset.since || 0);
  if (!since) {
    $("mood-since").textContent = "";
    return;
  }
  const mins = Math.max(0, Math.round((Date.now() / 1000 - since) / 60));
  const at = new Date(since * 1000).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
  const ago = mins >= 120 ? t("time.h", { n: Math.round(mins / 60) }) : t("time.min", { n: mins });
  $("mood-since").textContent = t("mood.since", { at, ago });
}

function trackName(doc) {
  const file = doc.file || "";
  return doc.title || file.split("/").pop() || "–";
}

/** The playing track and why: the director's codes in the page's language, else its line. */
export function showTrack(doc) {
  last.track = doc;
  $("track-title").textContent = trackName(doc);
  $("track-artist").textContent = doc.artist || "";
  $("track-reason").textContent = doc.why ? t("track.reason", doc.why) : doc.reason || "";
  showNext(last.next);
}

/** "Next up": the pick waiting for the track boundary, while it belongs after this track. */
export function showNext(doc) {
  last.next = doc;
  const playing = last.track && last.track.file;
  const due = Boolean(doc && doc.file && playing && doc.after === playing);
  $("next-up").hidden = !due;
  $("next-up").textContent = due
    ? t("track.next", { title: trackName(doc), mood: doc.why ? doc.why.mood : "" }) : "";
  $("next-up").title = due && doc.why ? t("track.reason", doc.why) : "";
}

export function showStats(doc) {
  last.stats = doc;
  const parts = [`${Number(doc.fps || 0).toFixed(1)} fps`, doc.accelerator || "cpu"];
  if (doc.cpu_temp_c != null) parts.push(`${Math.round(doc.cpu_temp_c)} °C`);
  if (doc.uptime_s) parts.push(t("stats.up", { n: Math.round(doc.uptime_s / 3600) }));
  $("stats").textContent = parts.join(" · ");
}

/** The library scan's progress under the track; hidden once the scan is done. */
export function showLibrary(doc) {
  last.library = doc;
  const scanning = doc.state === "scanning";
  $("library").hidden = !scanning;
  $("library").textContent = scanning
    ? t("library.scanning", { done: doc.done, total: doc.total, pct: Math.round(doc.percent || 0) })
    : "";
}

export function showControl(name, value) {
  if (name === "privacy") {
    last.privacy = value;
    const on = value === "ON";
    $("privacy").setAttribute("aria-checked", String(on));
    $("privacy-state").dataset.state = on ? "on" : value === "OFF" ? "off" : "unknown";
    $("privacy-state").textContent = on ? t("privacy.on") : value === "OFF" ? t("privacy.off") : "";
  } else if (name === "paused") {
    last.paused = value;
    const paused = value === "ON";
    $("pause-text").textContent = paused ? t("player.resume") : t("player.pause");
    $("btn-pause").dataset.paused = String(paused);
    $("paused-badge").hidden = !paused;
  } else if (name === "mode") {
    for (const b of $("mode").querySelectorAll("button")) {
      b.setAttribute("aria-pressed", String(b.dataset.mode === value));
    }
  } else if (name === "quiet_hours") {
    const span = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(String(value));
    $("quiet").setAttribute("aria-checked", String(Boolean(span)));
    if (span) [$("quiet-from").value, $("quiet-to").value] = [span[1], span[2]];
  } else if (name === "volume" && !$("volume").dataset.dragging) {
    // null: the player's volume is unknown (no MPD yet), so there is nothing to move.
    $("volume").disabled = value === null;
    if (value !== null) $("volume").value = String(value);
    $("volume-out").textContent = value === null ? "–" : String(value);
  }
}

/** Draw every card again from the payloads it last showed (after a language switch). */
export function redraw() {
  buildBars();
  if (last.emotion) showEmotion(last.emotion);
  if (last.stale) markEmotionStale(last.stale);
  if (last.mood) showMood(last.mood);
  if (last.track) showTrack(last.track);
  else showNext(last.next);
  if (last.stats) showStats(last.stats);
  if (last.library) showLibrary(last.library);
  showControl("privacy", last.privacy);
  showControl("paused", last.paused ?? "OFF");
}

let toastTimer = 0;
export function toast(text, ms = 3500) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, ms);
}
