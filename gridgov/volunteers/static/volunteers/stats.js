/* The volunteers' statistics: four plotly charts from the JSON script #volunteer-stats (plotly
   served from the plotly package, as on the indicators dashboard). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("volunteer-stats").textContent);
  var config = { displaylogo: false, responsive: true };
  var layout = { font: { family: getComputedStyle(document.documentElement).fontFamily },
                 margin: { t: 10, r: 10, b: 80, l: 50 } };
  function bars(id, rows, key, name) {
    Plotly.newPlot(id, [{ type: "bar", name: name, x: rows.map(function (r) { return r.label; }),
      y: rows.map(function (r) { return r[key]; }) }], layout, config);
  }
  bars("chart-projects", data.projects, "hours", data.labels.hours);
  bars("chart-activities", data.activities, "count", data.labels.activities);
  bars("chart-grids", data.grids, "hours", data.labels.hours);
  Plotly.newPlot("chart-months", [{ type: "scatter", mode: "lines+markers", name: data.labels.hours,
    x: data.months.map(function (r) { return r.label; }),
    y: data.months.map(function (r) { return r.hours; }) }], layout, config);
})();
