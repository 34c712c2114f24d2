/* A Leaflet map with no outside calls: tiles only when the town names its own tile server;
   opened around data-bounds (west,south,east,north) when given. */
window.casesMap = function (element, zoom) {
  var map = L.map(element, { zoomControl: true, attributionControl: !!element.dataset.tiles })
    .setView([parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)], zoom);
  if (element.dataset.bounds) {
    var b = element.dataset.bounds.split(",").map(parseFloat);
    map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  }
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution || "" }).addTo(map);
  }
  return map;
};
