// The page's language: English or Korean, from the browser's preferred languages unless the
// listener chose one (remembered in localStorage). Static text is marked in index.html with
// data-i18n (text), data-i18n-aria (aria-label) and data-i18n-title; everything drawn later
// asks t() and is drawn again on a switch (onLanguage).

import { EN } from "./lang/en.js";
import { KO } from "./lang/ko.js";

const WORDS = { en: EN, ko: KO };
const KEY = "today-feeling.lang";
const listeners = [];
let current = initial();

function initial() {
  const saved = localStorage.getItem(KEY);
  if (saved && saved in WORDS) return saved;
  return browserChoice();
}

/** The first of the browser's languages that the page speaks (English when none). */
export function browserChoice(languages = navigator.languages || [navigator.language]) {
  for (const tag of languages) {
    const base = String(tag || "").toLowerCase().split("-")[0];
    if (base in WORDS) return base;
  }
  return "en";
}

export function lang() {
  return current;
}

/** A locale for dates and times: the browser's own tag when it is in the page's language. */
export function locale() {
  const tags = navigator.languages || [navigator.language];
  return tags.find((tag) => String(tag).toLowerCase().split("-")[0] === current) || current;
}

/** The text for ``key`` with {name} placeholders filled from ``vars``; English when missing. */
export function t(key, vars = {}) {
  const entry = WORDS[current][key] ?? EN[key];
  if (entry === undefined) return key;
  if (typeof entry === "function") return entry(vars);
  return entry.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** An emotion's name in the page's language (lower case in English, as data labels are). */
export function emotionName(code) {
  return code ? t(`emotion.${code}`) : code;
}

export function setLanguage(code) {
  if (!(code in WORDS)) return;
  current = code;
  localStorage.setItem(KEY, code);
  applyStatic();
  for (const fn of listeners) fn(code);
}

export function onLanguage(fn) {
  listeners.push(fn);
}

/** Translate the marked static text and say the page's language to the browser. */
export function applyStatic(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-aria]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAria));
  }
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  const other = document.getElementById("lang");
  if (other) {
    other.lang = t("lang.other");
    other.dataset.lang = t("lang.other");
  }
}
