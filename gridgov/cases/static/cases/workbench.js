/* The workbench: a refused bulk dispatch (400) still shows its message; the cases dispatched
   leave the list at once. */
(function () {
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "bulk-results" && event.detail.xhr.status === 200) {
      event.detail.target.querySelectorAll("[data-dispatched]").forEach(function (done) {
        var box = document.querySelector('#queue input[name=cases][value="' + done.dataset.dispatched + '"]');
        if (box) { box.closest("li, tr").remove(); }
      });
    }
  });
})();

/* Select all: the header box ticks or clears every case of the page (bulk dispatch). */
(function () {
  document.body.addEventListener("change", function (event) {
    if (event.target.id !== "select-all") { return; }
    document.querySelectorAll('#queue input[name=cases]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  });
})();
