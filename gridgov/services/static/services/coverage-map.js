/* The coverage map: each grid coloured by its two-coverage rate (两个覆盖率), with its figures in
   a tooltip. Data from the JSON script #coverage-data; text enters as text nodes only. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("coverage-data").textContent);
  var element = document.getElementById("coverage-map");
  if (!element || !window.L) { return; }
  var el = window.textElement;
  var labels = data.labels;
  var map = L.map(element, { zoomSnap: 0.5 });
  map.attributionControl.setPrefix("Leaflet");

  function colour(rate) {
    if (rate === null) { return "#94a3b8"; }
    return rate < 0.5 ? "#dc2626" : (rate < 0.8 ? "#f59e0b" : "#16a34a");
  }
  function percent(rate) { return rate === null ? "—" : (rate * 100).toFixed(1) + "%"; }

  var layer = L.geoJSON(null, {
    style: function (f) {
      var c = colour(f.properties.both_rate);
      return { color: c, weight: 2, fillColor: c, fillOpacity: 0.35 };
    },
    onEachFeature: function (f, shape) {
      var p = f.properties, box = el("div");
      box.appendChild(el("strong", p.name));
      box.appendChild(el("div", labels.total + "：" + p.total));
      box.appendChild(el("div", labels.both + "：" + percent(p.both_rate)));
      box.appendChild(el("div", labels.organisation + "：" + percent(p.organisation_rate)));
      box.appendChild(el("div", labels.work + "：" + percent(p.work_rate)));
      shape.bindTooltip(box, { sticky: true });
    }
  }).addTo(map);
  data.grids.forEach(function (g) {
    layer.addData({ type: "Feature", geometry: g.boundary, properties: g });
  });
  var bounds = layer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); }
  else { map.setView([31.21, 121.38], 13); }
}());
