/* The volunteers' statistics: four ECharts charts from the JSON script #volunteer-stats (ECharts
   from the npm registry at the pinned version, `make assets`, as on the indicators dashboard;
   Chinese locale built in; numbers written the Chinese way). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("volunteer-stats").textContent);
  var numbers = new Intl.NumberFormat("zh-CN");
  var font = getComputedStyle(document.documentElement).fontFamily;
  // The tooltip as elements, its text as text nodes: names come from data.
  function tooltip(items) {
    var box = document.createElement("div");
    var heading = box.appendChild(document.createElement("strong"));
    heading.textContent = items[0].name;
    items.forEach(function (item) {
      box.appendChild(document.createElement("div")).textContent =
        item.seriesName + "：" + numbers.format(item.value);
    });
    return box;
  }
  function draw(id, type, rows, key, name) {
    var node = document.getElementById(id);
    node.style.height = "280px";  // ECharts draws into the box it is given
    var chart = echarts.init(node, null, { locale: "ZH" });
    chart.setOption({
      textStyle: { fontFamily: font }, aria: { enabled: true }, animation: false,
      grid: { top: 16, right: 12, bottom: 8, left: 8, containLabel: true },
      tooltip: { trigger: "axis", confine: true, formatter: tooltip },
      xAxis: { type: "category", data: rows.map(function (r) { return r.label; }),
               axisLabel: { rotate: rows.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1,
               axisLabel: { formatter: function (v) { return numbers.format(v); } } },
      series: [{ type: type, name: name, data: rows.map(function (r) { return r[key]; }) }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("chart-projects", "bar", data.projects, "hours", data.labels.hours);
  draw("chart-activities", "bar", data.activities, "count", data.labels.activities);
  draw("chart-grids", "bar", data.grids, "hours", data.labels.hours);
  draw("chart-months", "line", data.months, "hours", data.labels.hours);
})();
