// Rendering of the live cards (emotion, mood, track, controls, stats) from MQTT payloads.

import { EMOTIONS } from "./charts.js";

const $ = (id) => document.getElementById(id);

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
    li.innerHTML = `<span>${name}</span><span class="track-bg"><span class="fill m-${name}"></span></span><span class="pct">–</span>`;
    list.append(li);
  }
}

export function showEmotion(doc) {
  const probs = doc.probs || {};
  for (const li of $("bars").children) {
    const p = Number(probs[li.dataset.emotion] || 0);
    li.querySelector(".fill").style.width = `${(p * 100).toFixed(1)}%`;
    li.querySelector(".pct").textContent = doc.probs ? `${Math.round(p * 100)}%` : "–";
  }
  $("emotion-label").textContent = doc.label ? title(doc.label) : "No face";
  $("emotion-pct").textContent = doc.label && doc.probs ? `${Math.round(probs[doc.label] * 100)}%` : "";
  const faces = Number(doc.faces || 0);
  $("faces").textContent = `${faces} face${faces === 1 ? "" : "s"}`;
  $("live").classList.remove("stale");
}

export function markEmotionStale(reason) {
  $("live").classList.add("stale");
  $("emotion-label").textContent = reason;
  $("emotion-pct").textContent = "";
}

export function showMood(doc) {
  const mood = doc && doc.mood;
  $("mood").textContent = mood ? title(mood) : "No mood yet";
  $("mood-swatch").className = `swatch${mood ? " m-" + mood : ""}`;
  $("mood-conf").textContent = mood ? `${Math.round((doc.confidence || 0) * 100)}% sure` : "";
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
  const at = new Date(since * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const ago = mins >= 120 ? `${Math.round(mins / 60)} h` : `${mins} min`;
  $("mood-since").textContent = `since ${at} (${ago})`;
}

export function showTrack(doc) {
  const file = doc.file || "";
  $("track-title").textContent = doc.title || file.split("/").pop() || "–";
  $("track-artist").textContent = doc.artist || "";
  $("track-reason").textContent = doc.reason ? `“${doc.reason}”` : "";
}

export function showStats(doc) {
  const parts = [`${Number(doc.fps || 0).toFixed(1)} fps`, doc.accelerator || "cpu"];
  if (doc.cpu_temp_c != null) parts.push(`${Math.round(doc.cpu_temp_c)} °C`);
  if (doc.uptime_s) parts.push(`up ${Math.round(doc.uptime_s / 3600)} h`);
  $("stats").textContent = parts.join(" · ");
}

/** The library scan's progress under the track; hidden once the scan is done. */
export function showLibrary(doc) {
  const scanning = doc.state === "scanning";
  $("library").hidden = !scanning;
  $("library").textContent = scanning
    ? `Analysing your music: ${doc.done} of ${doc.total} tracks (${Math.round(doc.percent || 0)} %)`
    : "";
}

export function showControl(name, value) {
  if (name === "privacy") {
    $("privacy").setAttribute("aria-checked", String(value === "ON"));
  } else if (name === "paused") {
    const paused = value === "ON";
    $("pause-text").textContent = paused ? "Resume" : "Pause";
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

let toastTimer = 0;
export function toast(text, ms = 3500) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, ms);
}
