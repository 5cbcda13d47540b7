/* repstride dashboard (hand-written, no dependencies, no build step).
 *
 * Talks to the server's own public API with the OAuth token kept in sessionStorage, plus the
 * dashboard's /dashboard/... reads. Pages: "index" (sign-in, upload, list), "video" and
 * "running" (one result). Every request goes to this origin only.
 *
 * One file on purpose (about 700 lines, over the project's ~400): the pages load a single script
 * with no module loader or bundler; the sections below (session, sign-in, upload, list, chart,
 * video result, running result, boot) are independent.
 */
(function () {
  "use strict";

  var KEY = "repstride.session";
  var POLL_MS = 1000;

  // ---- session ---------------------------------------------------------------------------
  function session() {
    try { return JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function saveSession(s) { sessionStorage.setItem(KEY, JSON.stringify(s)); }
  function clearSession() { sessionStorage.removeItem(KEY); }

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function show(node, on) { if (node) node.hidden = !on; }
  function fmt(v, digits) {
    if (v === null || v === undefined || (typeof v === "number" && !isFinite(v))) return "n/a";
    if (typeof v !== "number") return String(v);
    var d = digits === undefined ? (Math.abs(v) >= 100 ? 0 : 1) : digits;
    return v.toFixed(d).replace(/\.0+$/, "");
  }
  function pretty(name) {
    var s = String(name || "").replace(/_/g, " ").toLowerCase();
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function ApiError(status, body) {
    this.status = status;
    this.body = body || {};
    this.message = (body && body.message) || ("HTTP " + status);
  }

  function authHeaders() {
    var s = session();
    return s ? { "Authorization": "Bearer " + s.token } : {};
  }

  function withKey(path) {
    var s = session();
    return path + (path.indexOf("?") >= 0 ? "&" : "?") + "apiKey=" + encodeURIComponent(s ? s.apiKey : "");
  }

  function expired() {
    clearSession();
    window.location.assign("/?expired=1");
  }

  // fetch JSON from this server; 401 ends the session. ``accept`` lists non-2xx statuses whose
  // body is a result, not an error (the Running API answers a failed analysis with 400).
  function api(path, opts, accept) {
    opts = opts || {};
    var headers = Object.assign({}, authHeaders(), opts.headers || {});
    return fetch(path, Object.assign({}, opts, { headers: headers, credentials: "same-origin" }))
      .then(function (r) {
        var ctype = r.headers.get("content-type") || "";
        var body = ctype.indexOf("json") >= 0 ? r.json() : r.text();
        return body.then(function (b) {
          if (r.status === 401 && session()) { expired(); throw new ApiError(401, b); }
          if (!r.ok && !(accept && accept.indexOf(r.status) >= 0)) throw new ApiError(r.status, b);
          return { status: r.status, body: b, headers: r.headers };
        });
      });
  }

  function download(path, fallbackName) {
    var err = $("download-error");
    show(err, false);
    return fetch(path, { headers: authHeaders() }).then(function (r) {
      if (!r.ok) {
        return r.json().then(function (b) { throw new ApiError(r.status, b); },
                             function () { throw new ApiError(r.status, null); });
      }
      var cd = r.headers.get("content-disposition") || "";
      var m = /filename="([^"]+)"/.exec(cd);
      var name = m ? m[1] : fallbackName;
      return r.blob().then(function (blob) {
        var url = URL.createObjectURL(blob);
        var a = el("a", { href: url, download: name });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      });
    }).catch(function (e) {
      err.textContent = "Download failed: " + e.message;
      show(err, true);
    });
  }

  // ---- header ----------------------------------------------------------------------------
  function setupHeader() {
    var s = session();
    var nav = document.querySelector(".account");
    if (s) {
      nav.querySelector(".who").textContent = "Signed in as " + s.clientId;
      show(nav, true);
    }
    var out = document.querySelector("[data-action=sign-out]");
    out.addEventListener("click", function () {
      var s2 = session();
      var done = function () { clearSession(); window.location.assign("/"); };
      if (!s2) { done(); return; }
      api("/dashboard/api-key/revoke", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ apiKey: s2.apiKey })
      }).then(done, done);
    });
  }

  function requireSession() {
    if (!session()) { window.location.assign("/"); return false; }
    return true;
  }

  // ---- sign in ---------------------------------------------------------------------------
  function setupSignIn() {
    var form = $("signin-form");
    var err = $("signin-error");
    if (/[?&]expired=1/.test(window.location.search)) {
      err.textContent = "Your session has ended. Please sign in again.";
      show(err, true);
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      show(err, false);
      var id = $("client-id").value.trim();
      var secret = $("client-secret").value;
      if (!id || !secret) {
        err.textContent = "Enter both the client id and the client secret.";
        show(err, true);
        return;
      }
      var btn = form.querySelector("button[type=submit]");
      btn.disabled = true;
      var body = new URLSearchParams({ grant_type: "client_credentials", client_id: id,
                                       client_secret: secret });
      fetch("/oauth2/token", { method: "POST", body: body })
        .then(function (r) {
          return r.json().then(function (b) {
            if (!r.ok) throw new ApiError(r.status, b);
            return b;
          });
        })
        .then(function (tok) {
          saveSession({ token: tok.access_token, clientId: id,
                        expiresAt: Date.now() + 1000 * tok.expires_in, apiKey: "" });
          return api("/dashboard/api-key", { method: "POST" });
        })
        .then(function (res) {
          var s = session();
          s.apiKey = res.body.apiKey;
          saveSession(s);
          window.location.assign("/");
        })
        .catch(function (e) {
          clearSession();
          btn.disabled = false;
          if (e.body && (e.body.code === "invalid_client")) {
            err.textContent = "Wrong client id or secret. Check both and try again.";
          } else if (e.body && e.body.code === "rate_limited") {
            err.textContent = "Too many sign-in attempts: wait a minute and try again.";
          } else {
            err.textContent = "Sign-in failed: " + e.message;
          }
          show(err, true);
          $("client-secret").focus();
        });
    });
  }

  // ---- upload ----------------------------------------------------------------------------
  function xhrUpload(method, url, form, headers, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      Object.keys(headers || {}).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      xhr.upload.onprogress = function (ev) {
        if (ev.lengthComputable) onProgress(ev.loaded / ev.total);
      };
      xhr.onload = function () {
        var body = null;
        try { body = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (e) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else if (xhr.status === 401 && session()) { expired(); reject(new ApiError(401, body)); }
        else reject(new ApiError(xhr.status, body));
      };
      xhr.onerror = function () { reject(new ApiError(0, { message: "The connection failed." })); };
      xhr.send(form);
    });
  }

  var STAGE_TEXT = {
    upload: "Uploading…", pose: "Finding the body in every frame (pose estimation)…",
    analysis: "Counting and judging the reps…", overlays: "Drawing the annotated video…",
    done: "Done."
  };

  function pollVideo(id, onStage) {
    return new Promise(function (resolve, reject) {
      (function tick() {
        api("/dashboard/videos/" + encodeURIComponent(id)).then(function (res) {
          onStage(res.body);
          if (res.body.stage === "done" || res.body.status === "failed") resolve(res.body);
          else setTimeout(tick, POLL_MS);
        }, reject);
      })();
    });
  }

  function pollRunning(id, onStatus) {
    return new Promise(function (resolve, reject) {
      (function tick() {
        api(withKey("/analysis/" + encodeURIComponent(id) + "/results"), {}, [400])
          .then(function (res) {
            var b = res.body;
            if (res.status === 400 && b.status !== "failed") { reject(new ApiError(400, b)); return; }
            onStatus(b);
            if (b.status === "success" || b.status === "failed") resolve(b);
            else setTimeout(tick, POLL_MS);
          }, reject);
      })();
    });
  }

  function setupUpload(reload) {
    var form = $("upload-form");
    var box = $("upload-status");
    var up = $("upload-progress");
    var an = $("analysis-progress");
    var msg = $("upload-message");
    function which() { return form.querySelector("input[name=api]:checked").value; }
    function toggle() {
      var api_ = which();
      form.querySelectorAll("[data-for]").forEach(function (g) { g.hidden = g.dataset.for !== api_; });
    }
    form.querySelectorAll("input[name=api]").forEach(function (r) { r.addEventListener("change", toggle); });
    toggle();

    function fail(e) {
      msg.textContent = "Failed: " + e.message;
      msg.className = "error";
      form.querySelector("button[type=submit]").disabled = false;
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = $("upload-file").files[0];
      msg.className = "";
      show(box, true);
      up.value = 0;
      an.value = 0;
      if (!file) { fail({ message: "Choose a video file first." }); return; }
      form.querySelector("button[type=submit]").disabled = true;
      msg.textContent = "Uploading…";
      var onProgress = function (f) { up.value = Math.round(100 * f); };
      if (which() === "video") uploadVideo(file, onProgress).catch(fail);
      else uploadRunning(file, onProgress).catch(fail);
    });

    function uploadVideo(file, onProgress) {
      var payload = { filename: file.name, size: file.size };
      var act = $("upload-activity").value;
      var reps = $("upload-reps").value;
      if (act) payload.activity = act;
      if (reps !== "") payload.repCount = parseInt(reps, 10);
      return api("/videos", { method: "POST", headers: { "Content-Type": "application/json" },
                              body: JSON.stringify(payload) })
        .then(function (res) {
          var created = res.body;
          var fd = new FormData();
          Object.keys(created.fields).forEach(function (k) { fd.append(k, created.fields[k]); });
          fd.append("file", file, file.name);
          return xhrUpload("POST", created.url, fd, {}, onProgress).then(function () {
            up.value = 100;
            reload();
            return pollVideo(created.id, function (d) {
              an.value = Math.round(100 * d.fraction);
              msg.textContent = STAGE_TEXT[d.stage] || d.stage;
            }).then(function () { window.location.assign("/ui/videos/" + created.id); });
          });
        });
    }

    function uploadRunning(file, onProgress) {
      var fd = new FormData();
      fd.append("analysis_type", $("upload-view").value);
      fd.append("language", $("upload-language").value);
      if ($("upload-height").value) fd.append("height", $("upload-height").value);
      if ($("upload-weight").value) fd.append("weight", $("upload-weight").value);
      var treadmill = $("upload-treadmill").checked;
      fd.append("treadmill", treadmill ? "true" : "false");
      if (treadmill && $("upload-pace").value) fd.append("pace", $("upload-pace").value.trim());
      fd.append("video", file, file.name);
      return xhrUpload("POST", withKey("/analysis/start"), fd, authHeaders(), onProgress)
        .then(function (started) {
          up.value = 100;
          reload();
          return pollRunning(started.analysis_id, function (b) {
            an.value = b.status === "success" ? 100 : (b.percentage || 0);
            msg.textContent = b.message || b.status;
          }).then(function () { window.location.assign("/ui/running/" + started.analysis_id); });
        });
    }
  }

  // ---- list ------------------------------------------------------------------------------
  function setupList() {
    var page = 1;
    var timer = null;
    var body = $("items-body");
    var filters = $("filter-form");
    var STATUS = { pending: "Pending", analyzing: "Analysing", complete: "Complete", failed: "Failed" };

    function load() {
      if (timer) { clearTimeout(timer); timer = null; }
      var q = new URLSearchParams({ kind: $("filter-kind").value, status: $("filter-status").value,
                                    q: $("filter-q").value.trim(), page: String(page), per_page: "10" });
      return api("/dashboard/items?" + q.toString()).then(function (res) {
        var data = res.body;
        body.textContent = "";
        var busy = false;
        data.items.forEach(function (it) {
          if (it.status === "pending" || it.status === "analyzing") busy = true;
          var status = STATUS[it.status] || it.status;
          if (it.kind === "running" && it.status === "analyzing") status += " " + it.percentage + " %";
          var link = el("a", { href: it.url, text: it.filename || it.id });
          var row = el("tr", { "data-testid": "video-row", "data-kind": it.kind, "data-id": it.id }, [
            el("td", { "data-label": "File" }, [link]),
            el("td", { "data-label": "Type", text: it.kind === "video" ? "Exercise" : "Running" }),
            el("td", { "data-label": "Activity", text: it.activity ? pretty(it.activity) : "—" }),
            el("td", { "data-label": "Status" }, [el("span", { cls: "badge " + it.status, text: status })]),
            el("td", { "data-label": "Reps", cls: "num", text: it.repCount === null || it.repCount === undefined ? "—" : String(it.repCount) }),
            el("td", { "data-label": "Date", text: new Date(it.createdAt * 1000).toLocaleString() })
          ]);
          body.appendChild(row);
        });
        var pages = Math.max(1, Math.ceil(data.total / data.perPage));
        $("page-info").textContent = "Page " + data.page + " of " + pages + " (" + data.total + " items)";
        document.querySelector("[data-action=prev-page]").disabled = data.page <= 1;
        document.querySelector("[data-action=next-page]").disabled = data.page >= pages;
        show($("items-empty"), data.total === 0);
        if (busy) timer = setTimeout(load, 3000);
      });
    }
    filters.addEventListener("submit", function (ev) { ev.preventDefault(); page = 1; load(); });
    filters.querySelectorAll("select").forEach(function (s) {
      s.addEventListener("change", function () { page = 1; load(); });
    });
    var debounce = null;
    $("filter-q").addEventListener("input", function () {
      clearTimeout(debounce);
      debounce = setTimeout(function () { page = 1; load(); }, 300);
    });
    document.querySelector("[data-action=prev-page]").addEventListener("click", function () {
      if (page > 1) { page -= 1; load(); }
    });
    document.querySelector("[data-action=next-page]").addEventListener("click", function () {
      page += 1; load();
    });
    load();
    return load;
  }

  // ---- chart -----------------------------------------------------------------------------
  var SVGNS = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs, text) {
    var n = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) n.textContent = text;
    return n;
  }

  // chart: {label, unit, times_s, values}; bands: [{start_s, end_s, kind: good|bad|none}]
  function drawChart(svg, chart, bands) {
    var W = 800, H = 300, L = 48, R = 12, T = 12, B = 32;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var pts = [];
    chart.times_s.forEach(function (t, i) {
      var v = chart.values[i];
      if (v !== null && v !== undefined) pts.push([t, v]);
    });
    var t0 = chart.times_s.length ? chart.times_s[0] : 0;
    var t1 = chart.times_s.length ? chart.times_s[chart.times_s.length - 1] : 1;
    if (t1 <= t0) t1 = t0 + 1;
    var vs = pts.map(function (p) { return p[1]; });
    var lo = vs.length ? Math.min.apply(null, vs) : 0, hi = vs.length ? Math.max.apply(null, vs) : 180;
    if (hi - lo < 10) { lo -= 5; hi += 5; }
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / 4)));
    [1, 2, 5, 10].some(function (m) { if ((hi - lo) / (step * m) <= 6) { step *= m; return true; } return false; });
    lo = Math.floor(lo / step) * step; hi = Math.ceil(hi / step) * step;
    function x(t) { return L + (W - L - R) * (t - t0) / (t1 - t0); }
    function y(v) { return T + (H - T - B) * (1 - (v - lo) / (hi - lo)); }
    (bands || []).forEach(function (b) {
      var fill = b.kind === "bad" ? "#fbe7e6" : (b.kind === "good" ? "#e3f4e8" : "#eef1f4");
      svg.appendChild(svgEl("rect", { x: x(b.start_s), y: T, width: Math.max(1, x(b.end_s) - x(b.start_s)),
                                      height: H - T - B, fill: fill, "class": "rep-band " + b.kind }));
    });
    for (var v = lo; v <= hi + 1e-9; v += step) {
      svg.appendChild(svgEl("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), "class": "grid-line" }));
      svg.appendChild(svgEl("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", "class": "axis-label" }, fmt(v, 0)));
    }
    var tStep = Math.max(0.5, Math.ceil((t1 - t0) / 8));
    for (var t = Math.ceil(t0); t <= t1 + 1e-9; t += tStep) {
      svg.appendChild(svgEl("text", { x: x(t), y: H - 10, "text-anchor": "middle", "class": "axis-label" }, fmt(t, 1) + " s"));
    }
    var d = "";
    var pen = false;
    chart.times_s.forEach(function (tt, i) {
      var val = chart.values[i];
      if (val === null || val === undefined) { pen = false; return; }
      d += (pen ? "L" : "M") + x(tt).toFixed(1) + " " + y(val).toFixed(1) + " ";
      pen = true;
    });
    var path = svgEl("path", { d: d.trim(), "class": "series" });
    svg.appendChild(path);
    svg.setAttribute("data-points", String(pts.length));
    svg.setAttribute("aria-label", chart.label + " over time, " + fmt(lo, 0) + " to " + fmt(hi, 0) + " " + chart.unit);
    return pts.length;
  }

  function setMedia(videoUri, thumbUri) {
    if (videoUri) {
      var v = $("annotated-video");
      if (v.getAttribute("src") !== videoUri) v.setAttribute("src", videoUri);
      show($("video-figure"), true);
    }
    if (thumbUri) {
      var img = $("thumbnail");
      if (img.getAttribute("src") !== thumbUri) img.setAttribute("src", thumbUri);
      show($("thumb-figure"), true);
    }
  }

  // ---- video result ----------------------------------------------------------------------
  function thresholdText(t) {
    if (!t) return "";
    if (t.goodMin !== null && t.goodMax !== null) return "good " + fmt(t.goodMin) + "–" + fmt(t.goodMax);
    if (t.goodMin !== null) return "good ≥ " + fmt(t.goodMin);
    if (t.goodMax !== null) return "good ≤ " + fmt(t.goodMax);
    return "";
  }

  function repKind(rep) {
    var ops = rep.analyses.map(function (a) { return a.analysisOpinion; }).filter(Boolean);
    if (!ops.length) return "none";
    return ops.indexOf("bad") >= 0 ? "bad" : "good";
  }

  function renderReps(analysis, thresholds) {
    var reps = analysis.reps || [];
    var head = $("reps-head"), rows = $("reps-body");
    head.textContent = ""; rows.textContent = "";
    if (!reps.length) { show($("reps-card"), false); return; }
    var types = [];
    reps.forEach(function (r) {
      r.analyses.forEach(function (a) { if (types.indexOf(a.analysisType) < 0) types.push(a.analysisType); });
    });
    var tr = el("tr", {}, [el("th", { scope: "col", text: "Rep" }), el("th", { scope: "col", text: "Time" })]);
    types.forEach(function (t) {
      var th = el("th", { scope: "col", cls: "num" }, [pretty(t.replace(/_(DEGREES|MS|PERCENTAGE|RATIO)$/, "")) +
        (/_DEGREES$/.test(t) ? " (°)" : /_MS$/.test(t) ? " (ms)" : /_PERCENTAGE$/.test(t) ? " (%)" : "")]);
      var thr = thresholdText(thresholds[t]);
      if (thr) th.appendChild(el("small", { text: thr }));
      tr.appendChild(th);
    });
    head.appendChild(tr);
    reps.forEach(function (r, i) {
      var row = el("tr", { "data-testid": "rep-row" }, [
        el("th", { scope: "row", text: String(i + 1) }),
        el("td", { text: fmt(r.startTimestampMs / 1000, 2) + "–" + fmt(r.endTimestampMs / 1000, 2) + " s" })
      ]);
      types.forEach(function (t) {
        var a = r.analyses.filter(function (x) { return x.analysisType === t; })[0];
        if (!a) { row.appendChild(el("td", { text: "" })); return; }
        var op = a.analysisOpinion;
        var txt = fmt(a.analysisScalar) + (op ? (op === "good" ? " ✓ good" : " ✗ bad") : "");
        row.appendChild(el("td", { cls: "num" + (op ? " " + op : ""), text: txt }));
      });
      rows.appendChild(row);
    });
    show($("reps-card"), true);
  }

  function videoPage(id) {
    var base = "/videos/" + encodeURIComponent(id);
    document.querySelectorAll("[data-download]").forEach(function (b) {
      b.addEventListener("click", function () {
        var kind = b.dataset.download;
        var path = ["trc", "mot", "csv"].indexOf(kind) >= 0 ? base + "/export?format=" + kind : base + "/" + kind;
        download(path, id + "." + (["trc", "mot", "csv"].indexOf(kind) >= 0 ? kind : kind + ".json"));
      });
    });
    var box = $("result-progress");
    function refresh() {
      return Promise.all([api(base + "?include=analysis"), api("/dashboard/videos/" + encodeURIComponent(id))])
        .then(function (res) {
          var v = res[0].body, d = res[1].body;
          $("result-title").textContent = v.filename;
          $("result-sub").textContent = [v.activity ? pretty(v.activity) : "activity to be recognised",
            v.fps ? fmt(v.fps) + " fps" : null].filter(Boolean).join(" · ");
          var a = v.analysis || {};
          if (d.status === "failed") {
            show(box, false);
            var err = $("result-error");
            err.textContent = "The analysis failed: " + (d.reasonText || a.reason || v.reason) +
              " (" + (a.reason || v.reason || "error") + ")";
            show(err, true);
          } else if (d.stage !== "done") {
            show(box, true);
            $("stage-progress").value = Math.round(100 * d.fraction);
            $("stage-message").textContent = STAGE_TEXT[d.stage] || d.stage;
          } else {
            show(box, false);
          }
          if (a.status === "Complete") {
            var n = (a.reps || []).length;
            var rc = $("rep-count");
            rc.textContent = n + (n === 1 ? " rep" : " reps") + " · " + pretty(a.activity || "");
            show(rc, true);
            renderReps(a, d.thresholds || {});
          }
          var all = (v.overlays || {}).all || {};
          setMedia(all.uri || (d.stage === "done" ? v.uri : null), (v.thumbnail || {}).uri);
          if (d.chart) {
            var bands = (a.reps || []).map(function (r) {
              return { start_s: r.startTimestampMs / 1000, end_s: r.endTimestampMs / 1000, kind: repKind(r) };
            });
            var drawn = drawChart($("angle-chart"), d.chart, bands);
            $("chart-title").textContent = pretty(d.chart.label);
            $("chart-desc").textContent = "Degrees over time (180 = straight). Shaded: reps, green = every judged " +
              "analysis good, red = at least one bad, grey = not judged. " + drawn + " points.";
            show($("chart-card"), true);
          }
          if (d.stage !== "done" && d.status !== "failed") setTimeout(refresh, POLL_MS);
        })
        .catch(function (e) {
          var err = $("result-error");
          err.textContent = e.status === 404 ? "No such video." : "Could not load the video: " + e.message;
          show(err, true);
        });
    }
    refresh();
  }

  // ---- running result --------------------------------------------------------------------
  function metricCard(title, value, unit, advice) {
    var card = el("div", { cls: "metric" }, [el("span", { text: title }),
      el("b", { text: fmt(value) + (unit && value !== null && value !== undefined ? " " + unit : "") })]);
    if (advice) card.appendChild(el("p", { text: advice }));
    return card;
  }

  function table(headers, rows) {
    var t = el("table", {}, [el("thead", {}, [el("tr", {}, headers.map(function (h) {
      return el("th", { scope: "col", text: h });
    }))])]);
    var tb = el("tbody");
    rows.forEach(function (r) { tb.appendChild(el("tr", {}, r.map(function (c) { return el("td", { text: c }); }))); });
    t.appendChild(tb);
    return el("div", { cls: "table-wrap" }, [t]);
  }

  function renderRunning(ba, type) {
    var out = $("metrics-body");
    out.textContent = "";
    var titles = ba.titles || {};
    if (type === "side_view") {
      if (ba.total_score !== undefined && ba.total_score !== null) {
        var ts = $("total-score");
        ts.textContent = (titles.total_score || "Score") + ": " + Math.round(100 * ba.total_score) +
          " / 100 — " + (ba.total_score_label || "");
        show(ts, true);
      }
      var grid = el("div", { cls: "metric-grid" });
      Object.keys(ba.metrics || {}).forEach(function (k) {
        var m = ba.metrics[k];
        grid.appendChild(metricCard(m.title || pretty(k), m.value, m.unit, m.advice || m.reason));
      });
      if (ba.overstride) {
        grid.appendChild(metricCard(ba.overstride.title || "Overstride", ba.overstride.angle,
                                    ba.overstride.unit, ba.overstride.advice));
      }
      out.appendChild(el("h3", { text: titles.metrics || "Metrics" }));
      out.appendChild(grid);
      var fl = ba.foot_landing || {};
      if (fl.steps && fl.steps.length) {
        out.appendChild(el("h3", { text: titles.foot_landing || "Foot strikes" }));
        out.appendChild(table(["#", "Side", "Time (s)", "Strike", "Foot angle (°)"], fl.steps.map(function (s) {
          return [String(s.step), pretty(s.side), fmt(s.timestamp_ms / 1000, 2), s.type_label || pretty(s.type), fmt(s.foot_angle)];
        })));
      }
      var ja = ba.joint_angles || {};
      var phases = titles.phases || {};
      var cols = ["touch_down", "mid_stance", "toe_off", "range"];
      if (Object.keys(ja).length) {
        out.appendChild(el("h3", { text: titles.joint_angles || "Joint angles" }));
        out.appendChild(table([""].concat(cols.map(function (c) { return (phases[c] || pretty(c)) + " (°)"; })),
          Object.keys(ja).map(function (k) {
            var j = ja[k];
            return [j.title || pretty(k)].concat(cols.map(function (c) { return fmt(j[c]); }));
          })));
      }
      var styles = ba.running_styles || [];
      if (styles.length) {
        out.appendChild(el("h3", { text: titles.running_styles || "Running style" }));
        out.appendChild(table(["Style", "Match (%)", ""], styles.map(function (s) {
          return [s.title || pretty(s.style), fmt(s.confidence), s.description || ""];
        })));
      }
    } else {
      var gc = ba.gait_cycle || {};
      var means = gc.stance_means || {};
      var sides = Object.keys(means);
      out.appendChild(el("h3", { text: gc.title || titles.gait_cycle || "Gait cycle" }));
      if (sides.length) {
        var names = [];
        sides.forEach(function (s) {
          Object.keys(means[s]).forEach(function (k) {
            if (means[s][k] && typeof means[s][k] === "object" && "value" in means[s][k] && names.indexOf(k) < 0) names.push(k);
          });
        });
        out.appendChild(table([""].concat(sides.map(function (s) { return means[s].title || pretty(s); })),
          names.map(function (k) {
            var first = sides.map(function (s) { return means[s][k]; }).filter(Boolean)[0] || {};
            return [(first.title || pretty(k)) + " (" + (first.unit || "") + ")"].concat(sides.map(function (s) {
              var m = means[s][k];
              return m ? fmt(m.value) + (m.advice ? " — " + m.advice : "") : "n/a";
            }));
          })));
      }
      var steps = gc.steps || [];
      if (steps.length) {
        out.appendChild(el("h3", { text: "Steps" }));
        out.appendChild(table(["#", "Side", "Touch-down (s)", "Toe-off (s)", "Contact (ms)"], steps.map(function (s) {
          return [String(s.step), pretty(s.side), fmt(s.touch_down_ms / 1000, 2),
                  fmt(s.toe_off_ms / 1000, 2), fmt(s.contact_ms)];
        })));
      }
    }
    show($("metrics-card"), true);
  }

  function runningPage(id) {
    var base = "/analysis/" + encodeURIComponent(id) + "/results";
    var langSel = $("result-language");
    function lang() { return langSel.value ? "?language=" + encodeURIComponent(langSel.value) : ""; }
    document.querySelectorAll("[data-download]").forEach(function (b) {
      b.addEventListener("click", function () {
        var kind = b.dataset.download;
        var path = ["trc", "mot", "csv"].indexOf(kind) >= 0 ? base + "/export?format=" + kind
          : base + "/" + (kind === "raw" ? "raw_data" : "calculated_data") + lang();
        download(withKey(path), id + "." + (["trc", "mot", "csv"].indexOf(kind) >= 0 ? kind : kind + ".json"));
      });
    });
    var box = $("result-progress");
    var charted = false;
    function refresh() {
      return api(withKey(base + lang()), {}, [400]).then(function (res) {
        var b = res.body;
        if (res.status === 400 && b.status !== "failed") throw new ApiError(400, b);
        document.documentElement.lang = b.language || "en";
        $("result-sub").textContent = pretty(b.analysis_type) + " · " + (b.language || "");
        if (b.status === "failed") {
          show(box, false);
          var err = $("result-error");
          err.textContent = b.reason + " (" + b.code + ")" + (b.credit_refunded ? " The credit was refunded." : "");
          show(err, true);
          return;
        }
        if (b.status !== "success") {
          show(box, true);
          $("stage-progress").value = b.percentage || 0;
          $("stage-message").textContent = b.message || b.status;
          setTimeout(refresh, POLL_MS);
          return;
        }
        show(box, false);
        var vi = b.video_input_information || {};
        $("result-title").textContent = "Running analysis · " + fmt(vi.duration, 1) + " s";
        setMedia(b.output_video, b.thumbnail);
        if (b.media_reason) { $("media-reason").textContent = b.media_reason; show($("media-reason"), true); }
        if (b.media_status === "pending") {
          // results first: the annotated video is still rendering; it appears on a later poll
          $("media-reason").textContent = "The annotated video is being rendered…";
          show($("media-reason"), true);
          setTimeout(refresh, POLL_MS);
        } else if (!b.media_reason) {
          show($("media-reason"), false);
        }
        renderRunning(b.biomechanical_analysis || {}, b.analysis_type);
        if (!charted) {
          charted = true;
          api("/dashboard/running/" + encodeURIComponent(id) + "/chart").then(function (c) {
            if (!c.body.chart) return;
            var strikes = ((b.biomechanical_analysis || {}).foot_landing || {}).steps || [];
            var bands = strikes.map(function (s) {
              return { start_s: s.timestamp_ms / 1000, end_s: s.timestamp_ms / 1000 + 0.02, kind: "none" };
            });
            var n = drawChart($("angle-chart"), c.body.chart, bands);
            $("chart-title").textContent = pretty(c.body.chart.label);
            $("chart-desc").textContent = "Degrees over time (180 = straight); marks: foot strikes. " + n + " points.";
            show($("chart-card"), true);
          });
        }
      }).catch(function (e) {
        var err = $("result-error");
        err.textContent = e.status === 404 ? "No such analysis." : "Could not load the analysis: " + e.message;
        show(err, true);
      });
    }
    langSel.addEventListener("change", refresh);
    refresh();
  }

  // ---- boot ------------------------------------------------------------------------------
  function boot() {
    var page = document.body.dataset.page;
    setupHeader();
    if (page === "index") {
      if (!session()) {
        show($("signin"), true);
        setupSignIn();
        $("client-id").focus();
        return;
      }
      show($("app"), true);
      var reload = setupList();
      setupUpload(reload);
    } else if (page === "video") {
      if (requireSession()) videoPage(document.body.dataset.itemId);
    } else if (page === "running") {
      if (requireSession()) runningPage(document.body.dataset.itemId);
    }
  }
  document.addEventListener("DOMContentLoaded", boot);
})();
