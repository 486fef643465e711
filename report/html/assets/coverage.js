// covkit HTML report: sorting and filtering of the index, line filters and
// keyboard navigation on file pages. No network, works from file://.
"use strict";
(function () {
  var body = document.body;
  function typing(ev) {
    var t = ev.target;
    return ev.ctrlKey || ev.metaKey || ev.altKey || (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA"));
  }

  function indexPage() {
    var table = document.getElementById("files");
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var ths = table.tHead.rows[0].cells;
    var prec = parseInt(body.getAttribute("data-precision") || "0", 10);

    function sortBy(col, dir) {
      for (var i = 0; i < ths.length; i++) ths[i].removeAttribute("aria-sort");
      var th = ths[col];
      if (!dir) dir = th.getAttribute("data-dir") === "ascending" ? "descending" : "ascending";
      th.setAttribute("data-dir", dir);
      th.setAttribute("aria-sort", dir);
      var num = th.className.indexOf("num") >= 0;
      var sign = dir === "ascending" ? 1 : -1;
      var keyed = rows.map(function (r, i) {
        var v = r.cells[col].getAttribute("data-v");
        return { r: r, v: num ? parseFloat(v) : v, n: r.getAttribute("data-filter"), i: i };
      });
      keyed.sort(function (a, b) {
        var c = num ? a.v - b.v : (a.v < b.v ? -1 : a.v > b.v ? 1 : 0);
        if (c === 0) c = a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
        return c * sign;
      });
      keyed.forEach(function (k) { tbody.appendChild(k.r); });
      rows = keyed.map(function (k) { return k.r; });
    }
    for (var i = 0; i < ths.length; i++) {
      (function (col) {
        ths[col].addEventListener("click", function () { sortBy(col); });
      })(i);
    }
    ths[0].setAttribute("data-dir", "ascending");

    var filter = document.getElementById("filter");
    var hide = document.getElementById("hide-covered");
    function fmt(pc) {
      var near0 = Math.pow(10, -prec);
      if (pc > 0 && pc < near0) pc = near0;
      else if (pc < 100 && pc > 100 - near0) pc = 100 - near0;
      return pc.toFixed(prec) + "%";
    }
    function apply() {
      var text = filter.value.toLowerCase();
      var sums = [0, 0, 0, 0, 0, 0], shown = 0;
      rows.forEach(function (r) {
        var n = r.getAttribute("data-n").split(" ").map(Number);
        var covered = n[1] === 0 && n[4] === 0;
        var ok = r.getAttribute("data-filter").toLowerCase().indexOf(text) >= 0 && !(hide.checked && covered);
        r.hidden = !ok;
        if (ok) {
          shown++;
          for (var i = 0; i < 6; i++) sums[i] += n[i];
        }
      });
      document.getElementById("no-rows").hidden = shown > 0;
      var foot = table.tFoot.rows[0].cells;
      var active = text !== "" || hide.checked;
      var vals = [sums[0], sums[1], sums[2]];
      if (foot.length === 7) vals.push(sums[3], sums[5]);
      if (active) {
        for (var i = 0; i < vals.length; i++) foot[i + 1].textContent = vals[i];
        var den = sums[0] + sums[3], num = sums[0] - sums[1] + sums[3] - sums[4];
        foot[foot.length - 1].textContent = fmt(den > 0 ? 100 * num / den : 100);
      } else {
        for (var j = 1; j < foot.length; j++) foot[j].textContent = foot[j].getAttribute("data-orig") || foot[j].textContent;
      }
    }
    var foot = table.tFoot.rows[0].cells;
    for (var k = 1; k < foot.length; k++) foot[k].setAttribute("data-orig", foot[k].textContent);
    filter.addEventListener("input", apply);
    hide.addEventListener("change", apply);
    var keys = { n: "name", s: "stmts", m: "miss", b: "branch", c: "cover" };
    var keyCols = {};
    for (var c = 0; c < ths.length; c++) keyCols[ths[c].getAttribute("data-sort")] = c;
    document.addEventListener("keydown", function (ev) {
      if (typing(ev)) return;
      if (ev.key === "/") { filter.focus(); ev.preventDefault(); return; }
      var col = keyCols[keys[ev.key]];
      if (col !== undefined) sortBy(col);
    });
  }

  function filePage() {
    ["run", "mis", "exc", "par"].forEach(function (c) { body.classList.add("show-" + c); });
    Array.prototype.forEach.call(document.querySelectorAll(".legend button[data-show]"), function (b) {
      b.addEventListener("click", function () {
        var c = b.getAttribute("data-show");
        b.classList.toggle("on");
        body.classList.toggle("show-" + c, b.classList.contains("on"));
      });
    });
    // Chunks: runs of consecutive missing or partial lines.
    var chunks = [];
    var prevLine = -2;
    Array.prototype.forEach.call(document.querySelectorAll("#source .l.mis, #source .l.par"), function (el) {
      var n = parseInt(el.id.slice(1), 10);
      if (n === prevLine + 1) chunks[chunks.length - 1].push(el);
      else chunks.push([el]);
      prevLine = n;
    });
    function current() {
      var m = /^#t(\d+)$/.exec(location.hash);
      return m ? parseInt(m[1], 10) : 0;
    }
    function go(i) {
      if (i < 0 || i >= chunks.length) return;
      Array.prototype.forEach.call(document.querySelectorAll(".l.hl"), function (el) { el.classList.remove("hl"); });
      chunks[i].forEach(function (el) { el.classList.add("hl"); });
      location.hash = "#" + chunks[i][0].id;
    }
    function line(ch) { return parseInt(ch[0].id.slice(1), 10); }
    function next() {
      var at = current();
      for (var i = 0; i < chunks.length; i++) {
        if (line(chunks[i]) > at) return go(i);
      }
    }
    function prev() {
      var at = current();
      for (var i = chunks.length - 1; i >= 0; i--) if (line(chunks[i]) < at) return go(i);
    }
    // A line's contexts are listed when it is opened, from the page's table.
    var ctxData = null;
    document.addEventListener("toggle", function (ev) {
      var d = ev.target;
      if (!d.classList || !d.classList.contains("ctx") || !d.open || d.querySelector("ul")) return;
      if (!ctxData) ctxData = JSON.parse(document.getElementById("contexts").textContent);
      var ul = document.createElement("ul");
      ctxData.sets[parseInt(d.getAttribute("data-c"), 10)].forEach(function (i) {
        var li = document.createElement("li");
        var name = ctxData.names[i];
        if (name === "") {
          var em = document.createElement("i");
          em.textContent = "(empty)";
          li.appendChild(em);
        } else {
          li.textContent = name;
        }
        ul.appendChild(li);
      });
      d.appendChild(ul);
    }, true);
    var btn = document.getElementById("next-missing");
    if (btn) btn.addEventListener("click", next);
    document.addEventListener("keydown", function (ev) {
      if (typing(ev)) return;
      var nav = function (attr) { var p = body.getAttribute(attr); if (p) location.href = p; };
      switch (ev.key) {
        case "j": next(); break;
        case "k": prev(); break;
        case "0": window.scrollTo(0, 0); history.replaceState(null, "", location.pathname); break;
        case "n": nav("data-next"); break;
        case "p": nav("data-prev"); break;
        case "u": location.href = "index.html"; break;
        default: return;
      }
      ev.preventDefault();
    });
  }

  if (body.classList.contains("index")) indexPage();
  else if (body.classList.contains("pyfile")) filePage();
})();
