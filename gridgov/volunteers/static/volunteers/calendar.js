/* The public activity map: one marker per upcoming activity (grid centre when no point was
   given). Data from the JSON script #activity-data; text inserted as text, never as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("activity-data").textContent);
  var map = L.map("activity-map", { zoomSnap: 0.5 });
  map.attributionControl.setPrefix("Leaflet");
  var bounds = [];
  data.points.forEach(function (p) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.title;
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(p.when + " · " + p.grid + " · " + p.place));
    L.marker([p.lat, p.lon]).addTo(map).bindPopup(box);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
  else map.setView([31.21, 121.37], 14);
})();
