// The Otklik map: a client of the public API only (OGC API Features, reports, tiles, categories).
(function () {
  "use strict";
  var REGION = L.latLngBounds([53.3, 30.7], [56.1, 35.4]);  // Smolensk Oblast
  var TILE_MAX_ZOOM = 16;
  var STATUS_RU = { new: "новое", in_progress: "в работе", resolved: "решено", rejected: "отклонено" };
  var stats = window.otklikStats = { districts: 0, incidents: 0, hotspots: 0, grid: 0, errors: [] };
  var categories = {};       // code → name_ru
  var statsEl = document.getElementById("stats");

  function fail(where, err) {
    stats.errors.push(where + ": " + (err && err.message ? err.message : err));
    showStats();
  }
  window.addEventListener("error", function (e) { fail("script", e.message); });
  var consoleError = console.error;
  console.error = function () { stats.errors.push("console: " + Array.prototype.join.call(arguments, " ")); consoleError.apply(console, arguments); };
  window.addEventListener("unhandledrejection", function (e) { fail("promise", e.reason); });

  function showStats() {
    statsEl.dataset.districts = stats.districts;
    statsEl.dataset.incidents = stats.incidents;
    statsEl.dataset.hotspots = stats.hotspots;
    statsEl.dataset.grid = stats.grid;
    statsEl.dataset.errors = stats.errors.length;
    statsEl.textContent = "районов: " + stats.districts + " · обращений на карте: " + stats.incidents.toLocaleString("ru-RU") +
      " · очагов: " + stats.hotspots;
  }

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function fmtDate(s) {
    if (!s) return "—";
    var d = new Date(s.length === 10 ? s + "T00:00:00Z" : s);
    return isNaN(d) ? s : d.toLocaleDateString("ru-RU", { timeZone: "UTC" });
  }
  function num(x, digits) { return x == null ? "—" : Number(x).toLocaleString("ru-RU", { maximumFractionDigits: digits || 0 }); }
  function rows(pairs) {
    return "<table>" + pairs.filter(function (p) { return p[1] != null && p[1] !== ""; })
      .map(function (p) { return "<tr><td>" + esc(p[0]) + "</td><td>" + esc(p[1]) + "</td></tr>"; }).join("") + "</table>";
  }
  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + " → HTTP " + r.status);
      return r.json();
    });
  }

  // ---- filters ---------------------------------------------------------------------------------
  function filters() {
    var days = document.getElementById("f-period").value;
    var since = null;
    if (days) { var d = new Date(Date.now() - Number(days) * 86400000); since = d.toISOString().slice(0, 10) + "T00:00:00Z"; }
    return { category: document.getElementById("f-category").value, status: document.getElementById("f-status").value, since: since };
  }
  function query(params) {
    var q = Object.keys(params).filter(function (k) { return params[k] != null && params[k] !== ""; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); }).join("&");
    return q ? "?" + q : "";
  }

  // ---- map -------------------------------------------------------------------------------------
  var map = L.map("map", { zoomControl: true, minZoom: 5, maxZoom: 18, zoomSnap: 0.25, preferCanvas: true, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet");
  map.attributionControl.addAttribution("Отклик · данные обращений");
  // `#zoom/lat/lon` opens a given view (links from reports, the browser check); otherwise the whole oblast.
  var view = /^#(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(location.hash);
  if (view) map.setView([Number(view[2]), Number(view[3])], Number(view[1]));
  else map.fitBounds(REGION, { padding: [4, 4] });
  map.createPane("districts").style.zIndex = 350;
  map.createPane("grid").style.zIndex = 360;
  map.createPane("hotspots").style.zIndex = 380;  // under the incident canvas (overlayPane, 400)

  var districtLayer = L.geoJSON(null, { pane: "districts" });
  var gridLayer = L.geoJSON(null, { pane: "grid" });
  var hotspotLayer = L.featureGroup();
  var incidentLayer = L.layerGroup();
  districtLayer.addTo(map); hotspotLayer.addTo(map); incidentLayer.addTo(map);
  L.control.layers(null, {
    "Районы: обращений на 1000 жителей": districtLayer,
    "Обращения": incidentLayer,
    "Очаги": hotspotLayer,
    "Ячейки Gi* (горячие и холодные)": gridLayer,
  }, { collapsed: false, position: "topright" }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // ---- districts choropleth -------------------------------------------------------------------
  var RAMP = ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"];
  var breaks = [];
  function colourFor(v) {
    if (v == null) return "#e4e7eb";
    for (var i = 0; i < breaks.length; i++) if (v <= breaks[i]) return RAMP[i];
    return RAMP[RAMP.length - 1];
  }
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () { this._div = L.DomUtil.create("div", "legend"); return this._div; };
  legend.addTo(map);
  function drawLegend() {
    var html = "<h4>Обращений на 1000 жителей</h4>", lo = 0;
    for (var i = 0; i < breaks.length; i++) {
      html += "<div><i style=\"background:" + RAMP[i] + "\"></i>" + num(lo, 1) + " – " + num(breaks[i], 1) + "</div>";
      lo = breaks[i];
    }
    html += "<div><i style=\"background:#e4e7eb\"></i>нет данных о населении</div>";
    html += "<h4 style=\"margin-top:6px\">Очаги</h4><div><i style=\"background:#fcae91\"></i>приоритет ниже</div>" +
      "<div><i style=\"background:#a50f15\"></i>приоритет выше</div><div><span class=\"recurring-mark\">↻</span> повторяется после устранения</div>" +
      "<h4 style=\"margin-top:6px\">Обращения</h4>" + ["new", "in_progress", "resolved", "rejected"].map(function (s) {
        return "<div><i style=\"background:" + statusColour(s) + ";border-radius:50%\"></i>" + STATUS_RU[s] + "</div>";
      }).join("");
    legend._div.innerHTML = html;
  }

  function loadDistricts() {
    return getJSON("/ogc/collections/districts/items?limit=100").then(function (fc) {
      var values = fc.features.map(function (f) { return f.properties.per_1000; }).filter(function (v) { return v != null; }).sort(function (a, b) { return a - b; });
      breaks = [0.2, 0.4, 0.6, 0.8, 1].map(function (q) { return values.length ? values[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)] : 0; });
      districtLayer.clearLayers();
      districtLayer.options.style = function (f) {
        return { color: "#52606d", weight: 1.2, fillColor: colourFor(f.properties.per_1000), fillOpacity: 0.72 };
      };
      districtLayer.options.onEachFeature = function (f, layer) {
        var p = f.properties;
        layer.bindPopup("<h3>" + esc(p.name) + "</h3>" + rows([
          ["Обращений", num(p.complaints)], ["Открытых", num(p.open)], ["Просроченных", num(p.overdue)],
          ["Население", num(p.population)], ["На 1000 жителей", num(p.per_1000, 2)],
        ]));
        layer.bindTooltip(esc(p.name), { permanent: true, direction: "center", className: "district-label", opacity: 0.9 });
      };
      districtLayer.addData(fc);
      stats.districts = fc.features.length;
      drawLegend();
      showStats();
    });
  }

  // ---- incidents from vector tiles (grid clusters at low zoom, points from z13) ----------------
  var tileCache = {};        // url → Promise of decoded layer (or null for 204)
  var tilesWork = false;     // false once the tile endpoint has failed: fall back to OGC items
  function tileToLatLng(z, tx, ty, px, py, extent) {
    var n = Math.pow(2, z), x = (tx + px / extent) / n, y = (ty + py / extent) / n;
    var lat = Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180 / Math.PI;
    return L.latLng(lat, x * 360 - 180);
  }
  function incidentPopup(p) {
    return "<h3>" + esc(categories[p.category] || p.category_name || p.category) + "</h3>" + rows([
      ["Дата", fmtDate(p.date || p.reported_at)], ["Статус", STATUS_RU[p.status] || p.status],
      ["Населённый пункт", p.settlement], ["Район", p.district], ["№", p.id],
    ]);
  }
  function clusterIcon(n) {
    var size = n < 10 ? 20 : n < 100 ? 26 : n < 1000 ? 32 : 40;
    return L.divIcon({ className: "", html: "<div class=\"cluster\" style=\"width:" + size + "px;height:" + size + "px\">" +
      (n >= 10000 ? Math.round(n / 1000) + "к" : n) + "</div>", iconSize: [size, size] });
  }
  function statusColour(s) { return s === "resolved" ? "#2f9e44" : s === "rejected" ? "#868e96" : s === "in_progress" ? "#f08c00" : "#d6336c"; }

  var incidentRequest = 0;
  function loadIncidents() {
    var mine = ++incidentRequest;
    var z = Math.max(0, Math.min(TILE_MAX_ZOOM, Math.round(map.getZoom())));
    var b = map.getBounds(), n = Math.pow(2, z);
    function tx(lon) { return Math.max(0, Math.min(n - 1, Math.floor((lon + 180) / 360 * n))); }
    function ty(lat) { var s = Math.sin(lat * Math.PI / 180); return Math.max(0, Math.min(n - 1, Math.floor((0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n))); }
    var f = filters(), q = query({ category: f.category, status: f.status, since: f.since });
    var jobs = [];
    for (var y = ty(b.getNorth()); y <= ty(b.getSouth()); y++) {
      for (var x = tx(b.getWest()); x <= tx(b.getEast()); x++) {
        jobs.push(fetchTile(z, x, y, q));
      }
    }
    return Promise.all(jobs).then(function (tiles) {
      if (mine !== incidentRequest) return;
      incidentLayer.clearLayers();
      // The server's grid clusters are fine (8 px cells); merge them into ~80 px screen cells for drawing.
      // Counts stay exact: each incident is in exactly one tile cluster, and each cluster in one screen cell.
      var seen = {}, total = 0, bins = {}, CELL = 80;
      tiles.forEach(function (t) {
        if (!t || !t.layer) return;
        t.layer.features.forEach(function (feat) {
          var p = feat.properties, pt = feat.points[0];
          if (!pt) return;
          var ll = tileToLatLng(t.z, t.x, t.y, pt[0], pt[1], t.layer.extent);
          if (p.point_count != null) {
            var sp = map.project(ll, z), key = Math.floor(sp.x / CELL) + ":" + Math.floor(sp.y / CELL);
            var bin = bins[key] || (bins[key] = { n: 0, lat: 0, lng: 0, one: null });
            bin.n += p.point_count; bin.lat += ll.lat * p.point_count; bin.lng += ll.lng * p.point_count;
            if (p.point_count === 1 && p.id != null) bin.one = p;
            total += p.point_count;
          } else {
            if (seen[p.id]) return;   // a point drawn in a neighbour's buffer too
            seen[p.id] = true; total += 1;
            L.circleMarker(ll, { radius: 6, color: "#fff", weight: 1.5, fillColor: statusColour(p.status), fillOpacity: 0.95 })
              .bindPopup(incidentPopup(p)).addTo(incidentLayer);
          }
        });
      });
      Object.keys(bins).forEach(function (key) {
        var bin = bins[key], ll = L.latLng(bin.lat / bin.n, bin.lng / bin.n);
        if (bin.n === 1 && bin.one) {
          L.circleMarker(ll, { radius: 5, color: "#fff", weight: 1.5, fillColor: statusColour(bin.one.status), fillOpacity: 0.95 })
            .bindPopup(incidentPopup(bin.one)).addTo(incidentLayer);
          return;
        }
        L.marker(ll, { icon: clusterIcon(bin.n), title: bin.n + " обращений", keyboard: false })
          .on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); })
          .addTo(incidentLayer);
      });
      stats.incidents = total;
      showStats();
    }).catch(function (err) {
      if (tilesWork) throw err;
      return loadIncidentsFromItems(mine);
    });
  }
  function fetchTile(z, x, y, q) {
    var url = "/tiles/incidents/" + z + "/" + x + "/" + y + ".mvt" + q;
    if (!tileCache[url]) {
      tileCache[url] = fetch(url).then(function (r) {
        if (r.status === 204) return { z: z, x: x, y: y, layer: null };
        if (!r.ok) { delete tileCache[url]; throw new Error(url + " → HTTP " + r.status); }
        return r.arrayBuffer().then(function (buf) {
          tilesWork = true;
          return { z: z, x: x, y: y, layer: OtklikMVT.decode(buf).incidents || null };
        });
      });
    }
    return tileCache[url];
  }
  // Without the tile endpoint: the OGC items of the visible box (capped), drawn as points.
  function loadIncidentsFromItems(mine) {
    var b = map.getBounds().intersects(REGION) ? map.getBounds() : REGION, f = filters();
    var url = "/ogc/collections/incidents/items" + query({
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","),
      limit: 2000, category: f.category, status: f.status, datetime: f.since ? f.since + "/.." : null,
    });
    return getJSON(url).then(function (fc) {
      if (mine !== incidentRequest) return;
      incidentLayer.clearLayers();
      fc.features.forEach(function (feat) {
        var c = feat.geometry.coordinates;
        L.circleMarker([c[1], c[0]], { radius: 5, color: "#fff", weight: 1, fillColor: statusColour(feat.properties.status), fillOpacity: 0.9 })
          .bindPopup(incidentPopup(feat.properties)).addTo(incidentLayer);
      });
      stats.incidents = fc.numberMatched != null ? fc.numberMatched : fc.features.length;
      showStats();
    });
  }

  // ---- hotspots and Gi* bins ----------------------------------------------------------------------
  var SCORE_RAMP = ["#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  var hotspotByID = {};
  function loadHotspots() {
    var f = filters();
    return getJSON("/ogc/collections/hotspots/items" + query({ limit: 1000, category: f.category })).then(function (fc) {
      hotspotLayer.clearLayers();
      hotspotByID = {};
      var max = fc.features.reduce(function (m, x) { return Math.max(m, x.properties.score || 0); }, 0) || 1;
      fc.features.forEach(function (feat) {
        var p = feat.properties, share = (p.score || 0) / max;
        var colour = SCORE_RAMP[Math.min(SCORE_RAMP.length - 1, Math.floor(share * SCORE_RAMP.length))];
        var recurring = p.recurring === true || (p.repeat_after_fix || 0) > 0;
        var popup = "<h3>" + esc(categories[p.category] || p.category_name || p.category || "Очаг") + "</h3>" + rows([
          ["Приоритет", num(p.score, 2)], ["Обращений", num(p.complaints)],
          ["Открытых", num(p.open)], ["Повторяется", recurring ? "да, после устранения" : "нет"],
          ["Населённый пункт", p.settlement], ["Район", p.district],
        ]);
        var layer;
        if (feat.geometry && feat.geometry.type === "Point") {
          var c = feat.geometry.coordinates;
          layer = L.circleMarker([c[1], c[0]], { pane: "hotspots", radius: 9 + 8 * share, color: colour, weight: 3, fillColor: colour, fillOpacity: 0.16 });
        } else {
          layer = L.geoJSON(feat, { pane: "hotspots", style: { color: colour, weight: 2.5, fillColor: colour, fillOpacity: 0.16, dashArray: recurring ? null : "4 3" } });
        }
        layer.bindPopup(popup).addTo(hotspotLayer);
        if (recurring) {
          var centre = layer.getBounds ? layer.getBounds().getCenter() : layer.getLatLng();
          L.marker(centre, { pane: "hotspots", interactive: false, icon: L.divIcon({ className: "recurring-mark", html: "↻", iconSize: [18, 18] }) }).addTo(hotspotLayer);
        }
        hotspotByID[String(feat.id != null ? feat.id : p.id)] = layer;
      });
      stats.hotspots = fc.features.length;
      showStats();
    });
  }
  var GI = { "3": "#b2182b", "2": "#ef8a62", "1": "#fddbc7", "-1": "#d1e5f0", "-2": "#67a9cf", "-3": "#2166ac" };
  var GI_RU = { "3": "горячая, 99%", "2": "горячая, 95%", "1": "горячая, 90%", "0": "не значима", "-1": "холодная, 90%", "-2": "холодная, 95%", "-3": "холодная, 99%" };
  function loadGrid() {
    var f = filters();
    return getJSON("/ogc/collections/hotspot-grid/items" + query({ limit: 10000, category: f.category })).then(function (fc) {
      gridLayer.clearLayers();
      var shown = fc.features.filter(function (x) { return x.properties.gi_class && x.properties.gi_class !== 0; });
      gridLayer.options.style = function (x) { return { color: GI[String(x.properties.gi_class)], weight: 0.5, fillColor: GI[String(x.properties.gi_class)], fillOpacity: 0.55 }; };
      gridLayer.options.onEachFeature = function (x, layer) {
        var p = x.properties;
        layer.bindPopup("<h3>Ячейка Gi*</h3>" + rows([["Класс", GI_RU[String(p.gi_class)]], ["z", num(p.z, 2)], ["p", p.p != null ? Number(p.p).toExponential(2) : null]]));
      };
      gridLayer.addData({ type: "FeatureCollection", features: shown });
      stats.grid = shown.length;
      showStats();
    });
  }

  // ---- ranked list --------------------------------------------------------------------------------
  function loadRanking() {
    var f = filters(), list = document.getElementById("hotspot-list");
    return getJSON("/api/v1/reports/hotspots" + query({ format: "json", limit: 50, category: f.category, since: f.since })).then(function (report) {
      list.innerHTML = "";
      var items = report.hotspots || [];
      if (!items.length) { list.innerHTML = "<li class=\"muted\">Нет очагов для выбранных условий</li>"; return; }
      items.forEach(function (h) {
        var li = document.createElement("li");
        li.tabIndex = 0;
        var recurring = (h.repeat_after_fix || 0) > 0;
        li.innerHTML = "<span class=\"score\">" + num(h.score, 2) + "</span><strong>" + esc(h.category_name || categories[h.category] || h.category) + "</strong>" +
          (recurring ? "<span class=\"recurring\" title=\"повторяется после устранения\">↻</span>" : "") +
          "<div class=\"place\">" + esc([h.settlement, h.district].filter(Boolean).join(", ") || "—") + " · обращений: " + num(h.complaints) + ", открытых: " + num(h.open) + "</div>";
        function go() {
          map.setView([h.lat, h.lon], 15);
          var layer = hotspotByID[String(h.id)];
          if (layer) layer.openPopup ? layer.openPopup() : null;
        }
        li.addEventListener("click", go);
        li.addEventListener("keydown", function (e) { if (e.key === "Enter") go(); });
        list.appendChild(li);
      });
    });
  }

  function loadCategories() {
    return getJSON("/api/v1/categories").then(function (doc) {
      var select = document.getElementById("f-category");
      (doc.categories || []).forEach(function (c) {
        categories[c.code] = c.name_ru;
        var o = document.createElement("option"); o.value = c.code; o.textContent = c.name_ru; select.appendChild(o);
      });
    });
  }

  function guard(where, promise) { return promise.catch(function (e) { fail(where, e); }); }
  function reloadFiltered() {
    return Promise.all([guard("incidents", loadIncidents()), guard("hotspots", loadHotspots()), guard("ranking", loadRanking()),
      map.hasLayer(gridLayer) ? guard("grid", loadGrid()) : Promise.resolve()]);
  }
  document.getElementById("filters").addEventListener("change", function () { tileCache = {}; reloadFiltered(); });
  map.on("moveend", function () { if (map.hasLayer(incidentLayer)) guard("incidents", loadIncidents()); });
  map.on("overlayadd", function (e) { if (e.layer === gridLayer) guard("grid", loadGrid()); });

  guard("categories", loadCategories()).then(function () {
    return Promise.all([guard("districts", loadDistricts()), reloadFiltered()]);
  }).then(function () {
    // The Gi* layer is off by default; load it once so the check sees it, without drawing it.
    return guard("grid", loadGrid());
  }).then(function () {
    statsEl.dataset.ready = "true";
    window.otklikReady = true;
    showStats();
  });
})();
