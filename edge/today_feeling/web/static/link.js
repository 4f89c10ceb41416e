// The page's MQTT-over-WebSockets link to the broker: connection state, the device's topics
// and commands. Commands use QoS 1 over MQTT 5 so a broker that refuses them (ACL) answers
// with a reason the page can show, instead of dropping them silently. Connection states are
// reported as i18n keys (lang/en.js "status.*"), so the page says them in its language.

import { t } from "./i18n.js";

export const STATE_TOPICS = ["privacy", "paused", "mode", "volume", "quiet_hours", "profile"];
const TOPICS = ["availability", "emotion", "mood", "track", "next", "stats", "library", "profiles", "enrol",
                ...STATE_TOPICS];

export function brokerUrl(cfg, loc = window.location) {
  if (cfg.ws_url) return cfg.ws_url;
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.hostname}:${cfg.ws_port || 9001}`;
}

export class Link {
  /** onStatus(state, key, vars), onMessage(name, payloadText) */
  constructor(cfg, { onStatus, onMessage }) {
    this.cfg = cfg;
    this.base = cfg.base;
    this.onStatus = onStatus;
    this.onMessage = onMessage;
    this.client = null;
    this.refused = null;
  }

  connect(credentials) {
    this.close();
    this.anonymous = !(credentials && credentials.user);
    const options = {
      protocolVersion: 5,
      clientId: "tf-dash-" + Math.random().toString(16).slice(2, 10),
      clean: true,
      keepalive: 30,
      connectTimeout: 8000,
      reconnectPeriod: 3000,
      resubscribe: true,
    };
    if (credentials && credentials.user) {
      options.username = credentials.user;
      options.password = credentials.pass || "";
    }
    const url = brokerUrl(this.cfg);
    this.onStatus("connecting", "status.connecting");
    const client = window.mqtt.connect(url, options);
    this.client = client;
    // Events of a client replaced by a new sign-in must not touch the page any more.
    const mine = (fn) => (...args) => { if (this.client === client) fn(...args); };
    client.on("connect", mine(() => this._connected(client)));
    client.on("message", mine((topic, payload) => this._message(topic, payload)));
    client.on("reconnect", mine(() => this.onStatus("connecting", "status.reconnecting")));
    client.on("offline", mine(() => this.onStatus("error", "status.unreachable")));
    client.on("error", mine((err) => this._error(err)));
  }

  _connected(client) {
    this.refused = null;
    client.subscribe(TOPICS.map((t) => `${this.base}/${t}`), { qos: 0 }, (err, granted) => {
      if (this.client !== client) return;
      const denied = (granted || []).filter((g) => g.qos >= 128);
      if (err || denied.length) {
        this.onStatus("error", "status.notAllowedRead");
        return;
      }
      this.onStatus("broker", "status.connected");
    });
  }

  _message(topic, payload) {
    const prefix = this.base + "/";
    if (!topic.startsWith(prefix)) return;
    this.onMessage(topic.slice(prefix.length), new TextDecoder().decode(payload));
  }

  _error(err) {
    const text = String((err && err.message) || err);
    if (/not authori[sz]ed|bad user|password/i.test(text)) {
      // Retrying the same credentials cannot help: stop until the user signs in again.
      this.refused = text;
      if (this.client) this.client.end(true);
      // The device's broker admits nobody without a login (docs/mqtt.md): say so plainly.
      this.onStatus("error", this.anonymous ? "status.signInToWatch" : "status.refused", { signIn: true });
      return;
    }
    this.onStatus("error", "status.brokerError", { detail: text });
  }

  /** Publish a command; resolves when the broker accepted it, rejects with a readable reason. */
  command(feature, payload) {
    return new Promise((resolve, reject) => {
      if (!this.client || !this.client.connected) {
        reject(new Error(t("error.notConnected")));
        return;
      }
      const topic = `${this.base}/${feature}/set`;
      this.client.publish(topic, String(payload), { qos: 1, retain: false }, (err, packet) => {
        const code = packet && packet.reasonCode;
        if (err) reject(new Error(denied(err.code || code) ? t("error.notAllowed") : String(err.message || err)));
        else if (denied(code)) reject(new Error(t("error.notAllowed")));
        else resolve();
      });
    });
  }

  close() {
    if (this.client) this.client.end(true);
    this.client = null;
  }
}

function denied(code) {
  return code === 135 || code === 5; // MQTT 5 "Not authorized" / 3.1.1 refused
}
