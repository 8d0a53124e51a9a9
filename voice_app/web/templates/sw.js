// Compassion Break service worker (version {{ version }}).
// The page shell is cached at install; pages are network-first with the cache as fallback;
// saved recordings live in the "cb-audio" cache, which survives updates, and are answered with
// byte ranges so players can seek with no network. Offline, a page never seen falls back to the
// home page of its language (/es/... to /es/). A page marked no-store (a listener's own
// check-ins) is never kept.
"use strict";

const SHELL_CACHE = "cb-shell-{{ version }}";
const PAGE_CACHE = "cb-pages";
const AUDIO_CACHE = "cb-audio";
const SHELL = {{ shell|tojson }};
const AUDIO_PREFIX = {{ audio_prefix|tojson }};
const HOMES = {{ homes|tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(names
    .filter((name) => name.startsWith("cb-shell-") && name !== SHELL_CACHE)
    .map((name) => caches.delete(name)))).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.url.startsWith(AUDIO_PREFIX)) {
    event.respondWith(audio(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (new URL(request.url).origin === self.location.origin) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

async function page(request) {
  try {
    const response = await fetch(request);
    const control = response.headers.get("Cache-Control") || "";
    if (response.ok && !control.includes("no-store")) {
      const cache = await caches.open(PAGE_CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    return (await caches.match(request, { ignoreSearch: false }))
      || (await caches.match(request, { ignoreSearch: true }))
      || (await caches.match(home(request.url)));
  }
}

function home(url) {
  const first = new URL(url).pathname.split("/")[1];
  return HOMES[first] || HOMES.en || "/";
}

async function audio(request) {
  const cache = await caches.open(AUDIO_CACHE);
  const saved = await cache.match(request.url);
  if (!saved) return fetch(request);
  const range = request.headers.get("Range");
  return range ? slice(saved, range) : saved;
}

async function slice(saved, header) {
  const blob = await saved.blob();
  const size = blob.size;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return new Response(blob, saved);
  let start, end;
  if (match[1] === "") {
    start = Math.max(size - Number(match[2]), 0);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) {
    return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${size}` } });
  }
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: {
      "Content-Type": saved.headers.get("Content-Type") || "audio/mpeg",
      "Content-Range": `bytes ${start}-${end}/${size}`,
      "Content-Length": String(end - start + 1),
      "Accept-Ranges": "bytes",
    },
  });
}
