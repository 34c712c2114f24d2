/* gridgov grid map: grids coloured by community, places in the viewport, search that pans.
   Reads its settings from the JSON script #map-config; all text from the server is inserted as
   text (never as HTML). Works without tiles: grids are drawn on a plain background. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var labels = config.labels;
  var element = document.getElementById("map");
  var note = document.getElementById("map-note");
  var map = L.map(element, { preferCanvas: true, zoomSnap: 0.5 });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  if (config.extent) {
    var e = config.extent;
    map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { padding: [10, 10] });
  } else {
    map.setView([31.21, 121.38], 13);
  }

  var el = window.textElement;  // text from data as text nodes only (grids/basemap.js)

  function gridPopup(p) {
    var box = el("div", null, "map-popup");
    var title = el("strong", p.name + "（" + labels.number + " " + p.number + "）");
    box.appendChild(title);
    if (p.is_sample) box.appendChild(el("span", labels.sample, "badge sample"));
    box.appendChild(el("div", labels.community + "：" + p.community));
    if (p.signature_service) box.appendChild(el("div", labels.signature + "：" + p.signature_service));
    box.appendChild(el("div", labels.staff, "map-popup-head"));
    if (!p.staff.length) box.appendChild(el("div", labels.noStaff, "muted"));
    p.staff.forEach(function (s) {
      var line = s.position + (s.also_liaison ? "·" + labels.liaison : "") + "（" + s.line + "） " + s.name + " " + s.phone;
      box.appendChild(el("div", line));
    });
    box.appendChild(el("div", labels.places + "：" + p.places_total, "map-popup-head"));
    var kinds = Object.keys(p.places);
    if (kinds.length) {
      box.appendChild(el("div", kinds.map(function (k) { return k + " " + p.places[k]; }).join(" · "), "muted"));
    }
    var link = el("a", labels.detail);
    link.href = p.url;
    box.appendChild(link);
    return box;
  }

  function placePopup(p) {
    var box = el("div", null, "map-popup");
    box.appendChild(el("strong", p.name));
    if (p.is_sample) box.appendChild(el("span", labels.sample, "badge sample"));
    box.appendChild(el("div", p.kind + (p.grid ? " · " + p.grid : "")));
    if (p.address) box.appendChild(el("div", p.address, "muted"));
    return box;
  }

  var gridLayer = L.geoJSON(null, {
    style: function (f) {
      return { color: f.properties.color, weight: 2, fillColor: f.properties.color, fillOpacity: 0.2 };
    },
    onEachFeature: function (f, layer) {
      layer.bindPopup(function () { return gridPopup(f.properties); });
      layer.bindTooltip(el("span", f.properties.name), { sticky: true });
    }
  }).addTo(map);
  var placeLayer = L.layerGroup().addTo(map);

  var legend = L.control({ position: "bottomright" });
  var communities = {};
  legend.onAdd = function () {
    // A <details> so that on a phone the legend folds away instead of covering the grids.
    var box = el("details", null, "map-legend");
    box.open = window.innerWidth >= 600;
    box.appendChild(el("summary", labels.legend));
    box.appendChild(el("div"));
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  legend.addTo(map);
  function drawLegend() {
    var container = legend.getContainer();
    var box = container.lastChild;
    box.textContent = "";
    var names = Object.keys(communities).sort();
    container.hidden = !names.length;
    names.forEach(function (name) {
      var row = el("div");
      var swatch = el("span", null, "map-swatch");
      swatch.style.background = communities[name];
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(name));
      box.appendChild(row);
    });
  }

  function getJSON(url, signal) {
    return fetch(url, { credentials: "same-origin", signal: signal, headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  function query() {
    var b = map.getBounds();
    var params = new URLSearchParams({
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",")
    });
    if (config.grid) params.set("grid", config.grid);
    return params.toString();
  }

  var controller = null;
  var openGridId = null;
  function refresh() {
    if (controller) controller.abort();
    controller = new AbortController();
    var params = query();
    var wantPlaces = map.getZoom() >= config.placesMinZoom;
    var notes = [];
    Promise.all([
      getJSON(config.gridsUrl + "?" + params, controller.signal),
      wantPlaces ? getJSON(config.placesUrl + "?" + params, controller.signal) : null
    ]).then(function (data) {
      var grids = data[0], places = data[1];
      gridLayer.clearLayers();
      gridLayer.addData(grids);
      grids.features.forEach(function (f) { communities[f.properties.community] = f.properties.color; });
      drawLegend();
      if (grids.truncated) notes.push(labels.gridsTruncated);
      placeLayer.clearLayers();
      if (places) {
        places.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          L.circleMarker([c[1], c[0]], { radius: 6, color: "#1f2937", weight: 1, fillColor: "#f59e0b", fillOpacity: 0.9 })
            .bindPopup(function () { return placePopup(f.properties); }).addTo(placeLayer);
        });
        if (places.truncated) notes.push(labels.placesTruncated);
      } else {
        notes.push(labels.zoomForPlaces);
      }
      note.textContent = notes.join(" ");
      if (openGridId !== null) {
        gridLayer.eachLayer(function (layer) {
          if (layer.feature.properties.id === openGridId) layer.openPopup();
        });
        openGridId = null;
      }
    }).catch(function (error) {
      if (error.name !== "AbortError") note.textContent = labels.loadFailed;
    });
  }
  var timer = null;
  map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(refresh, 200); });
  refresh();

  var form = document.getElementById("map-search");
  var results = document.getElementById("map-search-results");
  if (!form) return;
  function show(items) {
    results.textContent = "";
    results.hidden = false;
    if (!items.length) { results.appendChild(el("li", labels.noResults, "muted")); return; }
    items.forEach(function (item) {
      var li = el("li");
      var button = el("button", item.label, "link");
      button.type = "button";
      button.addEventListener("click", function () { results.hidden = true; item.go(); });
      li.appendChild(button);
      if (item.detail) li.appendChild(el("span", " " + item.detail, "muted"));
      results.appendChild(li);
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = form.elements.q.value.trim();
    if (!q) return;
    getJSON(config.searchUrl + "?" + new URLSearchParams({ q: q })).then(function (data) {
      var items = data.grids.map(function (g) {
        return { label: g.name, detail: g.community, go: function () {
          openGridId = g.id;
          map.fitBounds([[g.bbox[1], g.bbox[0]], [g.bbox[3], g.bbox[2]]], { padding: [20, 20] });
        } };
      }).concat(data.places.map(function (p) {
        return { label: p.name, detail: p.kind + " " + (p.address || ""), go: function () {
          map.setView([p.latitude, p.longitude], Math.max(map.getZoom(), config.placesMinZoom + 1));
          L.popup().setLatLng([p.latitude, p.longitude]).setContent(placePopup(p)).openOn(map);
        } };
      }));
      show(items);
    }).catch(function () { note.textContent = labels.loadFailed; });
  });
})();
