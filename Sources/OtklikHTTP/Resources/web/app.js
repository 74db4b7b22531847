// The Otklik map: a client of the public API only (OGC API Features, reports, tiles, categories).
(function () {
  "use strict";
  var REGION = L.latLngBounds([53.3, 30.7], [56.1, 35.4]);  // Smolensk Oblast
  var TILE_MAX_ZOOM = 16;
  var STATUS_RU = { new: "новое", in_progress: "в работе", resolved: "решено", rejected: "отклонено" };
  var stats = window.otklikStats = { districts: 0, incidents: 0, incidentsDrawn: 0, hotspots: 0, hotspotsDrawn: 0, grid: 0,
    settlements: 0, labels: 0, districtLabels: 0, basemapTiles: 0, errors: [] };
  var categories = {};       // code → name_ru
  var ru = window.OtklikRU;
  var statsEl = document.getElementById("stats");

  function fail(where, err) {
    stats.errors.push(where + ": " + (err && err.message ? err.message : err));
    showStats();
  }
  window.addEventListener("error", function (e) { fail("script", e.message); });
  var consoleError = console.error;
  console.error = function () { stats.errors.push("console: " + Array.prototype.join.call(arguments, " ")); consoleError.apply(console, arguments); };
  window.addEventListener("unhandledrejection", function (e) { fail("promise", e.reason); });

  // data-* carry plain integers for scripts/browser-check.sh; the text is for people.
  function showStats() {
    var d = statsEl.dataset;
    d.districts = stats.districts; d.incidents = stats.incidents; d.hotspots = stats.hotspots; d.grid = stats.grid;
    d.settlements = stats.settlements; d.labels = stats.labels; d.districtLabels = stats.districtLabels;
    d.basemapTiles = stats.basemapTiles; d.district = state.district; d.errors = stats.errors.length;
    var parts = [state.district ? state.district : "районов: " + ru.integer(stats.districts),
      "обращений на карте: " + ru.integer(stats.incidents) +
        (stats.incidentsDrawn < stats.incidents ? " (показано " + ru.integer(stats.incidentsDrawn) + ")" : ""),
      "очагов: " + ru.integer(stats.hotspots) +
        (stats.hotspotsDrawn < stats.hotspots ? " (на карте " + ru.integer(stats.hotspotsDrawn) + " с наибольшим приоритетом)" : "")];
    statsEl.textContent = parts.join(" · ");
    statsEl.title = stats.errors.join(" | ");   // what went wrong, for a person hovering and for the check's DOM dump
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
  function num(x, digits) { return ru.format(x, digits || 0); }
  function withShare(part, whole) { return part == null || !whole ? null : num(part) + " (" + ru.percent(100 * part / whole, 1) + ")"; }
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

  // ---- filters and the page's own URL -------------------------------------------------------------
  // The page accepts `/?district=<name>&category=<code>&status=<code>&since=<YYYY-MM-DD>` (the filter of the
  // printable reports) or `period=30|90|365` (days back from today) instead of since, plus `#zoom/lat/lon`
  // for the view, and keeps its address in that form as the user changes filters and moves the map.
  var SINCE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
  var PERIODS = ["30", "90", "365"];
  var initial = (function () {
    var u = new URLSearchParams(location.search), since = u.get("since");
    return { district: u.get("district") || "", category: u.get("category") || "", status: u.get("status") || "",
             period: PERIODS.indexOf(u.get("period")) >= 0 ? u.get("period") : "",
             since: since && SINCE.test(since) ? since : "" };
  })();
  var state = { district: initial.district };
  function sinceInstant(s) { return s && s.length === 10 ? s + "T00:00:00Z" : s; }
  function filters() {
    var period = document.getElementById("f-period").value, since = null, sinceDate = null;
    if (period.indexOf("since:") === 0) { sinceDate = period.slice(6); since = sinceInstant(sinceDate); }
    else if (period) { sinceDate = new Date(Date.now() - Number(period) * 86400000).toISOString().slice(0, 10); since = sinceDate + "T00:00:00Z"; }
    return { category: document.getElementById("f-category").value, status: document.getElementById("f-status").value,
             district: document.getElementById("f-district").value, since: since, sinceDate: sinceDate,
             period: period && period.indexOf("since:") !== 0 ? period : null, fixedSince: period.indexOf("since:") === 0 ? period.slice(6) : null };
  }
  function query(params) {
    var q = Object.keys(params).filter(function (k) { return params[k] != null && params[k] !== ""; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); }).join("&");
    return q ? "?" + q : "";
  }
  function viewHash() {
    var c = map.getCenter(), z = map.getZoom();
    return "#" + (Math.round(z * 100) / 100) + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4);
  }
  function syncAddress() {
    var f = filters();
    history.replaceState(null, "", location.pathname + query({ district: f.district, category: f.category, status: f.status,
      since: f.fixedSince, period: f.period }) + viewHash());
    document.getElementById("report-hotspots").href = "/api/v1/reports/hotspots" +
      query({ format: "html", district: f.district, category: f.category, since: f.sinceDate });
    areaReportLinks(f);
  }
  // The printable district and settlement reports for the map's filter; each of their rows links back here.
  function areaReportLinks(f) {
    document.getElementById("report-districts").href = "/api/v1/reports/districts" +
      query({ format: "html", category: f.category, since: f.sinceDate });
    document.getElementById("report-settlements").href = "/api/v1/reports/settlements" +
      query({ format: "html", district: f.district, category: f.category, since: f.sinceDate });
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
  map.createPane("labels").style.zIndex = 620;    // over dots and clusters, under popups; never takes a click
  map.getPane("labels").style.pointerEvents = "none";

  var districtLayer = L.geoJSON(null, { pane: "districts" });
  var gridLayer = L.geoJSON(null, { pane: "grid" });
  var hotspotLayer = L.featureGroup();
  var incidentLayer = L.layerGroup();
  var labelLayer = L.layerGroup();
  districtLayer.addTo(map); hotspotLayer.addTo(map); incidentLayer.addTo(map); labelLayer.addTo(map);
  var layersControl = L.control.layers(null, {
    "Районы: обращений на 1000 жителей": districtLayer,
    "Обращения": incidentLayer,
    "Очаги": hotspotLayer,
    "Ячейки Gi* (горячие и холодные)": gridLayer,
    "Названия населённых пунктов и районов": labelLayer,
  }, { collapsed: false, position: "topright" }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // A raster basemap only when the server is configured with one (`otklik serve --basemap`); without it the
  // gazetteer's places and districts give the map its bearings, and the page needs no network.
  var basemap = null;
  function loadConfig() {
    return getJSON("/web/config.json").then(function (cfg) {
      var b = cfg && cfg.basemap;
      if (!b || !b.url) return;
      basemap = L.tileLayer(b.url, { attribution: b.attribution ? esc(b.attribution) : "", maxZoom: 19, maxNativeZoom: 19,
                                     crossOrigin: false, className: "basemap" });
      basemap.on("tileload", function () { stats.basemapTiles++; statsEl.dataset.basemapTiles = stats.basemapTiles; });
      basemap.on("tileerror", function (e) { fail("basemap", "tile " + (e.coords ? e.coords.z + "/" + e.coords.x + "/" + e.coords.y : "?") + " failed"); });
      basemap.addTo(map);
      layersControl.addOverlay(basemap, "Подложка");
      restyleDistricts();
    });
  }

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
  // Built with the DOM and CSSOM, not with style attributes in HTML, which a strict Content-Security-Policy blocks.
  function drawLegend() {
    var div = legend._div;
    div.textContent = "";
    function heading(text) { var h = L.DomUtil.create("h4", "", div); h.textContent = text; }
    function row(colour, text, round) {
      var r = L.DomUtil.create("div", "", div), swatch = L.DomUtil.create("i", round ? "round" : "", r);
      swatch.style.background = colour;
      r.appendChild(document.createTextNode(text));
    }
    heading("Обращений на 1000 жителей");
    var lo = 0;
    for (var i = 0; i < breaks.length; i++) { row(RAMP[i], num(lo, 1) + " – " + num(breaks[i], 1)); lo = breaks[i]; }
    row("#e4e7eb", "нет данных о населении");
    heading("Очаги");
    row("#fcae91", "приоритет ниже"); row("#a50f15", "приоритет выше");
    var rec = L.DomUtil.create("div", "", div), mark = L.DomUtil.create("span", "recurring-mark", rec);
    mark.textContent = "↻"; rec.appendChild(document.createTextNode(" повторяется после устранения"));
    heading("Обращения");
    ["new", "in_progress", "resolved", "rejected"].forEach(function (st) { row(statusColour(st), STATUS_RU[st], true); });
  }


  // The choropleth is for the oblast and district scale; closer in it fades so the places, the dots and the
  // basemap show through. A chosen district stays outlined and the others step back.
  function districtStyle(f) {
    var z = map.getZoom(), base = basemap && map.hasLayer(basemap) ? 0.55 : 0.72;
    var fill = z <= 9 ? base : z <= 10 ? base * 0.7 : z <= 11 ? base * 0.45 : z <= 12 ? base * 0.25 : base * 0.12;
    var chosen = state.district && f.properties.name === state.district, other = state.district && !chosen;
    return { color: chosen ? "#1d3557" : "#52606d", weight: chosen ? 3 : 1.2, fillColor: colourFor(f.properties.per_1000),
             fillOpacity: other ? fill * 0.3 : fill, opacity: other ? 0.5 : 1 };
  }
  function restyleDistricts() { districtLayer.setStyle(districtStyle); }
  var districtByName = {};   // name → { feature, bounds, label: [lat, lon] }
  function loadDistricts() {
    return getJSON("/ogc/collections/districts/items?limit=10000").then(function (fc) {
      var values = fc.features.map(function (f) { return f.properties.per_1000; }).filter(function (v) { return v != null; }).sort(function (a, b) { return a - b; });
      breaks = [0.2, 0.4, 0.6, 0.8, 1].map(function (q) { return values.length ? values[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)] : 0; });
      districtLayer.clearLayers();
      districtLayer.options.style = districtStyle;
      districtLayer.options.onEachFeature = function (f, layer) {
        var p = f.properties;
        layer.bindPopup("<h3>" + esc(p.name) + "</h3>" + rows([
          ["Обращений", num(p.complaints)], ["Открытых", withShare(p.open, p.complaints)], ["Просроченных", withShare(p.overdue, p.complaints)],
          ["Население", num(p.population)], ["На 1000 жителей", num(p.per_1000, 2)],
        ]));
        districtByName[p.name] = { feature: f, bounds: layer.getBounds(), label: labelPoint(f.geometry) };
      };
      districtLayer.addData(fc);
      stats.districts = fc.features.length;
      var select = document.getElementById("f-district");
      fc.features.map(function (f) { return f.properties.name; }).sort(function (a, b) { return a.localeCompare(b, "ru"); })
        .forEach(function (name) {
          var o = document.createElement("option"); o.value = name; o.textContent = name; select.appendChild(o);
        });
      if (state.district && !districtByName[state.district]) fail("district", "no district named " + state.district);
      select.value = districtByName[state.district] ? state.district : "";
      state.district = select.value;
      drawLegend();
      showStats();
    });
  }
  // Where a district's name goes: the area-weighted centroid of its largest ring (in degrees, which is fine
  // for placing a label), or the ring's first vertex when that centroid is degenerate.
  function labelPoint(g) {
    var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    var best = null, bestArea = -1;
    polys.forEach(function (poly) {
      var ring = poly[0], a = 0, cx = 0, cy = 0;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var k = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
        a += k; cx += (ring[j][0] + ring[i][0]) * k; cy += (ring[j][1] + ring[i][1]) * k;
      }
      if (Math.abs(a) > bestArea) { bestArea = Math.abs(a); best = a ? [cy / (3 * a), cx / (3 * a)] : [ring[0][1], ring[0][0]]; }
    });
    return best;
  }
  function shortDistrictName(name) { return name.replace(/ район$/, " р-н").replace(/^Город /, "г. "); }

  // ---- place names: settlements sized by population, and district names ----------------------------
  // Labels are placed greedily by importance (districts at low zoom, then settlements by population) and a
  // label that would overlap one already placed is left out, so nothing is drawn over anything else. Each
  // zoom also has a population floor: the regional centre and towns at the oblast view, villages from z11.
  var settlements = [];      // { name, population, lat, lon, district }
  function populationFloor(z) { return z < 8 ? 20000 : z < 9 ? 5000 : z < 10 ? 1500 : z < 11 ? 500 : z < 12 ? 100 : 0; }
  function labelClass(pop) { return pop >= 100000 ? "l1" : pop >= 20000 ? "l2" : pop >= 5000 ? "l3" : pop >= 1000 ? "l4" : "l5"; }
  var LABEL_FONT = { l1: "700 16px", l2: "700 14px", l3: "600 13px", l4: "400 12px", l5: "400 11px", ld: "600 11px" };
  var measureCtx = document.createElement("canvas").getContext("2d");
  function textWidth(text, cls) {
    measureCtx.font = LABEL_FONT[cls] + " 'DejaVu Sans', 'Noto Sans', Arial, sans-serif";
    return Math.ceil(measureCtx.measureText(text).width) + (cls === "ld" ? text.length * 0.7 : 0);
  }
  function loadSettlements() {
    return getJSON("/ogc/collections/settlements/items?limit=10000").then(function (fc) {
      settlements = fc.features.filter(function (f) { return f.geometry && f.geometry.type === "Point" && f.properties.name; })
        .map(function (f) {
          var p = f.properties, c = f.geometry.coordinates;
          return { name: p.name, population: p.population || 0, lat: c[1], lon: c[0], district: p.district };
        }).sort(function (a, b) { return b.population - a.population; });
      stats.settlements = settlements.length;
      drawLabels();
    });
  }
  function drawLabels() {
    labelLayer.clearLayers();
    var z = Math.floor(map.getZoom() + 1e-6), size = map.getSize(), placed = [], nPlaces = 0, nDistricts = 0;
    // Incident clusters are obstacles too: a label goes beside one where it can, and only the names of
    // districts and towns are laid over a cluster when there is no room beside it.
    var circles = map.hasLayer(incidentLayer) ? clusterMarks.map(function (c) {
      var p = map.latLngToContainerPoint(c.ll);
      return { x: p.x, y: p.y, r: c.r };
    }) : [];
    var clusters = circles.map(function (c) { return [c.x - c.r, c.y - c.r, c.x + c.r, c.y + c.r]; });
    function clear(box, others) {
      for (var i = 0; i < others.length; i++) {
        var o = others[i];
        if (box[0] < o[2] && box[2] > o[0] && box[1] < o[3] && box[3] > o[1]) return false;
      }
      return true;
    }
    function place(text, latlng, cls, dot) {
      var pt = map.latLngToContainerPoint(latlng), w = textWidth(text, cls) + (dot ? 14 : 0), h = cls === "l1" ? 20 : cls === "l2" ? 18 : 16;
      var pad = 3, top = pt.y - h / 2;
      // Dotted names sit right of their point, else left of it (the dot then after the name); district names centre.
      // A place under a cluster (its complaints) is named beside the cluster instead, without a dot: the
      // cluster marks the place, and its number stays readable.
      var options = dot ? [{ left: pt.x - 4, anchor: 4, side: "" }, { left: pt.x - w + 4, anchor: w - 4, side: " dot-right" }]
                        : [{ left: pt.x - w / 2, anchor: w / 2, side: "" }];
      var under = dot && circles.filter(function (c) { return Math.pow(c.x - pt.x, 2) + Math.pow(c.y - pt.y, 2) <= c.r * c.r; })[0];
      if (under) {
        var bare = w - 10, right = under.x + under.r + 1, leftOf = under.x - under.r - 1 - bare;
        options = [{ left: right, anchor: pt.x - right, side: " no-dot", w: bare }, { left: leftOf, anchor: pt.x - leftOf, side: " no-dot", w: bare }]
          .concat(options);
      }
      var mayCover = cls === "ld" || cls === "l1" || cls === "l2" || cls === "l3";
      for (var pass = 0; pass < (mayCover ? 2 : 1); pass++) {
        for (var k = 0; k < options.length; k++) {
          var o = options[k], ow = o.w || w, box = [o.left - pad, top - pad, o.left + ow + pad, top + h + pad];
          if (box[2] < 0 || box[3] < 0 || box[0] > size.x || box[1] > size.y) continue;
          if (!clear(box, placed) || (pass === 0 && !clear(box, clusters))) continue;
          placed.push(box);
          L.marker(latlng, { pane: "labels", interactive: false, keyboard: false,
            icon: L.divIcon({ className: "map-label " + (dot ? "place-label " : "district-label ") + cls + o.side, html: esc(text),
                              iconSize: [ow, h], iconAnchor: [o.anchor, h / 2] }) }).addTo(labelLayer);
          return true;
        }
      }
      return false;
    }
    // Towns of 20 000 and more first, then district names, then the smaller places down to the zoom's floor.
    var floor = populationFloor(z), view = map.getBounds().pad(0.05), i = 0, s;
    function settlementsDownTo(min) {
      for (; i < settlements.length; i++) {
        s = settlements[i];
        if (s.population < Math.max(min, floor)) return;   // sorted by population, largest first
        if (view.contains([s.lat, s.lon]) && place(s.name, [s.lat, s.lon], labelClass(s.population), true)) nPlaces++;
      }
    }
    settlementsDownTo(20000);
    if (z <= 10) {
      Object.keys(districtByName).forEach(function (name) {
        var d = districtByName[name];
        if (!d.label || (state.district && name !== state.district && z >= 9)) return;
        if (d.feature.properties.kind === "city_okrug" && z >= 8) return;   // the city's own label says it
        if (place(shortDistrictName(name).toUpperCase(), d.label, "ld", false)) nDistricts++;
      });
    }
    settlementsDownTo(0);
    stats.labels = nPlaces; stats.districtLabels = nDistricts;
    showStats();
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
  // Sizes come from CSS classes, not inline styles, which a strict Content-Security-Policy would drop.
  function clusterIcon(n) {
    var cls = n < 10 ? "c1" : n < 100 ? "c2" : n < 1000 ? "c3" : n < 10000 ? "c4" : "c5";
    var size = { c1: 20, c2: 26, c3: 32, c4: 40, c5: 46 }[cls];
    return L.divIcon({ className: "", html: "<div class=\"cluster " + cls + "\">" +
      (n >= 10000 ? ru.format(n / 1000, 0) + "\u00a0тыс." : ru.integer(n)) + "</div>", iconSize: [size, size] });
  }
  function statusColour(s) { return s === "resolved" ? "#2f9e44" : s === "rejected" ? "#868e96" : s === "in_progress" ? "#f08c00" : "#d6336c"; }

  var incidentRequest = 0;
  // The whole oblast comes from the incident tiles (grid clusters below z13, points from z13), which the
  // server filters by category, status and since. The tiles take no district, and their clusters carry no
  // district to filter on in the page, so with a district chosen the incidents come from the OGC items
  // endpoint, which filters by district exactly (`district=`), for the visible part of that district.
  function loadIncidents() {
    var mine = ++incidentRequest;
    if (filters().district) return loadIncidentsFromItems(mine);
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
      var seen = {}, items = [];
      tiles.forEach(function (t) {
        if (!t || !t.layer) return;
        t.layer.features.forEach(function (feat) {
          var p = feat.properties, pt = feat.points[0];
          if (!pt) return;
          var ll = tileToLatLng(t.z, t.x, t.y, pt[0], pt[1], t.layer.extent);
          if (p.point_count != null) { items.push({ ll: ll, n: p.point_count, props: p.point_count === 1 && p.id != null ? p : null }); return; }
          if (seen[p.id]) return;   // a point drawn in a neighbour's buffer too
          seen[p.id] = true;
          items.push({ ll: ll, n: 1, props: p, point: true });
        });
      });
      drawIncidents(items, z);
      stats.incidents = stats.incidentsDrawn = items.reduce(function (sum, it) { return sum + it.n; }, 0);
      showStats();
    }).catch(function (err) {
      if (tilesWork) throw err;
      return loadIncidentsFromItems(mine);
    });
  }
  // Points from z13 are drawn one by one; clusters and, below z13, points are merged into ~80 px screen cells.
  // Counts stay exact: each incident is in exactly one item, and each item in one screen cell.
  var clusterMarks = [];     // { ll, r } of the cluster circles drawn, which labels keep clear of
  function drawIncidents(items, z) {
    incidentLayer.clearLayers();
    clusterMarks = [];
    var bins = {}, CELL = 80, single = map.getZoom() >= 13;
    items.forEach(function (it) {
      if (it.point && single) {
        L.circleMarker(it.ll, { radius: 6, color: "#fff", weight: 1.5, fillColor: statusColour(it.props.status), fillOpacity: 0.95 })
          .bindPopup(incidentPopup(it.props)).addTo(incidentLayer);
        return;
      }
      var sp = map.project(it.ll, z), key = Math.floor(sp.x / CELL) + ":" + Math.floor(sp.y / CELL);
      var bin = bins[key] || (bins[key] = { n: 0, lat: 0, lng: 0, one: null });
      bin.n += it.n; bin.lat += it.ll.lat * it.n; bin.lng += it.ll.lng * it.n;
      if (it.n === 1 && it.props) bin.one = it.props;
    });
    Object.keys(bins).forEach(function (key) {
      var bin = bins[key], ll = L.latLng(bin.lat / bin.n, bin.lng / bin.n);
      if (bin.n === 1 && bin.one) {
        L.circleMarker(ll, { radius: 5, color: "#fff", weight: 1.5, fillColor: statusColour(bin.one.status), fillOpacity: 0.95 })
          .bindPopup(incidentPopup(bin.one)).addTo(incidentLayer);
        return;
      }
      var icon = clusterIcon(bin.n);
      clusterMarks.push({ ll: ll, r: icon.options.iconSize[0] / 2 + 2 });
      L.marker(ll, { icon: icon, title: ru.integer(bin.n) + " обращений", keyboard: false })
        .on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, 18)); })
        .addTo(incidentLayer);
    });
    if (map.hasLayer(labelLayer)) drawLabels();
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
  // The OGC items of the visible box (of the chosen district, when there is one), at most ITEMS_LIMIT of
  // them; the count is the server's numberMatched, so it stays true when not every point is drawn.
  var ITEMS_LIMIT = 10000;
  function loadIncidentsFromItems(mine) {
    var f = filters(), d = f.district && districtByName[f.district];
    var area = d ? d.bounds : REGION, view = map.getBounds();
    var b = view.intersects(area) ? L.latLngBounds([Math.max(view.getSouth(), area.getSouth()), Math.max(view.getWest(), area.getWest())],
                                                   [Math.min(view.getNorth(), area.getNorth()), Math.min(view.getEast(), area.getEast())]) : null;
    if (!b) { incidentLayer.clearLayers(); stats.incidents = stats.incidentsDrawn = 0; showStats(); return Promise.resolve(); }
    var url = "/ogc/collections/incidents/items" + query({
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(","),
      limit: ITEMS_LIMIT, category: f.category, status: f.status, district: f.district, datetime: f.since ? f.since + "/.." : null,
    });
    return getJSON(url).then(function (fc) {
      if (mine !== incidentRequest) return;
      var z = Math.max(0, Math.min(TILE_MAX_ZOOM, Math.round(map.getZoom())));
      drawIncidents(fc.features.map(function (feat) {
        var c = feat.geometry.coordinates;
        return { ll: L.latLng(c[1], c[0]), n: 1, props: feat.properties, point: true };
      }), z);
      stats.incidentsDrawn = fc.features.length;
      stats.incidents = fc.numberMatched != null ? fc.numberMatched : fc.features.length;
      showStats();
    });
  }

  // ---- hotspots and Gi* bins ----------------------------------------------------------------------
  var SCORE_RAMP = ["#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
  var hotspotByID = {};
  // Every hotspot is fetched (the count in the header is that of the significant ones, or the district's share
  // of them), but only the HOTSPOTS_DRAWN of highest priority are drawn: thousands of outlines at the oblast
  // view are one red smear. The OGC collection takes no district, so the district filter is the hotspots'
  // own `district` property.
  var HOTSPOTS_DRAWN = 1000;
  function loadHotspots() {
    var f = filters();
    return getJSON("/ogc/collections/hotspots/items" + query({ limit: 10000, category: f.category })).then(function (fc) {
      hotspotLayer.clearLayers();
      hotspotByID = {};
      // The collection holds every cluster; the map shows the significant ones, as the ranked list does.
      var all = fc.features.filter(function (x) { return x.properties.significant !== false; }), total = all.length;
      if (f.district) { all = all.filter(function (x) { return x.properties.district === f.district; }); total = all.length; }
      var drawn = all.slice().sort(function (a, b) { return (b.properties.score || 0) - (a.properties.score || 0); }).slice(0, HOTSPOTS_DRAWN);
      var max = drawn.reduce(function (m, x) { return Math.max(m, x.properties.score || 0); }, 0) || 1;
      drawn.forEach(function (feat) {
        var p = feat.properties, share = (p.score || 0) / max;
        var colour = SCORE_RAMP[Math.min(SCORE_RAMP.length - 1, Math.floor(share * SCORE_RAMP.length))];
        var recurring = p.recurring === true;
        var popup = "<h3>" + esc(categories[p.category] || p.category_name || p.category || "Очаг") + "</h3>" + rows([
          ["Приоритет", num(p.score, 2)], ["Обращений", num(p.complaints)],
          ["Ожидалось", p.expected == null ? null : num(p.expected, 1) + (p.o_e > 1 ? " (больше в " + num(p.o_e, 1) + " раза)" : "")],
          ["Всплеск", p.burst_complaints == null || !(p.burst_p <= 0.05) ? null : num(p.burst_complaints) + " с " + fmtDate(p.burst_start)
            + " по " + fmtDate(p.burst_end) + " (ожидалось " + num(p.burst_expected, 2) + ")"],
          ["p", p.p == null ? null : p.p < 0.001 ? "< 0,001" : num(p.p, 3)],
          ["Открытых", withShare(p.open, p.complaints)],
          ["Повторяется", recurring ? ((p.repeat_after_fix || 0) > 0 ? "да, после устранения" : "да") : "нет"],
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
      stats.hotspots = total;
      stats.hotspotsDrawn = drawn.length;
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
        layer.bindPopup("<h3>Ячейка Gi*</h3>" + rows([["Класс", GI_RU[String(p.gi_class)]], ["z", num(p.z, 2)], ["p", p.p == null ? null : p.p < 0.001 ? "< 0,001" : num(p.p, 3)]]));
      };
      gridLayer.addData({ type: "FeatureCollection", features: shown });
      stats.grid = shown.length;
      showStats();
    });
  }

  // ---- ranked list --------------------------------------------------------------------------------
  // What a hotspot is and the parts of its score come with the report, so the page and the printed report say
  // the same words.
  function showLegend(report) {
    document.getElementById("hotspot-about").textContent = report.definition || "";
    document.getElementById("hotspot-legend").querySelector("dl").innerHTML = (report.legend || []).map(function (part) {
      return "<dt>" + esc(part.name) + "</dt><dd>" + esc(part.meaning) + "</dd>";
    }).join("");
  }
  function loadRanking() {
    var f = filters(), list = document.getElementById("hotspot-list");
    return getJSON("/api/v1/reports/hotspots" + query({ format: "json", limit: 50, category: f.category, since: f.since, district: f.district })).then(function (report) {
      list.innerHTML = "";
      showLegend(report);
      var items = report.hotspots || [];
      if (!items.length) { list.innerHTML = "<li class=\"muted\">Нет значимых очагов для выбранных условий</li>"; return; }
      items.forEach(function (h) {
        var li = document.createElement("li");
        li.tabIndex = 0;
        var recurring = (h.repeat_after_fix || 0) > 0;
        li.title = (report.legend || []).map(function (part) { return part.name + ": " + num(h[part.property], 2); }).join("; ");
        li.innerHTML = "<span class=\"score\">" + num(h.score, 2) + "</span><strong>" + esc(h.category_name || categories[h.category] || h.category) + "</strong>" +
          (recurring ? "<span class=\"recurring\" title=\"повторяется после устранения\">↻</span>" : "") +
          "<div class=\"place\">" + esc([h.settlement, h.district].filter(Boolean).join(", ") || "—") + " · обращений: " + num(h.complaints) + ", открытых: " + num(h.open) + "</div>" +
          (h.explanation ? "<div class=\"why\">" + esc(h.explanation) + "</div>" : "");
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
  function zoomToDistrict() {
    var d = state.district && districtByName[state.district];
    map.fitBounds(d ? d.bounds : REGION, { padding: [12, 12] });
  }
  document.getElementById("filters").addEventListener("change", function (e) {
    tileCache = {};
    state.district = document.getElementById("f-district").value;
    restyleDistricts();
    syncAddress();
    // Zooming fires moveend, which reloads the incidents; the rest reloads here.
    if (e.target.id === "f-district") { zoomToDistrict(); drawLabels(); }
    reloadFiltered();
  });
  map.on("moveend", function () {
    if (map.hasLayer(incidentLayer)) guard("incidents", loadIncidents());   // and the labels around the clusters
    else if (map.hasLayer(labelLayer)) drawLabels();
    syncAddress();
  });
  map.on("zoomend", restyleDistricts);
  map.on("overlayadd overlayremove", function (e) { if (e.layer === basemap) restyleDistricts(); });
  map.on("overlayadd overlayremove", function (e) { if (e.layer === labelLayer || e.layer === incidentLayer) drawLabels(); });
  map.on("overlayadd", function (e) { if (e.layer === gridLayer) guard("grid", loadGrid()); });

  // The filter from the address: options that exist are chosen, a `since` that no period gives becomes one.
  function applyInitialFilter() {
    var cat = document.getElementById("f-category"), status = document.getElementById("f-status"), period = document.getElementById("f-period");
    if (initial.category) { cat.value = initial.category; if (cat.value !== initial.category) fail("filter", "unknown category " + initial.category); }
    if (initial.status) { status.value = initial.status; if (status.value !== initial.status) fail("filter", "unknown status " + initial.status); }
    if (initial.since) {
      var o = document.createElement("option");
      o.value = "since:" + initial.since;
      o.textContent = "с " + fmtDate(initial.since.slice(0, 10));
      period.appendChild(o);
      period.value = o.value;
    } else if (initial.period) period.value = initial.period;
  }

  Promise.all([guard("config", loadConfig()), guard("categories", loadCategories())]).then(function () {
    applyInitialFilter();
    return guard("districts", loadDistricts());
  }).then(function () {
    if (state.district && !view) zoomToDistrict();
    restyleDistricts();
    syncAddress();
    return Promise.all([guard("settlements", loadSettlements()), reloadFiltered()]);
  }).then(function () {
    // The Gi* layer is off by default; load it once so the check sees it, without drawing it.
    return guard("grid", loadGrid());
  }).then(function () {
    statsEl.dataset.ready = "true";
    window.otklikReady = true;
    showStats();
  });
})();
