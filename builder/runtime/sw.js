// sw.js: the site's service worker. Keeps this build's pages, runtime, wheels and definitions
// in the Cache API, so a later visit makes no request for them and the site opens and
// validates while its server is down.
//
// build.py writes it to the site root with BUILD filled in (builder/service_worker.py): the
// build's version (a hash of every file listed) and the files, relative to the site root.
// A new build therefore has a different sw.js; the browser installs it at the next visit,
// it caches the new files, deletes the old caches and tells the open pages, which say that a
// new rule set is active (static/offline.js). Drafts live in IndexedDB and are not touched.
// Every URL is relative to the registration scope: the site works under any sub-path.

"use strict";

const BUILD = /* BUILD */ { version: "dev", ruleset: "", files: [] };
const PREFIX = "formsite-";
const CACHE = PREFIX + BUILD.version;
const SCOPE = new URL("./", self.registration.scope).href;
const PRECACHED = new Set(BUILD.files.map((file) => new URL(file, SCOPE).href));

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // "no-cache": revalidate what the browser's HTTP cache holds (the page has just
    // downloaded most of it), so installing costs 304s, not a second download, and never
    // stores a stale copy from an earlier build.
    await Promise.all(BUILD.files.map(async (file) => {
      const url = new URL(file, SCOPE).href;
      if (await cache.match(url)) return;
      const response = await fetch(url, { cache: "no-cache" });
      if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
      await cache.put(url, response);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    let replaced = false;
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) replaced = await caches.delete(name) || replaced;
    }
    await self.clients.claim();
    // Only a build that replaced an earlier one is news; the first install is not.
    if (!replaced) return;
    for (const client of await self.clients.matchAll({ type: "window" })) {
      client.postMessage({ type: "replaced", version: BUILD.version, ruleset: BUILD.ruleset });
    }
  })());
});

function precachedUrl(request) {
  const url = new URL(request.url);
  url.search = "";
  url.hash = "";
  if (request.mode === "navigate" && url.href === SCOPE) url.href = SCOPE + "index.html";
  return PRECACHED.has(url.href) ? url.href : null;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return;
  // The published engine snapshot: fetched once, over a fast link, and then kept by the
  // worker itself (py-worker.js); not worth a second copy here.
  if (new URL(request.url).pathname.endsWith(".snapshot")) return;
  const cached = precachedUrl(request);
  if (cached) {
    // This build's own files: from the cache, no request. The network only if the cache was
    // evicted under storage pressure.
    event.respondWith(caches.open(CACHE)
      .then((cache) => cache.match(cached))
      .then((hit) => hit || fetch(request)));
    return;
  }
  // Anything else (the user guide, for instance): the network first, a cached copy when the
  // server is unreachable.
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.ok && response.type === "basic") await cache.put(request, response.clone());
      return response;
    } catch (err) {
      const hit = await cache.match(request, { ignoreSearch: true });
      if (hit) return hit;
      throw err;
    }
  })());
});
