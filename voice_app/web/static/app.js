// Compassion Break: save recordings for offline use, show what is saved, seek from step links.
// The page works without this file; it only adds what needs JavaScript.
"use strict";

const AUDIO_CACHE = "cb-audio";
const offlineReady = "caches" in window && "serviceWorker" in navigator;
let words = {};

// The page's words (its language's web: section), with {name} filled from `values`.
function say(name, values = {}) {
  return (words[name] || "").replace(/\{(\w+)\}/g, (whole, key) =>
    key in values ? String(values[key]) : whole);
}

function formatMB(bytes) {
  return (bytes / 1e6).toFixed(1) + " MB";
}

async function savedSizes() {
  const cache = await caches.open(AUDIO_CACHE);
  const sizes = new Map();
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    sizes.set(request.url, Number(response && response.headers.get("Content-Length")) || 0);
  }
  return sizes;
}

function markVariant(element, saved) {
  element.classList.toggle("saved", saved);
  element.querySelector(".saved-badge").hidden = !saved;
  const button = element.querySelector("[data-save]");
  button.disabled = false;
  const title = element.dataset.title;
  button.textContent = saved ? say("js_remove") : button.dataset.saveText;
  button.setAttribute("aria-label", saved ? say("js_remove_label", { title })
    : button.dataset.saveLabel);
  button.classList.toggle("quiet", saved);
}

async function refresh() {
  const sizes = await savedSizes();
  let used = 0;
  for (const element of document.querySelectorAll("[data-variant]")) {
    markVariant(element, sizes.has(element.dataset.audio));
  }
  for (const size of sizes.values()) used += size;
  const panel = document.getElementById("storage");
  if (!panel) return;
  const count = sizes.size;
  // Shown only once something is saved: an empty box would push the practices down.
  panel.hidden = count === 0 && !panel.dataset.used;
  if (count) panel.dataset.used = "yes";
  const summary = document.getElementById("storage-summary");
  if (count) {
    summary.textContent = count === 1 ? say("js_saved_one", { size: formatMB(used) })
      : say("js_saved_many", { count, size: formatMB(used) });
  } else {
    summary.textContent = say("js_nothing_saved");
  }
  if (navigator.storage && navigator.storage.estimate) {
    const estimate = await navigator.storage.estimate();
    if (count && estimate.usage) {
      summary.textContent += say("js_usage", { size: formatMB(estimate.usage) });
    }
  }
  document.getElementById("storage-clear").hidden = count === 0;
}

async function toggleSaved(element) {
  const button = element.querySelector("[data-save]");
  const url = element.dataset.audio;
  const cache = await caches.open(AUDIO_CACHE);
  if (await cache.match(url)) {
    await cache.delete(url);
    return refresh();
  }
  button.disabled = true;
  button.textContent = say("js_saving");
  try {
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    await cache.put(url, response);
  } catch (error) {
    button.disabled = false;
    button.textContent = say("js_save_failed");
    return;
  }
  return refresh();
}

function setUpSaving() {
  if (!offlineReady) return;
  for (const tip of document.querySelectorAll(".offline-tip")) tip.hidden = false;
  navigator.serviceWorker.register("/sw.js").catch(() => {});
  for (const element of document.querySelectorAll("[data-variant]")) {
    const button = element.querySelector("[data-save]");
    button.dataset.saveText = button.textContent;
    button.dataset.saveLabel = button.getAttribute("aria-label");
    button.hidden = false;
    button.addEventListener("click", () => toggleSaved(element));
  }
  const clear = document.getElementById("storage-clear");
  if (clear) {
    clear.addEventListener("click", async () => {
      await caches.delete(AUDIO_CACHE);
      refresh();
    });
  }
  refresh();
}

function setUpPlayers() {
  const players = document.querySelectorAll("audio");
  for (const player of players) {
    // One voice at a time: starting one recording pauses the others.
    player.addEventListener("play", () => {
      for (const other of players) if (other !== player) other.pause();
    });
  }
  for (const link of document.querySelectorAll("[data-seek]")) {
    link.addEventListener("click", (event) => {
      const player = document.getElementById(link.dataset.player);
      if (!player) return;
      event.preventDefault();
      player.currentTime = Number(link.dataset.seek);
      player.play().catch(() => {});
      player.focus();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("page-words");
  words = data ? JSON.parse(data.textContent) : {};
  setUpPlayers();
  setUpSaving();
});
