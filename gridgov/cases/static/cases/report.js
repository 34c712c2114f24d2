/* The report form on a phone: find a type by typing (the chosen one always named above the
   list), put the point on the map or take the phone's position (a point outside the town is
   refused at once, by the report's own placing rule), and after a failed submit go to the first
   error. The photos are photos.js. */
(function () {
  var form = document.getElementById("report-form");

  // Category search: hide what does not match the words typed.
  var search = document.getElementById("category-search");
  var list = document.getElementById("category-list");
  search.addEventListener("input", function () {
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    list.querySelectorAll("fieldset").forEach(function (group) {
      var visible = 0;
      group.querySelectorAll(".choice").forEach(function (choice) {
        var text = choice.dataset.search.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        choice.hidden = !match;
        if (match) { visible += 1; }
      });
      group.hidden = visible === 0;
      shown += visible;
    });
    document.getElementById("category-none").hidden = shown > 0;
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }
  });

  // The chosen type is named above the list, and scrolled into the list's view when the form
  // comes back: among 82 types it would otherwise be out of sight.
  var chosenBox = document.getElementById("category-chosen");
  var chosenName = document.getElementById("category-chosen-name");
  // A category that may be an emergency (燃气泄漏, 路面塌陷, 火灾隐患...) says whom to call first;
  // its numbers become tap-to-call links. Text from data, set as text.
  var emergency = document.getElementById("emergency-notice");
  var emergencyText = document.getElementById("emergency-text");
  function showEmergency(text) {
    emergencyText.textContent = "";
    (text || "").split(/(\d{3,})/).forEach(function (part, index) {
      if (index % 2) {
        var call = document.createElement("a");
        call.href = "tel:" + part;
        call.className = "call";
        call.textContent = part;
        emergencyText.appendChild(call);
      } else if (part) {
        emergencyText.appendChild(document.createTextNode(part));
      }
    });
    emergency.hidden = !text;
  }
  function showChosen(radio) {
    var label = radio.closest(".choice");
    chosenName.textContent = label.dataset.name;
    chosenBox.hidden = false;
    showEmergency(label.dataset.emergency || "");
    if (label.dataset.emergency) { emergency.scrollIntoView({ block: "nearest" }); }
  }
  list.addEventListener("change", function (event) {
    if (event.target.name === "category") { showChosen(event.target); }
  });
  var checked = list.querySelector("input[name=category]:checked");
  if (checked) {
    showChosen(checked);
    var choice = checked.closest(".choice");
    list.scrollTop = choice.offsetTop - list.offsetTop - list.clientHeight / 3;
  }

  // The point: a tap on the map or the phone's position.
  var lon = form.querySelector("[name=longitude]");
  var lat = form.querySelector("[name=latitude]");
  var status = document.getElementById("location-status");
  var mapElement = document.getElementById("report-map");
  var map = window.casesMap(mapElement, 15);
  // With no tiles offline, the grid outlines are what residents recognise their street by.
  fetch(mapElement.dataset.outlines).then(function (response) {
    return response.ok ? response.json() : null;
  }).then(function (outlines) {
    if (!outlines) { return; }
    L.geoJSON(outlines, {
      style: function (f) { return { color: f.properties.color, weight: 1, fillOpacity: 0.12 }; },
      onEachFeature: function (f, layer) {
        // A tap on an outline still reaches the map (Leaflet bubbles it) and sets the point.
        // Names come from data: as text, never as HTML.
        layer.bindTooltip(window.textElement("span", f.properties.name + " · " + f.properties.community),
                          { sticky: true });
      }
    }).addTo(map);
  }).catch(function () { /* the map still works without outlines */ });
  var marker = null;
  var address = form.querySelector("[name=address]");
  var suggested = "";  // the address last filled in from the register, not typed by the resident
  function setMarker(latlng, label) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
    status.textContent = label;
    status.className = "muted";
  }
  // A point outside every grid of the town is refused as soon as it is chosen: the same rule
  // the report applies at submit (/api/cases/place), not a copy of it in script.
  function refuse(message) {
    lat.value = lon.value = "";
    if (marker) { map.removeLayer(marker); marker = null; }
    status.textContent = message;
    status.className = "error";
  }
  function checkPlace(latlng, then) {
    var query = new URLSearchParams({ lon: latlng.lng.toFixed(6), lat: latlng.lat.toFixed(6) });
    fetch(mapElement.dataset.place + "?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (answer && !answer.inside) { refuse(answer.message || "该位置不在本镇/街道范围内，请重新选择"); return; }
        then();
      }).catch(function () { then(); /* offline: the server checks at submit */ });
  }
  // A point chosen on the map is described by the nearest standard address (地名地址), unless
  // the resident wrote the address themselves.
  function place(latlng, label) {
    checkPlace(latlng, function () { placeInside(latlng, label); });
  }
  function placeInside(latlng, label) {
    setMarker(latlng, label);
    if (address.value && address.value !== suggested) { return; }
    var query = new URLSearchParams({ lon: lon.value, lat: lat.value });
    fetch(mapElement.dataset.addressNearest + "?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (found) {
        if (!found || !found.address || (address.value && address.value !== suggested)) { return; }
        suggested = address.value = found.address.label + (found.distance_m > 20 ? "附近" : "");
      }).catch(function () { /* the resident can still type the address */ });
  }

  // Typing an address offers the register's matches; one tap puts the point there.
  var suggestions = document.getElementById("address-suggestions");
  var typing = null;
  address.addEventListener("input", function () {
    clearTimeout(typing);
    var text = address.value.trim();
    if (text.length < 2 || text === suggested) { suggestions.hidden = true; return; }
    typing = setTimeout(function () {
      fetch(mapElement.dataset.addressSearch + "?" + new URLSearchParams({ q: text }), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (found) {
          suggestions.textContent = "";
          suggestions.hidden = !found.length;
          found.forEach(function (item) {
            var li = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "link";
            button.textContent = item.label;
            button.addEventListener("click", function () {
              suggestions.hidden = true;
              suggested = address.value = item.label;
              var here = L.latLng(item.latitude, item.longitude);
              checkPlace(here, function () { setMarker(here, "已按标准地址定位，可再点地图调整"); });
              map.setView(here, 17);
            });
            li.appendChild(button);
            suggestions.appendChild(li);
          });
        }).catch(function () { suggestions.hidden = true; });
    }, 250);
  });
  if (lon.value && lat.value) {
    var kept = L.latLng(parseFloat(lat.value), parseFloat(lon.value));
    setMarker(kept, status.textContent);
    map.setView(kept, 17);
  }
  map.on("click", function (event) { place(event.latlng, "已选定位置，可再点地图调整"); });
  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) {
      status.textContent = "此设备不能定位，请在地图上点选";
      return;
    }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (position) {
      var here = L.latLng(position.coords.latitude, position.coords.longitude);
      place(here, "已使用您的位置（精度约" + Math.round(position.coords.accuracy) + "米），可点地图调整");
      map.setView(here, 17);
    }, function () {
      status.textContent = "未能定位（可能未允许定位），请在地图上点选";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  // Anonymous: the contact fields are not needed. Staff filing their own find (巡查发现) give
  // no contact at all: the section is hidden while that source is chosen.
  var anonymous = form.querySelector("[name=is_anonymous]");
  var contact = document.getElementById("contact-fields");
  function toggleContact() { contact.hidden = anonymous.checked; }
  if (anonymous) {
    anonymous.addEventListener("change", toggleContact);
    toggleContact();
  }
  var source = form.querySelector("[name=source]");
  var contactSection = document.getElementById("contact-section");
  if (source && contactSection) {
    source.addEventListener("change", function () {
      contactSection.hidden = source.value === "patrol";
    });
  }

  // After a failed submit: the first field with an error gets the focus, scrolled into view
  // (Django marks an invalid widget aria-invalid; the type list and the point are marked by the
  // page), else the summary at the top when the refusal concerns the whole report.
  var firstError = form.querySelector(".field-error, .errorlist");
  if (firstError) {
    var step = firstError.closest(".step") || form;
    var target = step.querySelector("[aria-invalid=true]:not([type=hidden])") ||
      step.querySelector("input:not([type=hidden]), textarea, select, button");
    firstError.scrollIntoView({ block: "center" });
    if (target) { target.focus({ preventScroll: true }); }
  } else if (document.getElementById("form-errors")) {
    document.getElementById("form-errors").focus();
  }
})();
