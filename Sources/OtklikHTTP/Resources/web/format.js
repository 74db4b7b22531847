// Numbers for a Russian reader, by the same rules as OtklikCore's RussianNumber: decimal comma, thousands
// grouped with a narrow no-break space (U+202F), the minus sign U+2212, "6,6 %" with the same narrow space.
// Rounding is half away from zero on the shortest decimal form of the value (1.005 → "1,01"), so the page
// and the reports agree to the last digit. toLocaleString is not used: its separators depend on the ICU build.
(function (root) {
  "use strict";
  var NNBSP = "\u202F", MINUS = "\u2212";

  function grouped(digits) {
    var out = "";
    for (var i = 0; i < digits.length; i++) {
      if (i > 0 && (digits.length - i) % 3 === 0) out += NNBSP;
      out += digits[i];
    }
    return out;
  }

  // Integer and fraction digit strings of a finite x ≥ 0, rounded half away from zero on its shortest form.
  function rounded(x, fractionDigits) {
    var m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
    var intDigits = m[1], fracDigits = m[2] || "", exponent = m[3] ? Number(m[3]) : 0;
    var digits = (intDigits + fracDigits).split("").map(Number);
    var point = intDigits.length + exponent;
    while (point < 0) { digits.unshift(0); point++; }
    while (digits.length < point) digits.push(0);
    var keep = point + fractionDigits;
    if (digits.length > keep) {
      var up = digits[keep] >= 5;
      digits = digits.slice(0, keep);
      if (up) {
        var i = keep - 1;
        while (i >= 0) { if (digits[i] === 9) { digits[i] = 0; i--; } else { digits[i]++; break; } }
        if (i < 0) { digits.unshift(1); point++; }
      }
    } else {
      while (digits.length < keep) digits.push(0);
    }
    var integer = digits.slice(0, point).join("").replace(/^0+(?=\d)/, "") || "0";
    return [integer, digits.slice(point).join("")];
  }

  function format(value, fractionDigits) {
    if (value == null || value === "") return "—";
    var x = Number(value), d = Math.max(0, Math.min(20, fractionDigits || 0));
    if (isNaN(x)) return "—";
    if (!isFinite(x)) return x < 0 ? MINUS + "∞" : "∞";
    var parts = rounded(Math.abs(x), d);
    var zero = /^0*$/.test(parts[0] + parts[1]);
    return (x < 0 && !zero ? MINUS : "") + grouped(parts[0]) + (d > 0 ? "," + parts[1] : "");
  }
  function integer(value) { return format(value, 0); }
  function percent(value, fractionDigits) {
    var s = format(value, fractionDigits == null ? 1 : fractionDigits);
    return s === "—" ? s : s + NNBSP + "%";
  }

  var api = { format: format, integer: integer, percent: percent, NNBSP: NNBSP, MINUS: MINUS };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.OtklikRU = api;
})(this);
