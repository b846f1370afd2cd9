// The driver's page offline: served at /driver/sw.js with scope /driver.
// The page is fetched from the network first and kept in a cache, so a reload
// without connection still shows the run; its CSS and script likewise.
// Completions never pass through here: driver.js queues them itself.
'use strict';

const CACHE = 'depot-driver-v1';
const ASSETS = ['/static/app.css', '/static/dkfds/css/dkfds.min.css', '/static/driver.js'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(ASSETS))
      .catch(() => undefined)
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('depot-driver-') && k !== CACHE)
        .map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function keep(request, response) {
  if (response && response.ok && response.type === 'basic') {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === '/driver') {
    // Network first; the last copy of this page (or of any day) when offline.
    event.respondWith(
      fetch(request)
        .then((response) => keep(request, response))
        .catch(() => caches.match(request)
          .then((hit) => hit || caches.match('/driver', { ignoreSearch: true }))
          .then((hit) => hit || new Response(
            '<!DOCTYPE html><html lang="da"><meta charset="utf-8"><title>Ingen forbindelse</title>'
            + '<p>Ingen forbindelse, og kørslen er ikke gemt på telefonen endnu.</p></html>',
            { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
          ))),
    );
    return;
  }
  if (url.pathname.startsWith('/static/')) {
    // Cached copy at once, refreshed in the background.
    event.respondWith(
      caches.match(request).then((hit) => {
        const fresh = fetch(request).then((response) => keep(request, response));
        return hit || fresh;
      }),
    );
  }
});
