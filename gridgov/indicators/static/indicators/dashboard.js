/* The indicators dashboard: two plotly charts and the grids coloured by the chosen rate.
   Data comes from the JSON script #indicator-data; text is always inserted as text. Everything is
   served by the platform itself (plotly from the plotly package, Leaflet from xstatic). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("indicator-data").textContent);
  var plotConfig = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"] };
  var font = { family: getComputedStyle(document.documentElement).fontFamily };

  var groups = data.groups;
  Plotly.newPlot("chart-groups", [
    { type: "bar", name: data.rateLabels.closure_rate, x: groups.map(function (g) { return g.label; }),
      y: groups.map(function (g) { return g.closure_rate; }) },
    { type: "bar", name: data.rateLabels.on_time_rate, x: groups.map(function (g) { return g.label; }),
      y: groups.map(function (g) { return g.on_time_rate; }) }
  ], { barmode: "group", font: font, margin: { t: 10, r: 10, b: 80, l: 40 },
       yaxis: { ticksuffix: data.labels.percent, range: [0, 100] }, legend: { orientation: "h" } }, plotConfig);

  var days = data.daily.map(function (d) { return d.day; });
  Plotly.newPlot("chart-daily", ["registered", "due", "closed_on_time"].map(function (key) {
    return { type: "scatter", mode: "lines", name: data.labels[key], x: days,
             y: data.daily.map(function (d) { return d[key]; }) };
  }), { font: font, margin: { t: 10, r: 10, b: 40, l: 40 }, legend: { orientation: "h" } }, plotConfig);

  // Red below 60 %, through amber, to green at 100 %; grey where nothing was due.
  var steps = [[95, "#15803d"], [90, "#65a30d"], [80, "#ca8a04"], [60, "#ea580c"], [0, "#b91c1c"]];
  function colour(value) {
    if (value === null || value === undefined) return "#cbd5e1";
    for (var i = 0; i < steps.length; i++) if (value >= steps[i][0]) return steps[i][1];
    return steps[steps.length - 1][1];
  }

  var map = L.map("indicator-map", { preferCanvas: true, zoomSnap: 0.5 });
  map.attributionControl.setPrefix("Leaflet");
  if (data.tileUrl) L.tileLayer(data.tileUrl, { attribution: data.tileAttribution, maxZoom: 19 }).addTo(map);
  if (data.extent) {
    var e = data.extent;
    map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { padding: [10, 10] });
  } else {
    map.setView([31.21, 121.38], 13);
  }
  var rateLabel = data.rateLabels[data.rate];
  fetch(data.gridsUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (collection) {
    L.geoJSON(collection, {
      style: function (feature) {
        var row = data.grids[String(feature.properties.id)];
        return { color: "#334155", weight: 1, fillOpacity: 0.65, fillColor: colour(row ? row[data.rate] : null) };
      },
      onEachFeature: function (feature, layer) {
        var row = data.grids[String(feature.properties.id)];
        var value = row && row[data.rate] !== null ? row[data.rate] + data.labels.percent : data.labels.noData;
        var box = document.createElement("div");
        box.textContent = feature.properties.name + " · " + rateLabel + "：" + value;
        layer.bindTooltip(box);
      }
    }).addTo(map);
  });

  var legend = document.getElementById("map-legend");
  legend.textContent = rateLabel + "：";
  steps.slice().reverse().forEach(function (step) {
    var swatch = document.createElement("span");
    swatch.style.background = step[1];
    legend.appendChild(swatch);
    legend.appendChild(document.createTextNode("≥" + step[0] + data.labels.percent));
  });
  var none = document.createElement("span");
  none.style.background = colour(null);
  legend.appendChild(none);
  legend.appendChild(document.createTextNode(data.labels.noData));
})();
