// embtool explorer: plain JavaScript, no build step and no dependency. The map draws every point
// into one ImageData (a pixel buffer) and only a few hundred labels with fillText, so 100,000
// points redraw in a few milliseconds; clicks find the nearest point through a uniform grid.
"use strict";

const $ = (id) => document.getElementById(id);
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#e377c2",
  "#8c564b", "#bcbd22", "#393b79", "#637939", "#843c39"];
const PLAIN = "#6b7a99";
const FONT_STACK = getComputedStyle(document.documentElement).getPropertyValue("--fonts") || "sans-serif";
const HAN = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]/;

// -- API -------------------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, payload) {
    super(payload && payload.error ? payload.error : `HTTP ${status}`);
    this.status = status;
    this.payload = payload || {};
  }
}

async function api(path, params, body) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    for (const v of [].concat(value)) url.searchParams.append(key, v);
  }
  const init = body === undefined ? {} : {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(url, init);
  let payload = null;
  try { payload = await response.json(); } catch (e) { payload = null; }
  if (!response.ok) throw new ApiError(response.status, payload);
  return { status: response.status, data: payload };
}

function showError(box, error, retry) {
  box.className = "message error";
  box.textContent = error.message;
  const suggestions = error.payload && error.payload.suggestions;
  if (suggestions && retry) {
    for (const list of Object.values(suggestions)) {
      for (const word of list) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "suggestion";
        b.textContent = word;
        b.addEventListener("click", () => retry(word));
        box.append(" ", b);
      }
    }
  }
}

function say(box, text) {
  box.className = "message";
  box.textContent = text;
}

function fillResults(list, items) {
  list.replaceChildren();
  for (const item of items) {
    const li = document.createElement("li");
    const word = document.createElement("span");
    word.className = "word";
    word.textContent = item.word;
    word.addEventListener("click", () => showNeighbors(item.word));
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = item.score.toFixed(4);
    li.append(word, score);
    list.append(li);
  }
}

// -- neighbours and completion ---------------------------------------------------------------------
let shownWord = null;

async function showNeighbors(word) {
  $("search").value = word;
  shownWord = word;
  clearTimeout(completionTimer);
  hideCompletions();
  const box = $("message");
  say(box, "…");
  try {
    const { data } = await api("/api/neighbors", { word, k: $("k").value || 10 });
    const record = data[0];
    say(box, record.word === record.query ? `nearest to ${record.word}`
      : `'${record.query}' is not in the vectors; using '${record.word}'`);
    fillResults($("neighbors"), record.neighbors);
    map.select(record.word, record.neighbors.map((n) => n.word));
  } catch (error) {
    $("neighbors").replaceChildren();
    showError(box, error, showNeighbors);
  }
}

let completionTimer = 0;
let completionActive = -1;

function hideCompletions() {
  $("completions").hidden = true;
  completionActive = -1;
}

async function complete() {
  const prefix = $("search").value.trim();
  if (!prefix || prefix === shownWord) { hideCompletions(); return; }
  try {
    const { data } = await api("/api/complete", { prefix, limit: 12 });
    if ($("search").value.trim() !== prefix || prefix === shownWord) return;
    const list = $("completions");
    list.replaceChildren();
    const words = data.completions.length ? data.completions : data.suggestions;
    for (const word of words) {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.textContent = word;
      li.addEventListener("mousedown", (e) => { e.preventDefault(); showNeighbors(word); });
      list.append(li);
    }
    completionActive = -1;
    list.hidden = words.length === 0;
  } catch (error) {
    hideCompletions();
  }
}

function moveCompletion(step) {
  const items = [...$("completions").children];
  if (!items.length || $("completions").hidden) return false;
  completionActive = (completionActive + step + items.length) % items.length;
  items.forEach((li, i) => li.setAttribute("aria-selected", String(i === completionActive)));
  return true;
}

// -- analogy ---------------------------------------------------------------------------------------
async function solveAnalogy() {
  const a = $("a").value.trim() || $("a").placeholder;
  const b = $("b").value.trim() || $("b").placeholder;
  const c = $("c").value.trim() || $("c").placeholder;
  const box = $("analogy-message");
  say(box, "…");
  try {
    const { data } = await api("/api/analogy", { a, b, c, k: 5 });
    const r = data[0];
    say(box, `${r.words[0]} − ${r.words[1]} + ${r.words[2]} =`);
    fillResults($("answers"), r.answers);
  } catch (error) {
    $("answers").replaceChildren();
    showError(box, error, null);
  }
}

// -- the map ---------------------------------------------------------------------------------------
class WordMap {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.n = 0;
    this.words = [];
    this.index = new Map();
    this.selected = -1;
    this.highlight = new Set();
    this.scale = 1;
    this.cx = 0;
    this.cy = 0;
    this.pending = false;
    this.lastDraw = 0;
    this.listen();
    new ResizeObserver(() => this.resize()).observe(canvas);
  }

  load(record) {
    const pts = record.points;
    const n = pts.length;
    this.n = n;
    this.xs = new Float32Array(n);
    this.ys = new Float32Array(n);
    this.groupOf = new Uint16Array(n);
    this.words = new Array(n);
    this.index = new Map();
    const groups = new Map();
    for (let i = 0; i < n; i++) {
      const p = pts[i];
      this.xs[i] = p.x;
      this.ys[i] = -p.y; // y up, as in the plot
      this.words[i] = p.word;
      this.index.set(p.word, i);
      let g = 0;
      if (p.group !== null) {
        if (!groups.has(p.group)) groups.set(p.group, groups.size + 1);
        g = groups.get(p.group);
      }
      this.groupOf[i] = g;
    }
    this.groups = [...groups.keys()];
    this.colors = [PLAIN, ...this.groups.map((_, i) => PALETTE[i % PALETTE.length])];
    this.rgba = new Uint32Array(this.colors.map(hexToAbgr));
    this.selected = -1;
    this.highlight = new Set();
    this.widths = null;
    this.buildGrid();
    this.fit();
    this.hasHan = this.words.some((w) => HAN.test(w));
    this.draw();
    if (!this.hasHan) return null;
    // canvas text does not wait for web fonts: load the CJK face, then draw again (a failed
    // load leaves the installed fonts, which is no reason to fail the map)
    return document.fonts.load("12px EmbtoolCJK", "中文").then(() => {
      this.widths = null;
      this.draw();
    }, () => null);
  }

  // uniform grid over the points, for the nearest point to a click in O(points per cell)
  buildGrid() {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < this.n; i++) {
      const x = this.xs[i], y = this.ys[i];
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
    if (!this.n) { x0 = y0 = -1; x1 = y1 = 1; }
    const side = Math.max(1, Math.ceil(Math.sqrt(this.n / 4)));
    this.bounds = { x0, x1, y0, y1 };
    this.gridSide = side;
    this.cellW = (x1 - x0 || 1) / side;
    this.cellH = (y1 - y0 || 1) / side;
    const cellOf = new Int32Array(this.n);
    const counts = new Int32Array(side * side + 1);
    for (let i = 0; i < this.n; i++) {
      const c = this.cellAt(this.xs[i], this.ys[i]);
      cellOf[i] = c;
      counts[c + 1]++;
    }
    for (let c = 0; c < side * side; c++) counts[c + 1] += counts[c];
    const fill = counts.slice(0, side * side);
    const items = new Int32Array(this.n);
    for (let i = 0; i < this.n; i++) items[fill[cellOf[i]]++] = i;
    this.cellStart = counts;
    this.cellItems = items;
  }

  cellAt(x, y) {
    const s = this.gridSide;
    const cx = Math.min(s - 1, Math.max(0, Math.floor((x - this.bounds.x0) / this.cellW)));
    const cy = Math.min(s - 1, Math.max(0, Math.floor((y - this.bounds.y0) / this.cellH)));
    return cy * s + cx;
  }

  nearest(sx, sy, radiusPx = 10) {
    if (!this.n) return -1;
    const [x, y] = this.toData(sx, sy);
    const r = radiusPx / this.scale;
    const s = this.gridSide;
    const ix0 = Math.max(0, Math.floor((x - r - this.bounds.x0) / this.cellW));
    const ix1 = Math.min(s - 1, Math.floor((x + r - this.bounds.x0) / this.cellW));
    const iy0 = Math.max(0, Math.floor((y - r - this.bounds.y0) / this.cellH));
    const iy1 = Math.min(s - 1, Math.floor((y + r - this.bounds.y0) / this.cellH));
    let best = -1, bestD = r * r;
    for (let iy = iy0; iy <= iy1; iy++) {
      for (let ix = ix0; ix <= ix1; ix++) {
        const c = iy * s + ix;
        for (let j = this.cellStart[c]; j < this.cellStart[c + 1]; j++) {
          const i = this.cellItems[j];
          const dx = this.xs[i] - x, dy = this.ys[i] - y, d = dx * dx + dy * dy;
          if (d <= bestD) { bestD = d; best = i; }
        }
      }
    }
    return best;
  }

  fit() {
    const { x0, x1, y0, y1 } = this.bounds;
    const w = this.canvas.clientWidth || 800, h = this.canvas.clientHeight || 600;
    this.scale = 0.92 * Math.min(w / (x1 - x0 || 1), h / (y1 - y0 || 1));
    this.cx = (x0 + x1) / 2;
    this.cy = (y0 + y1) / 2;
  }

  toScreen(x, y) {
    return [(x - this.cx) * this.scale + this.canvas.clientWidth / 2,
      (y - this.cy) * this.scale + this.canvas.clientHeight / 2];
  }

  toData(sx, sy) {
    return [(sx - this.canvas.clientWidth / 2) / this.scale + this.cx,
      (sy - this.canvas.clientHeight / 2) / this.scale + this.cy];
  }

  // screen position of a word (CSS pixels, relative to the canvas) or null
  position(word) {
    const i = this.index.get(word);
    return i === undefined ? null : this.toScreen(this.xs[i], this.ys[i]);
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.image = null;
      this.request();
    }
  }

  request() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.draw(); });
  }

  draw() {
    const t0 = performance.now();
    const ctx = this.ctx, W = this.canvas.width, H = this.canvas.height;
    const dpr = W / (this.canvas.clientWidth || W);
    if (!this.image || this.image.width !== W || this.image.height !== H) {
      this.image = ctx.createImageData(W, H);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const px = this.pixels;
    px.fill(0);
    const s = this.scale * dpr, ox = W / 2 - this.cx * s, oy = H / 2 - this.cy * s;
    const dot = this.n > 20000 ? 1 : this.n > 2000 ? 2 : this.n > 300 ? 3 : 5;
    // plain points first, grouped ones on top
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < this.n; i++) {
        const g = this.groupOf[i];
        if ((g > 0) !== (pass === 1)) continue;
        const x = (this.xs[i] * s + ox - dot / 2) | 0, y = (this.ys[i] * s + oy - dot / 2) | 0;
        if (x < 0 || y < 0 || x + dot > W || y + dot > H) continue;
        const color = this.rgba[g];
        for (let dy = 0; dy < dot; dy++) {
          const row = (y + dy) * W + x;
          for (let dx = 0; dx < dot; dx++) px[row + dx] = color;
        }
      }
    }
    ctx.putImageData(this.image, 0, 0);
    ctx.save();
    ctx.scale(dpr, dpr);
    this.drawLabels();
    ctx.restore();
    this.lastDraw = performance.now() - t0;
    document.body.dataset.drawMs = this.lastDraw.toFixed(1);
  }

  drawLabels() {
    const ctx = this.ctx, w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    // labels claim the 8 x 8 px cells they cover; a label that would overlap one is skipped.
    // Frequent words come first (row order), so they win the space.
    const cell = 8, cols = Math.ceil(w / cell) + 2, rows = Math.ceil(h / cell) + 4;
    const taken = new Uint8Array(cols * rows);
    const plainFont = `12px ${FONT_STACK}`, boldFont = `bold 13px ${FONT_STACK}`;
    if (!this.widths || this.widths.length !== this.n) this.widths = new Float32Array(this.n).fill(-1);
    const widths = this.widths;
    ctx.textBaseline = "middle";
    const s = this.scale, ox = w / 2 - this.cx * s, oy = h / 2 - this.cy * s;
    const free = (r0, r1, c0, c1) => {
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) if (taken[r * cols + c]) return false;
      }
      return true;
    };
    const claim = (r0, r1, c0, c1) => {
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) taken[r * cols + c] = 1;
    };
    const place = (i, x, y, width) => {
      const r0 = Math.max(0, Math.floor((y - 7) / cell) + 1), r1 = Math.min(rows - 1, Math.floor((y + 7) / cell) + 1);
      const c0 = Math.max(0, Math.floor((x + 4) / cell)), c1 = Math.min(cols - 1, Math.floor((x + 6 + width) / cell));
      return [r0, r1, c0, c1];
    };
    // the selected word and its neighbours: always labelled, in bold, ringed
    ctx.font = boldFont;
    const marks = [this.selected, ...[...this.highlight].map((w2) => this.index.get(w2))];
    for (const i of marks) {
      if (i === undefined || i < 0) continue;
      const x = this.xs[i] * s + ox, y = this.ys[i] * s + oy;
      ctx.beginPath();
      ctx.arc(x, y, i === this.selected ? 6 : 4, 0, 2 * Math.PI);
      ctx.strokeStyle = i === this.selected ? "#000" : "#c2410c";
      ctx.lineWidth = 2;
      ctx.stroke();
      ctx.fillStyle = "#000";
      ctx.fillText(this.words[i], x + 4, y);
      claim(...place(i, x, y, ctx.measureText(this.words[i]).width));
    }
    ctx.font = plainFont;
    let shown = 0;
    const everyLabel = this.n <= 300; // a small chosen set: every word is labelled
    const limit = everyLabel ? this.n : 400;
    for (let i = 0; i < this.n && shown < limit; i++) {
      const x = this.xs[i] * s + ox, y = this.ys[i] * s + oy;
      if (x < -50 || y < 0 || x > w || y > h) continue;
      const [r0, r1, c0] = place(i, x, y, 0);
      if (!everyLabel && !free(r0, r1, c0, c0)) continue; // cheap test before measuring
      if (widths[i] < 0) widths[i] = ctx.measureText(this.words[i]).width;
      const box = place(i, x, y, widths[i]);
      if (!everyLabel && !free(...box)) continue;
      claim(...box);
      ctx.fillStyle = this.groupOf[i] ? this.colors[this.groupOf[i]] : "#334";
      ctx.fillText(this.words[i], x + 4, y);
      shown++;
    }
  }

  select(word, neighbours) {
    const i = this.index.get(word);
    this.selected = i === undefined ? -1 : i;
    this.highlight = new Set(neighbours.filter((w) => this.index.has(w)));
    this.request();
  }

  listen() {
    const c = this.canvas;
    let drag = null;
    c.addEventListener("pointerdown", (e) => {
      drag = { x: e.offsetX, y: e.offsetY, cx: this.cx, cy: this.cy, moved: false };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener("pointermove", (e) => {
      if (drag) {
        const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; c.classList.add("dragging"); }
        if (drag.moved) {
          this.cx = drag.cx - dx / this.scale;
          this.cy = drag.cy - dy / this.scale;
          this.request();
        }
        return;
      }
      const i = this.nearest(e.offsetX, e.offsetY, 8);
      const tip = $("tooltip");
      if (i < 0) { tip.hidden = true; return; }
      tip.textContent = this.words[i] + (this.groupOf[i] ? `  (${this.groups[this.groupOf[i] - 1]})` : "");
      tip.style.left = `${e.offsetX + 12}px`;
      tip.style.top = `${e.offsetY + 10}px`;
      tip.hidden = false;
    });
    c.addEventListener("pointerup", (e) => {
      const clicked = drag && !drag.moved;
      drag = null;
      c.classList.remove("dragging");
      if (!clicked) return;
      const i = this.nearest(e.offsetX, e.offsetY, 10);
      if (i >= 0) showNeighbors(this.words[i]);
    });
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      const [x, y] = this.toData(e.offsetX, e.offsetY);
      const factor = Math.exp(-e.deltaY * 0.0015);
      this.scale *= factor;
      // keep the point under the cursor where it is
      this.cx = x - (x - this.cx) / factor;
      this.cy = y - (y - this.cy) / factor;
      this.request();
    }, { passive: false });
    c.addEventListener("pointerleave", () => { $("tooltip").hidden = true; });
  }
}

function hexToAbgr(hex) {
  const v = parseInt(hex.slice(1), 16);
  const r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0; // ImageData is RGBA bytes, little-endian
}

function mapRequest() {
  const source = $("map-source").value;
  const n = Number($("map-n").value) || 1000;
  const method = $("map-method").value;
  if (source === "top") return { top: n, method };
  if (source === "neighborhood") {
    const word = $("map-word").value.trim() || $("search").value.trim();
    return { neighbors: [word], k: Math.min(n, 200), method };
  }
  const words = [];
  const groups = {};
  for (const line of $("map-words").value.split("\n")) {
    const m = line.match(/^\s*([^:：]+)[:：](.*)$/);
    const members = (m ? m[2] : line).split(/[\s,，]+/).filter(Boolean);
    if (m && members.length) groups[m[1].trim()] = members;
    else words.push(...members);
  }
  return { words, groups, method };
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

async function drawMap(request) {
  const box = $("map-status");
  document.body.dataset.map = "loading";
  say(box, request.method === "tsne" ? "t-SNE: starting…" : "projecting…");
  const t0 = performance.now();
  try {
    let { status, data } = await api("/api/projection", null, request);
    while (status === 202 || (data && data.state && data.state !== "done")) {
      const done = data.total ? ` ${data.done} / ${data.total} ${data.unit}` : "";
      say(box, `${data.stage || "t-SNE"}: ${data.state}${done} (${data.elapsed.toFixed(0)} s)`);
      await sleep(500);
      ({ status, data } = await api(`/api/jobs/${data.job}`));
    }
    const record = data.result || data;
    const fonts = map.load(record);
    if (fonts) await fonts;
    const evr = record.explained_variance_ratio;
    const axes = evr ? ` · PC1 ${(100 * evr[0]).toFixed(1)}%, PC2 ${(100 * evr[1]).toFixed(1)}%` : "";
    const notes = record.notes && record.notes.length ? ` · ${record.notes.join("; ")}` : "";
    say(box, `${record.points.length.toLocaleString()} words, ${record.method.toUpperCase()}${axes}${notes}`);
    const legend = $("legend");
    legend.replaceChildren();
    map.groups.forEach((g, i) => {
      const li = document.createElement("li");
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = map.colors[i + 1];
      li.append(sw, g);
      legend.append(li);
    });
    document.body.dataset.mapMs = (performance.now() - t0).toFixed(0);
    document.body.dataset.points = String(map.n);
    document.body.dataset.map = "ready";
  } catch (error) {
    showError(box, error, null);
    document.body.dataset.map = "failed";
  }
}

// -- start -----------------------------------------------------------------------------------------
const map = new WordMap($("canvas"));
window.explorer = { map, drawMap, showNeighbors };

function syncMapForm() {
  const source = $("map-source").value;
  $("map-word").hidden = source !== "neighborhood";
  $("map-words").hidden = source !== "words";
}

async function start() {
  const params = new URLSearchParams(location.search);
  try {
    const { data } = await api("/api/info");
    $("store").textContent = `${data.name} · ${data.words.toLocaleString()} words × ${data.dim}`;
    $("map-n").max = data.limits.map_points;
    if (data.language === "zh") {
      $("a").placeholder = "国王"; $("b").placeholder = "男人"; $("c").placeholder = "女人";
      $("search").placeholder = "一个词，如 北京";
    }
  } catch (error) {
    showError($("message"), error, null);
  }
  $("search").addEventListener("input", () => {
    shownWord = null;
    clearTimeout(completionTimer);
    completionTimer = setTimeout(complete, 60);
  });
  $("search").addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && moveCompletion(1)) e.preventDefault();
    else if (e.key === "ArrowUp" && moveCompletion(-1)) e.preventDefault();
    else if (e.key === "Escape") hideCompletions();
    else if (e.key === "Enter" && completionActive >= 0) {
      e.preventDefault();
      showNeighbors($("completions").children[completionActive].textContent);
    }
  });
  $("search").addEventListener("blur", () => setTimeout(hideCompletions, 100));
  $("search-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const word = $("search").value.trim();
    if (word) showNeighbors(word);
  });
  $("analogy-form").addEventListener("submit", (e) => { e.preventDefault(); solveAnalogy(); });
  $("map-source").addEventListener("change", syncMapForm);
  $("map-form").addEventListener("submit", (e) => { e.preventDefault(); drawMap(mapRequest()); });
  if (params.has("n")) $("map-n").value = params.get("n");
  if (params.has("method")) $("map-method").value = params.get("method");
  syncMapForm();
  await drawMap(mapRequest());
  if (params.has("word")) showNeighbors(params.get("word"));
}

start();
