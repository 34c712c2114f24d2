/* The indicators dashboard: two ECharts charts and the grids coloured by the chosen rate.
   Data comes from the JSON script #indicator-data; text is always inserted as text (tooltips are
   built as elements with window.textElement from grids/basemap.js). Everything is served by the
   platform itself: ECharts from the npm registry at the pinned version (make assets), Leaflet
   and the town's base map through grids/_leaflet.html. Dates and numbers are written the
   Chinese way (9月6日, 1,234), and ECharts speaks Chinese (locale ZH). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("indicator-data").textContent);
  var el = window.textElement;
  var numbers = new Intl.NumberFormat("zh-CN");
  var shortDay = new Intl.DateTimeFormat("zh-CN", { month: "long", day: "numeric", timeZone: "UTC" });
  var longDay = new Intl.DateTimeFormat("zh-CN", { year: "numeric", month: "long", day: "numeric",
                                                   weekday: "short", timeZone: "UTC" });
  var font = getComputedStyle(document.documentElement).fontFamily;
  var charts = [];

  function day(iso) {  // "2026-09-06" as a date of its own (UTC, so no time zone moves it)
    var parts = iso.split("-").map(Number);
    return new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
  }
  function percent(value) {
    return value === null || value === undefined ? "—" : numbers.format(value) + data.labels.percent;
  }
  // A tooltip as elements: a heading, then one line per series (marker colour, name, value).
  function tooltip(heading, items, format) {
    var box = el("div", null, "chart-tip");
    box.appendChild(el("strong", heading));
    items.forEach(function (item) {
      var line = el("div");
      var dot = el("span", null, "chart-dot");
      dot.style.background = item.color;
      line.appendChild(dot);
      line.appendChild(document.createTextNode(item.seriesName + "：" + format(item.value)));
      box.appendChild(line);
    });
    return box;
  }
  function chart(id, height) {
    var node = document.getElementById(id);
    if (height) { node.style.height = height + "px"; }
    var made = echarts.init(node, null, { locale: "ZH", renderer: "canvas" });
    charts.push(made);
    return made;
  }
  var common = {
    textStyle: { fontFamily: font },
    aria: { enabled: true },
    animation: false,
    legend: { top: 0 },
    tooltip: { trigger: "axis", confine: true, axisPointer: { type: "shadow" } }
  };

  // By group: the closure and on-time rates as horizontal bars, so that long names fit a phone.
  var groups = data.groups.slice().reverse();
  var groupChart = chart("chart-groups", Math.max(320, 90 + groups.length * 34));
  groupChart.setOption(Object.assign({}, common, {
    grid: { top: 36, right: 24, bottom: 24, left: 8, containLabel: true },
    xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: function (v) { return v + data.labels.percent; } } },
    yAxis: { type: "category", data: groups.map(function (g) { return g.label; }),
             axisLabel: { width: 120, overflow: "truncate" } },
    tooltip: Object.assign({}, common.tooltip, {
      formatter: function (items) { return tooltip(items[0].name, items, percent); }
    }),
    series: ["closure_rate", "on_time_rate"].map(function (key) {
      return { type: "bar", name: data.rateLabels[key], data: groups.map(function (g) { return g[key]; }) };
    })
  }));

  // By day: registered, due and closed on time, one line each, dates as 9月6日.
  var days = data.daily.map(function (d) { return d.day; });
  var dailyChart = chart("chart-daily");
  dailyChart.setOption(Object.assign({}, common, {
    grid: { top: 36, right: 16, bottom: 24, left: 8, containLabel: true },
    xAxis: { type: "category", data: days, boundaryGap: false,
             axisLabel: { formatter: function (iso) { return shortDay.format(day(iso)); } } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: function (v) { return numbers.format(v); } } },
    tooltip: Object.assign({}, common.tooltip, {
      axisPointer: { type: "line" },
      formatter: function (items) {
        return tooltip(longDay.format(day(items[0].name)), items, function (v) { return numbers.format(v); });
      }
    }),
    series: ["registered", "due", "closed_on_time"].map(function (key) {
      return { type: "line", name: data.labels[key], showSymbol: days.length <= 31,
               data: data.daily.map(function (d) { return d[key]; }) };
    })
  }));
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Red below 60 %, through amber, to green at 100 %; grey where nothing was due.
  var steps = [[95, "#15803d"], [90, "#65a30d"], [80, "#ca8a04"], [60, "#ea580c"], [0, "#b91c1c"]];
  function colour(value) {
    if (value === null || value === undefined) return "#cbd5e1";
    for (var i = 0; i < steps.length; i++) if (value >= steps[i][0]) return steps[i][1];
    return steps[steps.length - 1][1];
  }

  var map = L.map("indicator-map", { preferCanvas: true, zoomSnap: 0.5 });
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
        var value = row && row[data.rate] !== null ? percent(row[data.rate]) : data.labels.noData;
        layer.bindTooltip(el("div", feature.properties.name + " · " + rateLabel + "：" + value));
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
