/* A Leaflet map with no outside calls: tiles only when the town names its own tile server. */
window.casesMap = function (element, zoom) {
  var map = L.map(element, { zoomControl: true, attributionControl: !!element.dataset.tiles })
    .setView([parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)], zoom);
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution || "" }).addTo(map);
  }
  return map;
};
