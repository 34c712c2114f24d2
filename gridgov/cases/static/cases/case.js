/* The case page: a small map of the spot (its grid's outline, a pin labelled with the case's
   number); refusals (400/403/409) still replace the panel, so that their message shows where the
   form was. */
(function () {
  var element = document.getElementById("case-location");
  var map = window.casesMap(element, 17);
  var point = L.latLng(parseFloat(element.dataset.lat), parseFloat(element.dataset.lon));
  var outline = document.getElementById("case-grid-outline");
  if (outline) {
    var grid = L.geoJSON(JSON.parse(outline.textContent), {
      interactive: false, style: { color: "#1d4ed8", weight: 2, dashArray: "6 4", fillOpacity: 0.05 }
    }).addTo(map);
    // The whole grid in sight, the spot inside it, never closer than the street.
    map.fitBounds(grid.getBounds().extend(point), { padding: [12, 12], maxZoom: 17 });
  }
  L.marker(point, { title: element.dataset.pinLabel, alt: element.dataset.pinLabel }).addTo(map);

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 403 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A suspected duplicate's number, one tap into the merge form.
  document.body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill]");
    if (button) { document.getElementById(button.dataset.fill).value = button.dataset.value; }
  });
})();
