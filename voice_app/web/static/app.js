// Compassion Break: save recordings for offline use, show what is saved, seek from step links.
// The page works without this file; it only adds what needs JavaScript.
"use strict";

const AUDIO_CACHE = "cb-audio";
const offlineReady = "caches" in window && "serviceWorker" in navigator;

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
  button.textContent = saved ? "Remove" : "Save for offline";
  button.setAttribute("aria-label", saved ? `Remove ${title} from this phone`
    : `Save ${title} for offline`);
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
    summary.textContent = `${count} recording${count === 1 ? "" : "s"} saved (${formatMB(used)}). ` +
      "They play here even with no signal.";
  } else {
    summary.textContent = "Nothing saved now.";
  }
  if (navigator.storage && navigator.storage.estimate) {
    const estimate = await navigator.storage.estimate();
    if (count && estimate.usage) {
      summary.textContent += ` This site uses ${formatMB(estimate.usage)} of your storage in all.`;
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
  button.textContent = "Saving…";
  try {
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    const response = await fetch(url, { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    await cache.put(url, response);
  } catch (error) {
    button.disabled = false;
    button.textContent = "Could not save. Try again";
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
  setUpPlayers();
  setUpSaving();
});
