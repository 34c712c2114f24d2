/* The case page: a small map of the spot; refusals (400/403/409) still replace the panel, so
   that their message shows where the form was. */
(function () {
  var element = document.getElementById("case-location");
  var map = window.casesMap(element, 17);
  L.marker([parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)]).addTo(map);

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
