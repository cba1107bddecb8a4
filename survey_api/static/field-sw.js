// Service worker of the enumerator's pages: the list page is fetched from the network when there is one (and
// its latest copy kept), and served from that copy when there is none, so a reload in a village without a signal
// still opens the list and its queue. Visits themselves are never cached here: the page queues and sends them.
"use strict";
var CACHE = "field-v2";
var SHELL = ["/static/field.js", "/static/field.css", "/static/app.css", "/static/console.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  if (event.data === "forget") { event.waitUntil(caches.delete(CACHE)); }  // signing out: no addresses left behind
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname === "/console/field/") {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put("/console/field/", copy); });
      }
      return response;
    }, function () {
      return caches.match("/console/field/");
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(fetch(request).then(function (response) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      return response;
    }, function () {
      return caches.match(url.pathname);
    }));
  }
});
