/* The map of open cases: after each move, ask the server for what lies in view (clustered there)
   and redraw; a newer request makes an older answer obsolete. */
(function () {
  var element = document.getElementById("case-map");
  var status = document.getElementById("map-status");
  var map = window.casesMap(element, 14);
  var gridLayer = L.layerGroup().addTo(map);
  var caseLayer = L.layerGroup().addTo(map);
  var latest = 0;
  var COLOURS = { green: "#16a34a", yellow: "#d97706", red: "#dc2626", paused: "#94a3b8",
    intake: "#7c3aed" };
  // The page's filters (the same as the workbench's) go with every request for data.
  var filters = new URLSearchParams(window.location.search);
  filters.delete("bbox");
  filters.delete("zoom");

  var el = window.textElement;  // text from data as text nodes only (grids/basemap.js)

  function drawGrids(grids) {
    gridLayer.clearLayers();
    grids.forEach(function (grid) {
      var label = grid.name + "：在办" + grid.open + "件" + (grid.overdue ? "，超期" + grid.overdue + "件" : "");
      L.geoJSON(grid.boundary, {
        style: { color: grid.overdue ? "#dc2626" : "#2563eb", weight: 1.5, fillOpacity: grid.open ? 0.08 : 0.02 }
      }).bindTooltip(el("span", label), { sticky: true }).addTo(gridLayer);
    });
  }

  function drawClusters(items) {
    items.forEach(function (cell) {
      var size = Math.min(56, 26 + Math.round(Math.log(cell.count + 1) * 5));
      var circle = el("div", String(cell.count), "cluster-icon " + cell.colour);
      circle.style.width = circle.style.height = size + "px";
      var icon = L.divIcon({ className: "", iconSize: [size, size], html: circle });
      var detail = "共" + cell.count + "件" + (cell.red ? "，超期" + cell.red + "件" : "") + (cell.yellow ? "，临期" + cell.yellow + "件" : "");
      L.marker([cell.lat, cell.lon], { icon: icon, title: detail })
        .on("click", function () { map.setView([cell.lat, cell.lon], map.getZoom() + 2); })
        .addTo(caseLayer);
    });
  }

  function drawCases(items, caseUrl) {
    items.forEach(function (item) {
      var url = caseUrl.replace("{id}", item.id);
      L.circleMarker([item.lat, item.lon], { radius: 8, color: "#fff", weight: 2, fillOpacity: 0.95,
        fillColor: COLOURS[item.colour] })
        .bindPopup(function () {
          var box = el("div");
          var link = el("a", item.number);
          link.href = url;
          box.appendChild(link);
          box.appendChild(el("div", item.category));
          return box;
        })
        .addTo(caseLayer);
    });
  }

  function refresh() {
    var bounds = map.getBounds();
    var bbox = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map(function (v) { return v.toFixed(6); }).join(",");
    var ticket = ++latest;
    status.textContent = "加载中…";
    filters.set("bbox", bbox);
    filters.set("zoom", String(map.getZoom()));
    fetch(element.dataset.source + "?" + filters.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (result) {
        if (ticket !== latest) { return; }
        var ok = result[0], body = result[1];
        if (!ok) { status.textContent = body.errors ? body.errors[0].message : "加载失败"; return; }
        caseLayer.clearLayers();
        drawGrids(body.grids);
        if (body.mode === "clusters") { drawClusters(body.items); } else { drawCases(body.items, body.case_url); }
        status.textContent = "范围内事件 " + body.total + " 件" + (body.truncated ? "（仅显示部分，请放大）" : "");
        element.dataset.loaded = body.mode;
      })
      .catch(function () { if (ticket === latest) { status.textContent = "加载失败，请稍后重试"; } });
  }

  map.on("moveend", refresh);
  refresh();
})();
