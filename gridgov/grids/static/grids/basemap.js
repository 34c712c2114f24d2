/* Every Leaflet map of gridgov: marker icons from the static files (their names are hashed, so
   Leaflet cannot guess them from the page's address), and the town's own base map under the
   grids (roads, buildings, water, landmarks and their names), fetched for the viewport and zoom
   from the platform itself: no outside call. Names enter the page as text only.
   A map made with { basemap: false } draws none. */
(function () {
  "use strict";
  var settings = document.getElementById("basemap-script").dataset;

  // Text from data (names, numbers, categories) enters every map as a text node, never as HTML:
  // the one helper the map scripts build their labels, tooltips and popups with.
  function textElement(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  window.textElement = textElement;

  // Leaflet takes its credit as HTML: the (translated) text goes in as a text node.
  function credit() { return textElement("span", settings.credit).outerHTML; }

  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: settings.markerIcon, iconRetinaUrl: settings.markerIcon2x, shadowUrl: settings.markerShadow
  });

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = settings.style;
  document.head.appendChild(style);

  var STYLES = {
    water: { color: "#93c5fd", weight: 1, fillColor: "#bfdbfe", fillOpacity: 1 },
    green: { color: "#bbf7d0", weight: 1, fillColor: "#dcfce7", fillOpacity: 1 },
    building: { color: "#c8c3b8", weight: 1, fillColor: "#e2ded5", fillOpacity: 1 },
    road: { color: "#ffffff", weight: 5, opacity: 1 },
    landmark: { color: "#b45309", weight: 1, fillColor: "#fde68a", fillOpacity: 0.8 }
  };

  function snapped(map) {
    // Bounds snapped outward to the zoom's tile edges, so that a small pan asks again for the
    // same address (the browser's cache answers) and the edge of the view is already drawn.
    var zoom = Math.round(map.getZoom());
    var step = 360 / Math.pow(2, zoom);
    var b = map.getBounds();
    function down(v) { return Math.floor(v / step) * step; }
    function up(v) { return Math.ceil(v / step) * step; }
    var box = [Math.max(-180, down(b.getWest())), Math.max(-90, down(b.getSouth())),
               Math.min(180, up(b.getEast())), Math.min(90, up(b.getNorth()))];
    return "bbox=" + box.map(function (v) { return v.toFixed(6); }).join(",") + "&zoom=" + zoom;
  }

  function label(feature, zoom) {
    var text = textElement("span", feature.properties.name);
    var at = feature.properties.label_at;
    return L.tooltip({ permanent: true, direction: "center", interactive: false, pane: "basemapLabels",
                       className: "basemap-label basemap-label-" + feature.properties.kind })
      .setLatLng([at[1], at[0]]).setContent(text);
  }

  function attach(map) {
    map.getContainer().classList.add("has-basemap");
    map.createPane("basemap").style.zIndex = 250;
    var labelPane = map.createPane("basemapLabels");
    labelPane.style.zIndex = 450;
    labelPane.style.pointerEvents = "none";
    var renderer = L.canvas({ pane: "basemap" });
    var shapes = L.layerGroup().addTo(map);
    var labels = L.layerGroup().addTo(map);
    var shown = null, controller = null, timer = null, noted = false;

    // Invented streets say so, as every sample record of the demo does.
    function noteSample(data) {
      if (noted || !data.features.some(function (f) { return f.properties.is_sample; })) { return; }
      noted = true;
      if (!map.attributionControl) {
        map.attributionControl = L.control.attribution({ prefix: credit() }).addTo(map);
      }
      map.attributionControl.addAttribution(settings.sampleNote);
    }

    function draw(data, zoom) {
      shapes.clearLayers();
      labels.clearLayers();
      L.geoJSON(data, {
        interactive: false,
        style: function (f) {
          var s = L.extend({ renderer: renderer, interactive: false }, STYLES[f.properties.kind]);
          if (f.properties.kind === "road") { s.weight = zoom >= 17 ? 9 : zoom >= 15 ? 5 : 3; }
          return s;
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, L.extend({ radius: 4, renderer: renderer, interactive: false },
                                                 STYLES.landmark));
        }
      }).addTo(shapes);
      data.features.forEach(function (f) {
        if (f.properties.label_at) { label(f, zoom).addTo(labels); }
      });
    }

    function refresh() {
      var query = snapped(map);
      if (query === shown) { return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var zoom = Math.round(map.getZoom());
      fetch(settings.source + "?" + query, { signal: controller.signal, headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) { shown = query; draw(data, zoom); noteSample(data); })
        .catch(function () { /* the map still works without its base map */ });
    }
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(refresh, 150); });
    refresh();
  }

  L.Map.mergeOptions({ basemap: true });
  L.Map.addInitHook(function () {
    // The map's credit in Chinese, as plain text (Leaflet's own is English, with a flag that
    // the phones' fonts may draw as a box).
    if (this.attributionControl) { this.attributionControl.setPrefix(credit()); }
    if (!this.options.basemap) { return; }
    var map = this;
    map.whenReady(function () { attach(map); });
  });
})();
