// Today Feeling dashboard: wires the MQTT link, the live cards, the controls, the history, the
// sign-in and the language.

import { SignInNeeded, credentials, getJson, showAccount, wireSignIn } from "./account.js";
import { drawDays, drawLegend, drawTimeline } from "./charts.js";
import { applyStatic, onLanguage, setLanguage, t } from "./i18n.js";
import { Link } from "./link.js";
import { People } from "./people.js";
import * as view from "./view.js";

const $ = (id) => document.getElementById(id);
const STALE_MS = 15000;
const ANSWER_MS = 6000;

const ui = { broker: "connecting", brokerKey: "status.connecting", brokerVars: {}, availability: null,
             privacy: null, emotionAt: 0, range: "hour", pending: new Map() };
let link = null;
const people = new People(() => link, (text) => view.toast(text));

function setStatus() {
  let state = ui.broker;
  let key = ui.brokerKey;
  if (!navigator.onLine) {
    [state, key] = ["offline", "status.offline"];
  } else if (ui.broker === "broker") {
    if (ui.availability === "online") [state, key] = ["live", "status.live"];
    else if (ui.availability === "offline") [state, key] = ["device-offline", "status.deviceOffline"];
    else if (ui.availability === "stopped") [state, key] = ["device-offline", "status.deviceStopped"];
    else [state, key] = ["connecting", "status.waitingDevice"];
  }
  $("conn").dataset.state = state;
  $("conn-text").textContent = t(key, ui.brokerVars);
  showAccount(Boolean(ui.brokerVars.signIn)); // a refused or missing login: the button asks for one
}

/** The link's state as an i18n key (link.js), said in the page's language by setStatus. */
function onStatus(state, key, vars = {}) {
  [ui.broker, ui.brokerKey, ui.brokerVars] = [state, key, vars];
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
  } else if (name === "next") {
    view.showNext(view.parse(text));
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
    if (value === "ON") view.markEmotionStale("live.privacy");
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
    view.toast(t("toast.noAnswer"));
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
  $("btn-like").addEventListener("click", () => sendFeedback("UP", t("toast.liked")));
  $("btn-dislike").addEventListener("click", () => sendFeedback("DOWN", t("toast.disliked")));
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
    else view.toast(t("toast.setTimes"));
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

async function loadTimeline() {
  try {
    const doc = await getJson(`/api/history?range=${ui.range}`);
    const n = drawTimeline($("timeline"), doc);
    $("timeline-empty").textContent = t("timeline.empty");
    $("timeline-empty").hidden = n > 0;
    $("timeline").dataset.segments = String(n);
  } catch (err) {
    if (err instanceof SignInNeeded) {
      $("timeline-empty").textContent = t("timeline.signIn");
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

/** (Re)connect with the saved credentials; the device's state is unknown until it answers. */
function connect() {
  ui.availability = null;
  $("conn").dataset.user = "";
  link.connect(credentials());
}

/** The visible language switch; everything drawn so far is drawn again in the new language. */
function wireLanguage() {
  $("lang").addEventListener("click", (e) => setLanguage(e.currentTarget.dataset.lang));
  onLanguage(() => {
    setStatus();
    view.redraw();
    people.redraw();
    drawLegend($("legend"));
    loadTimeline();
    loadSummary();
  });
}

function tick() {
  view.refreshSince();
  if (ui.privacy !== "ON" && ui.emotionAt && Date.now() - ui.emotionAt > STALE_MS) {
    view.markEmotionStale("live.stale");
  }
}

async function boot() {
  let cfg;
  try {
    cfg = await getJson("/api/config");
  } catch {
    [ui.broker, ui.brokerKey, ui.brokerVars] = ["offline", "status.dashboardUnreachable", {}];
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
  applyStatic();
  showAccount();
  view.buildBars();
  drawLegend($("legend"));
  wireControls();
  people.wire();
  wireLanguage();
  wireSignIn(() => {
    connect();
    loadTimeline(); // the history answers only a login the broker accepts
    loadSummary();
  });
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
