// Offline shell: the page and its assets come from the network when the device answers
// (so an upgrade shows at once) and from this cache when it does not.
const CACHE = "today-feeling-shell-v5";
const SHELL = [
  "/", "/index.html", "/style.css", "/app.js", "/link.js", "/view.js", "/charts.js", "/people.js",
  "/account.js", "/i18n.js", "/lang/en.js", "/lang/ko.js",
  "/vendor/mqtt.min.js", "/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png",
  "/api/config", // so an offline start still knows the device's name and broker
];
const NEVER = ["/metrics", "/healthz", "/api/history", "/api/summary"]; // private or live: never stored

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (NEVER.includes(url.pathname)) return;
  event.respondWith(networkFirst(event.request));
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(request, { ignoreSearch: false });
    if (cached) return cached;
    if (request.mode === "navigate") return (await cache.match("/")) || Response.error();
    throw err;
  }
}
