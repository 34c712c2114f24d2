/* Photos on the report form, checked and shrunk on the phone before anything is uploaded.

   A phone photo is 4000 px and 5-25 MB; the server keeps at most 2560 px (gridgov.core.photos
   MAX_SIDE) and refuses more than 10 MB only after the whole file has crossed a slow mobile
   connection. Here each chosen picture is drawn on a canvas at most MAX_SIDE px on its long side
   and encoded as JPEG, so a 23 MB photo leaves the phone as a few hundred kilobytes; a file the
   browser cannot read as a picture is refused at once. The chosen files are shown as thumbnails
   with a remove button and put back into the file input (DataTransfer), so the form still posts
   them the ordinary way. Photos kept by the server from a failed try (pending.py) count too. */
(function () {
  var MAX_SIDE = 2560;
  var MAX_PHOTOS = 9;
  var MAX_BYTES = 10 * 1024 * 1024;
  var SHRINK_ABOVE_BYTES = 1.5 * 1024 * 1024;
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var canTransfer = typeof DataTransfer === "function";

  function load(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () { URL.revokeObjectURL(url); resolve(image); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("unreadable")); };
      image.src = url;
    });
  }

  // The picture at most MAX_SIDE on its long side, as a JPEG; small ones are sent as they are.
  function shrink(file) {
    return load(file).then(function (image) {
      var width = image.naturalWidth, height = image.naturalHeight;
      var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      if (scale === 1 && file.size <= SHRINK_ABOVE_BYTES) { return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG becomes white, not black, as a JPEG
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: Date.now() }));
        }, "image/jpeg", 0.85);
      });
    });
  }

  function removeButton(onRemove) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary remove-photo";
    button.textContent = "移除";
    button.addEventListener("click", onRemove);
    return button;
  }

  // One file input of photos: its thumbnails (list), its count line, the photos kept by the
  // server from a failed try (keptList, the report's photos only).
  function photoInput(input, list, count, keptList) {
    var chosen = [];  // File objects, in the order chosen
    var working = 0;

    function keptCount() {
      return keptList ? keptList.querySelectorAll("input[name=kept_photo]:checked").length : 0;
    }
    function say(text, isError) {
      count.textContent = text;
      count.className = isError ? "error" : "muted";
    }
    function total() { return chosen.length + keptCount(); }
    function refreshCount() {
      var n = total();
      if (working) { say("正在压缩照片…", false); return; }
      if (n > MAX_PHOTOS) { say("最多上传9张照片，现在有" + n + "张，请移除" + (n - MAX_PHOTOS) + "张", true); return; }
      say(n ? "共" + n + "张照片" : "", false);
    }
    function syncInput() {
      if (!canTransfer) { return; }
      var transfer = new DataTransfer();
      chosen.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
    }
    function thumbnail(file) {
      var item = document.createElement("li");
      var image = document.createElement("img");
      var url = URL.createObjectURL(file);
      image.src = url;
      image.alt = "已选择的照片";
      item.appendChild(image);
      item.appendChild(removeButton(function () {
        chosen.splice(chosen.indexOf(file), 1);
        URL.revokeObjectURL(url);
        item.remove();
        syncInput();
        refreshCount();
        input.focus();
      }));
      list.appendChild(item);
    }

    input.addEventListener("change", function () {
      var picked = Array.prototype.slice.call(input.files || []);
      if (!canTransfer) {  // an old browser: the files go as picked, the server checks them
        chosen = picked;
        refreshCount();
        return;
      }
      syncInput();  // back to what was chosen before, while the new ones are prepared
      var refused = [];
      working += picked.length;
      refreshCount();
      var jobs = picked.map(function (file) {
        if (file.type && file.type.indexOf("image/") !== 0) {
          refused.push(file.name);
          working -= 1;
          return Promise.resolve();
        }
        return shrink(file).then(function (ready) {
          if (ready.size > MAX_BYTES) { refused.push(file.name); return; }
          chosen.push(ready);
          thumbnail(ready);
        }).catch(function () {
          refused.push(file.name);
        }).then(function () { working -= 1; });
      });
      Promise.all(jobs).then(function () {
        syncInput();
        refreshCount();
        if (refused.length) {
          say("无法使用：" + refused.join("、") + "（只支持 JPEG、PNG、WebP 照片，且不超过10 MB）", true);
        }
      });
    });

    // Kept photos: a remove button instead of the "保留" box (which works without script).
    if (keptList) {
      keptList.querySelectorAll("li").forEach(function (item) {
        var box = item.querySelector("input[name=kept_photo]");
        item.querySelector("label").hidden = true;
        item.appendChild(removeButton(function () {
          box.checked = false;
          item.hidden = true;
          refreshCount();
        }));
      });
      refreshCount();
    }

    return function ready() {
      if (working || total() > MAX_PHOTOS) {
        refreshCount();
        input.focus();
        return false;
      }
      return true;
    };
  }

  var checks = [];
  form.querySelectorAll("input[type=file][data-photos]").forEach(function (input) {
    checks.push(photoInput(input, document.getElementById(input.dataset.photos),
                           document.getElementById(input.dataset.photos + "-count"),
                           input.name === "photos" ? document.getElementById("kept-photos") : null));
  });
  form.addEventListener("submit", function (event) {
    if (!checks.every(function (ready) { return ready(); })) { event.preventDefault(); }
  });
})();
