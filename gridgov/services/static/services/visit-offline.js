/* The visit form offline: the service worker (visit-sw.js) keeps the page and its files, this
   script keeps the records that could not be sent. Each record carries its own idempotency key
   (a fresh UUID per record, made here: a page from the cache would otherwise reuse its key), so a
   record sent again after a lost answer is stored once on the server. Unsent records wait in
   IndexedDB and are sent when the phone is back online or the page is opened again. */
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form) { return; }
  var status = document.getElementById("offline-status");
  var DB = "gridgov-visits", STORE = "outbox";

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function freshKey() { form.elements.key.value = uuid(); }
  function say(text) { status.textContent = text; status.hidden = !text; }

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), result = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && result.result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  // A record as plain entries (text and picture Blobs), which IndexedDB stores; an empty file
  // input sends nothing.
  function entries(data) {
    var list = [];
    data.forEach(function (value, name) {
      if (value instanceof Blob && !value.size) { return; }
      list.push([name, value]);
    });
    return list;
  }
  function formData(list) {
    var data = new FormData();
    list.forEach(function (pair) {
      if (pair[1] instanceof Blob) { data.append(pair[0], pair[1], pair[1].name || "photo.jpg"); }
      else { data.append(pair[0], pair[1]); }
    });
    return data;
  }
  function post(data) {
    return fetch(form.action || window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    });
  }

  function flush() {
    return tx("readonly", function (store) { return store.getAll(); }).then(function (saved) {
      saved = saved || [];
      if (!saved.length) { return; }
      var sent = 0;
      return saved.reduce(function (chain, record) {
        return chain.then(function () {
          return post(formData(record.entries)).then(function (response) {
            if (response.ok) { sent += 1; return tx("readwrite", function (s) { s.delete(record.key); }); }
            if (response.status >= 400 && response.status < 500) {
              // Refused for good (not a lost connection): tell the visitor, stop keeping it.
              return response.json().catch(function () { return {}; }).then(function (body) {
                var first = (body.errors || [])[0] || {};
                say(form.dataset.refused + (first.message || response.status));
                return tx("readwrite", function (s) { s.delete(record.key); });
              });
            }
          });
        });
      }, Promise.resolve()).then(function () {
        if (sent) { say(form.dataset.sent.replace("{n}", sent)); }
      }).catch(function () {
        say(form.dataset.pending.replace("{n}", saved.length));
      });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    var list = entries(data), key = form.elements.key.value;
    post(data).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) { window.location.assign(body.url); return; }
        var first = (body.errors || [])[0] || {};
        say(first.message || String(response.status));
      });
    }).catch(function () {
      // No network: keep the record on the phone and start a new one with a new key.
      tx("readwrite", function (store) { store.put({ key: key, entries: list }); }).then(function () {
        form.reset();
        freshKey();
        say(form.dataset.saved);
      });
    });
  });

  freshKey();
  function flushQuietly() { flush().catch(function () {}); }
  window.addEventListener("online", flushQuietly);
  if (navigator.onLine) { flushQuietly(); }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(form.dataset.sw, { scope: form.dataset.scope }).catch(function () {});
  }
}());
