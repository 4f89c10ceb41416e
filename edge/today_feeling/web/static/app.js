// Today Feeling dashboard: wires the MQTT link, the live cards, the controls and the history.

import { drawDays, drawLegend, drawTimeline } from "./charts.js";
import { Link } from "./link.js";
import { People } from "./people.js";
import * as view from "./view.js";

const $ = (id) => document.getElementById(id);
const STALE_MS = 15000;
const ANSWER_MS = 6000;
const CREDS_KEY = "today-feeling.mqtt";

const ui = { broker: "connecting", brokerText: "Connecting…", availability: null,
             privacy: null, emotionAt: 0, range: "hour", pending: new Map() };
let link = null;
const people = new People(() => link, (text) => view.toast(text));

function setStatus() {
  let state = ui.broker;
  let text = ui.brokerText;
  if (!navigator.onLine) {
    [state, text] = ["offline", "No network"];
  } else if (ui.broker === "broker") {
    if (ui.availability === "online") [state, text] = ["live", "Live"];
    else if (ui.availability === "offline") [state, text] = ["device-offline", "Device offline"];
    else if (ui.availability === "stopped") [state, text] = ["device-offline", "Device stopped"];
    else [state, text] = ["connecting", "Waiting for the device…"];
  }
  $("conn").dataset.state = state;
  $("conn-text").textContent = text;
}

function onStatus(state, text) {
  [ui.broker, ui.brokerText] = [state, text];
  if (state === "broker") {
    const creds = credentials();
    $("conn").dataset.user = creds && creds.user ? creds.user : "anonymous";
  }
  setStatus();
}

function onMessage(name, text) {
  if (name === "availability") {
    ui.availability = text.trim();
    setStatus();
  } else if (name === "emotion") {
    const doc = view.parse(text);
    if (doc && doc.label !== "privacy" && ui.privacy !== "ON") {
      ui.emotionAt = Date.now();
      view.showEmotion(doc);
    }
  } else if (name === "mood") {
    view.showMood(view.parse(text));
    setTimeout(loadTimeline, 1500); // the history writer commits asynchronously
  } else if (name === "track") {
    const doc = view.parse(text);
    if (doc) view.showTrack(doc);
    settle("next");
  } else if (name === "stats") {
    const doc = view.parse(text);
    if (doc) view.showStats(doc);
  } else if (name === "library") {
    const doc = view.parse(text);
    if (doc) view.showLibrary(doc);
  } else if (name === "profiles") {
    const doc = view.parse(text);
    if (doc) people.showProfiles(doc);
  } else if (name === "enrol") {
    const doc = view.parse(text);
    if (doc) people.showEnrolment(doc);
  } else {
    onState(name, view.stateValue(text));
  }
}

function onState(name, value) {
  if (name === "profile") people.showActive(value);
  if (name === "privacy") {
    ui.privacy = value;
    if (value === "ON") view.markEmotionStale("Camera off (privacy)");
  }
  view.showControl(name, value);
  settle(name);
}

/** Send a command and show the control as busy until the device answers on its state topic. */
async function send(feature, payload, button) {
  settle(feature); // a newer request replaces one still waiting for its answer
  if (button) button.setAttribute("aria-busy", "true");
  const timer = setTimeout(() => {
    settle(feature);
    view.toast("The device did not answer");
  }, ANSWER_MS);
  ui.pending.set(feature, { button, timer });
  try {
    await link.command(feature, payload);
  } catch (err) {
    settle(feature);
    view.toast(err.message);
  }
}

function settle(feature) {
  const pending = ui.pending.get(feature);
  if (!pending) return;
  clearTimeout(pending.timer);
  if (pending.button) pending.button.removeAttribute("aria-busy");
  ui.pending.delete(feature);
}

/** Thumbs up/down: no state topic answers, so say what the device will do with it. */
async function sendFeedback(payload, note) {
  try {
    await link.command("feedback", payload);
    view.toast(note);
  } catch (err) {
    view.toast(err.message);
  }
}

function wireControls() {
  $("btn-next").addEventListener("click", (e) => send("next", "PRESS", e.currentTarget));
  $("btn-like").addEventListener("click", () => sendFeedback("UP", "Noted: more like this in this mood"));
  $("btn-dislike").addEventListener("click", () => sendFeedback("DOWN", "Noted: skipping, and not this one in this mood"));
  $("btn-pause").addEventListener("click", (e) => {
    const paused = e.currentTarget.dataset.paused === "true";
    send("paused", paused ? "OFF" : "ON", e.currentTarget);
  });
  const quietSpan = () => ($("quiet-from").value && $("quiet-to").value
    ? `${$("quiet-from").value}-${$("quiet-to").value}` : "");
  $("quiet").addEventListener("click", (e) => {
    const on = e.currentTarget.getAttribute("aria-checked") === "true";
    if (on) send("quiet_hours", "off", e.currentTarget);
    else if (quietSpan()) send("quiet_hours", quietSpan(), e.currentTarget);
    else view.toast("Set both times first");
  });
  for (const id of ["quiet-from", "quiet-to"]) {
    $(id).addEventListener("change", () => {
      if ($("quiet").getAttribute("aria-checked") === "true" && quietSpan()) {
        send("quiet_hours", quietSpan(), $("quiet"));
      }
    });
  }
  $("privacy").addEventListener("click", (e) => {
    const on = e.currentTarget.getAttribute("aria-checked") === "true";
    send("privacy", on ? "OFF" : "ON", e.currentTarget);
  });
  for (const b of $("mode").querySelectorAll("button")) {
    b.addEventListener("click", () => send("mode", b.dataset.mode, b));
  }
  const vol = $("volume");
  vol.addEventListener("pointerdown", () => { vol.dataset.dragging = "1"; });
  vol.addEventListener("input", () => { $("volume-out").textContent = vol.value; });
  vol.addEventListener("change", () => {
    delete vol.dataset.dragging;
    send("volume", vol.value, null);
  });
  for (const b of $("range").querySelectorAll("button")) {
    b.addEventListener("click", () => {
      ui.range = b.dataset.range;
      for (const o of $("range").querySelectorAll("button")) {
        o.setAttribute("aria-pressed", String(o === b));
      }
      loadTimeline();
    });
  }
}

/** GET a dashboard endpoint; the data ones need the broker login the page signed in with. */
async function getJson(url) {
  const creds = credentials();
  const headers = creds && creds.user
    ? { Authorization: "Basic " + btoa(unescape(encodeURIComponent(`${creds.user}:${creds.pass || ""}`))) }
    : {};
  const res = await fetch(url, { cache: "no-store", headers });
  if (res.status === 401) throw new SignInNeeded(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

class SignInNeeded extends Error {}

async function loadTimeline() {
  try {
    const doc = await getJson(`/api/history?range=${ui.range}`);
    const n = drawTimeline($("timeline"), doc);
    $("timeline-empty").textContent = "No mood recorded in this period.";
    $("timeline-empty").hidden = n > 0;
    $("timeline").dataset.segments = String(n);
  } catch (err) {
    if (err instanceof SignInNeeded) {
      $("timeline-empty").textContent = "Sign in to see the history.";
      $("timeline-empty").hidden = false;
    } else {
      console.warn("timeline", err);
    }
  }
}

async function loadSummary() {
  try {
    drawDays($("days"), await getJson("/api/summary?days=7"));
  } catch (err) {
    console.warn("summary", err);
  }
}

function credentials() {
  return view.parse(localStorage.getItem(CREDS_KEY) || "null");
}

function wireSignIn() {
  const dialog = $("signin");
  $("conn").addEventListener("click", () => {
    const creds = credentials() || {};
    $("user").value = creds.user || "";
    $("pass").value = creds.pass || "";
    dialog.showModal();
  });
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "save") {
      localStorage.setItem(CREDS_KEY, JSON.stringify({ user: $("user").value, pass: $("pass").value }));
    } else if (dialog.returnValue === "clear") {
      localStorage.removeItem(CREDS_KEY);
    } else {
      return;
    }
    connect();
    loadTimeline(); // the history answers only a login the broker accepts
    loadSummary();
  });
}

/** (Re)connect with the saved credentials; the device's state is unknown until it answers. */
function connect() {
  const creds = credentials();
  ui.availability = null;
  $("conn").dataset.user = "";
  $("conn").title = `Broker: ${creds && creds.user ? creds.user : "anonymous"} (tap to sign in)`;
  link.connect(creds);
}

function tick() {
  view.refreshSince();
  if (ui.privacy !== "ON" && ui.emotionAt && Date.now() - ui.emotionAt > STALE_MS) {
    view.markEmotionStale("No recent reading");
  }
}

async function boot() {
  let cfg;
  try {
    cfg = await getJson("/api/config");
  } catch {
    [ui.broker, ui.brokerText] = ["offline", "Dashboard unreachable"];
    setStatus();
    setTimeout(boot, 5000);
    return;
  }
  $("device-name").textContent = cfg.device_name || "Today Feeling";
  link = new Link(cfg, {
    onStatus,
    onMessage,
  });
  connect();
  loadTimeline();
  loadSummary();
  setInterval(loadTimeline, 60000);
  setInterval(loadSummary, 300000);
}

function start() {
  view.buildBars();
  drawLegend($("legend"));
  wireControls();
  people.wire();
  wireSignIn();
  window.addEventListener("online", setStatus);
  window.addEventListener("offline", setStatus);
  setInterval(tick, 2000);
  boot();
}

if ("serviceWorker" in navigator) {
  // Only secure contexts (https, localhost) allow it; on plain http over the LAN the page
  // still works, it just has no offline shell.
  navigator.serviceWorker.register("/sw.js").catch((err) => console.info("no offline shell:", err.message));
}
start();
