/* The visiting team's service worker: the visit pages and their files stay usable with no
   signal (basements, underground garages). Pages and files are fetched from the network first
   and kept; without a network the kept copy answers. POSTs are never touched here: the page's
   script (visit-offline.js) keeps unsent records and sends them with their idempotency key. */
"use strict";
var CACHE = "gridgov-visits-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("gridgov-visits-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreSearch: request.mode === "navigate" }).then(function (kept) {
      return kept || new Response("离线：此页面尚未保存在手机上", {
        status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    });
  }));
});
