// A small reader for Mapbox Vector Tile 2.1 point layers (protobuf wire format), enough to draw the
// server's incident tiles without a plugin. Polygons are not decoded: the page draws areas from GeoJSON.
(function (global) {
  "use strict";
  function Reader(buf) { this.b = buf; this.p = 0; }
  Reader.prototype.varint = function () {
    var b = this.b, v = 0, mul = 1, byte;
    do {
      byte = b[this.p++];
      v += (byte & 0x7f) * mul;   // arithmetic, not bit shifts: ids may exceed 32 bits
      mul *= 128;
    } while (byte & 0x80);
    return v;
  };
  Reader.prototype.skip = function (wire) {
    if (wire === 0) this.varint();
    else if (wire === 1) this.p += 8;
    else if (wire === 2) { var n = this.varint(); this.p += n; }
    else if (wire === 5) this.p += 4;
    else throw new Error("MVT: unknown wire type " + wire);
  };
  Reader.prototype.sub = function () { var n = this.varint(); var r = new Reader(this.b.subarray(this.p, this.p + n)); this.p += n; return r; };
  Reader.prototype.string = function () { var n = this.varint(); var s = new TextDecoder().decode(this.b.subarray(this.p, this.p + n)); this.p += n; return s; };
  Reader.prototype.done = function () { return this.p >= this.b.length; };
  function zigzag(n) { return (n % 2 === 1) ? -(n + 1) / 2 : n / 2; }

  function readValue(r) {
    var v = null;
    while (!r.done()) {
      var tag = r.varint(), f = tag >> 3, w = tag & 7;
      if (f === 1) v = r.string();
      else if (f === 2) { v = new DataView(r.b.buffer, r.b.byteOffset + r.p, 4).getFloat32(0, true); r.p += 4; }
      else if (f === 3) { v = new DataView(r.b.buffer, r.b.byteOffset + r.p, 8).getFloat64(0, true); r.p += 8; }
      else if (f === 4 || f === 5) v = r.varint();
      else if (f === 6) v = zigzag(r.varint());
      else if (f === 7) v = r.varint() !== 0;
      else r.skip(w);
    }
    return v;
  }

  function packed(r) { var s = r.sub(), out = []; while (!s.done()) out.push(s.varint()); return out; }

  function readFeature(r) {
    var f = { id: null, tags: [], type: 0, geometry: [] };
    while (!r.done()) {
      var tag = r.varint(), n = tag >> 3, w = tag & 7;
      if (n === 1) f.id = r.varint();
      else if (n === 2) f.tags = packed(r);
      else if (n === 3) f.type = r.varint();
      else if (n === 4) f.geometry = packed(r);
      else r.skip(w);
    }
    return f;
  }

  // Points of a feature's geometry (MoveTo parameters), in tile grid units.
  function points(geometry) {
    var out = [], x = 0, y = 0, i = 0;
    while (i < geometry.length) {
      var cmd = geometry[i] & 7, count = geometry[i] >> 3; i++;
      if (cmd === 7) continue;
      for (var k = 0; k < count; k++) {
        x += zigzag(geometry[i++]); y += zigzag(geometry[i++]);
        if (cmd === 1) out.push([x, y]);
      }
    }
    return out;
  }

  function readLayer(r) {
    var layer = { name: "", extent: 4096, keys: [], values: [], raw: [] };
    while (!r.done()) {
      var tag = r.varint(), n = tag >> 3, w = tag & 7;
      if (n === 1) layer.name = r.string();
      else if (n === 2) layer.raw.push(readFeature(r.sub()));
      else if (n === 3) layer.keys.push(r.string());
      else if (n === 4) layer.values.push(readValue(r.sub()));
      else if (n === 5) layer.extent = r.varint();
      else r.skip(w);
    }
    layer.features = layer.raw.map(function (f) {
      var props = {};
      for (var t = 0; t + 1 < f.tags.length; t += 2) props[layer.keys[f.tags[t]]] = layer.values[f.tags[t + 1]];
      return { id: f.id, type: f.type, properties: props, points: f.type === 1 ? points(f.geometry) : [] };
    });
    delete layer.raw;
    return layer;
  }

  function decode(arrayBuffer) {
    var r = new Reader(new Uint8Array(arrayBuffer)), layers = {};
    while (!r.done()) {
      var tag = r.varint();
      if ((tag >> 3) === 3) { var l = readLayer(r.sub()); layers[l.name] = l; } else r.skip(tag & 7);
    }
    return layers;
  }

  global.OtklikMVT = { decode: decode };
})(window);
