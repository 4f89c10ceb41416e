// Who's listening: the profile select, "I'm actually…" corrections with undo, forgetting a
// person, and the guided enrolment that asks for six expressions in turn. The device answers on
// <base>/profiles (names and counts, never embeddings) and <base>/enrol (progress).

import { emotionName, locale, t } from "./i18n.js";
import { title } from "./view.js";

const $ = (id) => document.getElementById(id);
export const EMOTIONS = ["anger", "fear", "happiness", "sadness", "surprise", "neutral"];
const COUNTDOWN_S = 3;
// What the device accepts as a name (domain/profile_names.py): letters of any script, digits,
// space, '-' and '_', starting with a letter or digit, at most 32.
const NAME = /^[\p{L}\p{N}][\p{L}\p{N}\p{M} _-]{0,31}$/u;

export class People {
  constructor(getLink, toast) {
    this.getLink = getLink;
    this.toast = toast;
    this.active = "none";
    this.profiles = [];
    this.enrol = null; // { name, queue, asked, collecting } while the dialog runs a session
  }

  wire() {
    for (const emotion of EMOTIONS) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "chip";
      b.dataset.correct = emotion;
      b.textContent = title(emotionName(emotion));
      b.addEventListener("click", () => this.command("correction", emotion));
      $("correct").appendChild(b);
    }
    $("profile-select").addEventListener("change", (e) => this.command("profile", e.target.value));
    $("btn-forget").addEventListener("click", () => {
      if (this.active !== "none" && window.confirm(t("people.forgetConfirm", { name: this.active }))) {
        this.command("profile_delete", this.active);
      }
    });
    $("btn-teach").addEventListener("click", () => this.openEnrolment());
    $("enrol-start").addEventListener("click", () => this.beginEnrolment());
    $("enrol-retry").addEventListener("click", () => this.askNext());
    $("enrol").addEventListener("close", () => {
      if (this.enrol && !this.enrol.finished) this.command("enrol", "CANCEL");
      this.enrol = null;
    });
  }

  async command(feature, payload) {
    try {
      await this.getLink().command(feature, payload);
    } catch (err) {
      this.toast(err.message);
    }
  }

  /** <base>/profile state: whose profile is applied now. */
  showActive(value) {
    this.active = value || "none";
    this.render();
  }

  /** <base>/profiles: every profile's counts and corrections, plus the device's last message. */
  showProfiles(doc) {
    const first = this.profiles.length === 0 && !this.message;
    this.profiles = doc.profiles || [];
    if (doc.message && doc.message !== this.message && !first) this.toast(doc.message);
    this.message = doc.message;
    $("btn-teach").disabled = doc.available === false;
    this.available = doc.available;
    $("profile-note").textContent = doc.available === false ? t("people.noEmbeddings") : "";
    this.render();
  }

  /** After a language switch: the chips, the note, the lists and the steps in the new language. */
  redraw() {
    for (const b of $("correct").querySelectorAll("button")) b.textContent = title(emotionName(b.dataset.correct));
    $("profile-note").textContent = this.available === false ? t("people.noEmbeddings") : "";
    if (this.stepsShown) this.renderSteps(...this.stepsShown);
    this.render();
  }

  render() {
    const select = $("profile-select");
    const names = ["none", ...this.profiles.filter((p) => !p.error).map((p) => p.name)];
    if (!names.includes(this.active)) names.push(this.active);
    select.replaceChildren(...names.map((n) => new Option(n === "none" ? t("people.nobody") : n, n)));
    select.value = this.active;
    $("btn-forget").disabled = this.active === "none";
    for (const b of $("correct").querySelectorAll("button")) b.disabled = this.active === "none";
    const mine = this.profiles.find((p) => p.name === this.active);
    const items = (mine && mine.corrections) || [];
    $("corrections").replaceChildren(...items.map((c) => {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "chip";
      b.dataset.undo = c.id;
      b.title = t("people.undo");
      const at = new Date(c.t * 1000).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
      b.textContent = `${title(emotionName(c.emotion))} · ${at} ✕`;
      b.addEventListener("click", () => this.command("correction_undo", c.id));
      li.appendChild(b);
      return li;
    }));
  }

  openEnrolment() {
    $("enrol-name").value = this.active !== "none" ? this.active : "";
    $("enrol-name-row").hidden = false;
    $("enrol-start").hidden = false;
    $("enrol-retry").hidden = true;
    $("enrol-prompt").textContent = "";
    $("enrol-message").textContent = "";
    $("enrol-cancel").textContent = t("enrol.cancel");
    this.renderSteps([], "");
    $("enrol").showModal();
  }

  beginEnrolment() {
    const name = $("enrol-name").value.trim().normalize("NFC");
    if (!NAME.test(name) || ["none", "off"].includes(name.toLowerCase())) {
      $("enrol-message").textContent = t("enrol.badName");
      return;
    }
    this.enrol = { name, queue: [...EMOTIONS], asked: null, collecting: false, finished: false };
    $("enrol-name-row").hidden = true;
    $("enrol-start").hidden = true;
    this.command("enrol", `BEGIN ${name}`).then(() => this.askNext());
  }

  /** Count down, then ask the device to collect the next expression. */
  askNext() {
    const session = this.enrol;
    if (!session) return;
    $("enrol-retry").hidden = true;
    const emotion = session.queue[0];
    if (!emotion) {
      session.finished = true;
      $("enrol-prompt").textContent = t("enrol.saving");
      this.command("enrol", "FINISH");
      return;
    }
    let left = COUNTDOWN_S;
    const step = () => {
      if (this.enrol !== session) return;
      if (left > 0) {
        $("enrol-prompt").textContent = t("enrol.countdown", { emotion: emotionName(emotion), code: emotion, n: left });
        left -= 1;
        setTimeout(step, 1000);
        return;
      }
      $("enrol-prompt").textContent = t("enrol.now", { emotion: emotionName(emotion), code: emotion });
      session.asked = emotion;
      session.collecting = false;
      this.command("enrol", `CAPTURE ${emotion}`);
    };
    this.renderSteps(EMOTIONS.filter((e) => !session.queue.includes(e)), emotion);
    step();
  }

  /** <base>/enrol: the device's view of the session. */
  showEnrolment(doc) {
    const session = this.enrol;
    if (!session || doc.name !== session.name) return; // a stale retained message or another phone
    $("enrol-message").textContent = doc.message || "";
    if (doc.state === "refused") {
      $("enrol-prompt").textContent = t("enrol.failed");
      $("enrol-retry").hidden = false;
      return;
    }
    if (doc.state === "collecting" && doc.emotion === session.asked) {
      session.collecting = true;
    } else if (doc.state === "ready" && session.collecting) {
      session.collecting = false;
      if ((doc.done || []).includes(session.asked)) {
        session.queue = session.queue.filter((e) => e !== session.asked);
        this.askNext();
      } else {
        $("enrol-prompt").textContent = t("enrol.failed");
        $("enrol-retry").hidden = false;
      }
    } else if (doc.state === "saved") {
      this.renderSteps(EMOTIONS, "");
      $("enrol-prompt").textContent = t("enrol.done", { name: session.name });
      $("enrol-cancel").textContent = t("enrol.close");
      this.enrol = null;
      setTimeout(() => $("enrol").close(), 2500);
    }
  }

  renderSteps(done, now) {
    this.stepsShown = [done, now];
    $("enrol-steps").replaceChildren(...EMOTIONS.map((e) => {
      const li = document.createElement("li");
      li.textContent = title(emotionName(e));
      li.dataset.state = done.includes(e) ? "done" : e === now ? "now" : "todo";
      return li;
    }));
  }
}
