// Signing in: the broker login the page watches (and controls) with, kept in this phone's
// localStorage, and sent to the dashboard's own data endpoints as HTTP Basic. The header's
// "Sign in" button says who is signed in and opens the dialog; it is never hidden behind the
// connection pill.

import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const CREDS_KEY = "today-feeling.mqtt";

export class SignInNeeded extends Error {}

export function credentials() {
  try {
    return JSON.parse(localStorage.getItem(CREDS_KEY) || "null");
  } catch {
    return null;
  }
}

/** GET a dashboard endpoint; the data ones need the broker login the page signed in with. */
export async function getJson(url) {
  const creds = credentials();
  const headers = creds && creds.user
    ? { Authorization: "Basic " + btoa(unescape(encodeURIComponent(`${creds.user}:${creds.pass || ""}`))) }
    : {};
  const res = await fetch(url, { cache: "no-store", headers });
  if (res.status === 401) throw new SignInNeeded(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** The header button: "Sign in", or the signed-in user; ``attention`` when a login is needed. */
export function showAccount(attention = false) {
  const creds = credentials();
  const user = creds && creds.user ? creds.user : "";
  const button = $("account");
  button.dataset.signedIn = String(Boolean(user));
  button.dataset.attention = String(attention);
  $("account-text").textContent = user || t("account.signIn");
  if (user) button.setAttribute("aria-label", t("account.signedInAria", { user }));
  else button.removeAttribute("aria-label");
}

/** Wire the button and the dialog; ``changed()`` runs after a sign-in or sign-out. */
export function wireSignIn(changed) {
  const dialog = $("signin");
  $("account").addEventListener("click", () => {
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
    showAccount();
    changed();
  });
}
