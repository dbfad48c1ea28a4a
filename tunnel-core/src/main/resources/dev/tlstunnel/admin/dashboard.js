// The tls-tunnel dashboard: reads this admin listener's JSON API (a server's /api/server,
// /api/clients and /api/proxies, or a client's /api/status), redraws on every "status" event of
// /api/events and updates rates and the chart on every "tick". Read-only; no external assets.
"use strict";

const state = { side: null, history: [], data: null, lastRender: 0 };
const HISTORY = 60;

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function bytes(n) {
  if (n === null || n === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + " " + units[i];
}

function rate(n) { return bytes(n) + "/s"; }

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "-";
  seconds = Math.max(0, Math.round(seconds));
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24;
  const m = Math.floor(seconds / 60) % 60, s = seconds % 60;
  if (d > 0) return d + "d " + h + "h";
  if (h > 0) return h + "h " + m + "m";
  if (m > 0) return m + "m " + s + "s";
  return s + "s";
}

async function getJson(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}

async function detectSide() {
  state.side = (await getJson("/api/info")).side;
  document.getElementById("side").textContent = state.side;
  document.getElementById("json-link").setAttribute("href", state.side === "server" ? "/api/server" : "/api/status");
}

async function load() {
  if (state.side === "server") {
    const [server, clients, proxies] = await Promise.all([
      getJson("/api/server"), getJson("/api/clients"), getJson("/api/proxies")]);
    state.data = { server, clients: clients.clients, proxies: proxies.proxies };
  } else {
    const status = await getJson("/api/status");
    state.data = { status, proxies: status.proxies, forwarders: status.forwarders, visitors: status.visitors };
  }
  state.lastRender = Date.now();
  render();
}

function card(label, value, id) {
  const c = el("div", { class: "card", id: id });
  c.append(el("div", { class: "label" }, label), el("div", { class: "value", "data-field": id }, value));
  return c;
}

function render() {
  const d = state.data;
  const cards = document.getElementById("overview");
  cards.replaceChildren();
  const total = state.side === "server" ? d.server.stats : d.status.session.stats;
  if (state.side === "server") {
    document.getElementById("version").textContent = "version " + d.server.version;
    cards.append(card("clients", d.server.clients, "clients"));
    const by = d.server.proxies_by_status;
    cards.append(card("proxies healthy / unhealthy / failed",
      by.healthy + " / " + by.unhealthy + " / " + by.bind_failed, "proxy-states"));
  } else {
    document.getElementById("version").textContent = "version " + d.status.session.version;
    cards.append(card("session", d.status.session_state, "session-state"));
    cards.append(card("server", d.status.server, "server"));
  }
  cards.append(card("connections open", total.connections_active, "connections-active"));
  cards.append(card("connections total", total.connections_total, "connections-total"));
  cards.append(card("rate in / out", rate(total.rate_in["1s"]) + " / " + rate(total.rate_out["1s"]), "rates"));
  cards.append(card("bytes in / out", bytes(total.bytes_in) + " / " + bytes(total.bytes_out), "totals"));
  renderProxies(d.proxies);
  if (state.side === "server") renderClients(d.clients); else renderSession(d.status);
  if (state.side === "client") { renderForwarders(d.forwarders); renderVisitors(d.visitors); }
  tickClock();
}

function row(cells) {
  const tr = el("tr");
  for (const c of cells) tr.append(c);
  return tr;
}

function td(value, attrs) { return el("td", attrs || {}, value); }

function num(value, key, field) {
  return td(value, { class: "num", "data-key": key, "data-field": field });
}

function renderProxies(proxies) {
  const body = document.querySelector("#proxies tbody");
  body.replaceChildren();
  for (const p of proxies) {
    const s = p.stats || {};
    const st = el("span", { class: "state " + p.status, "data-key": p.name, "data-field": "status" }, p.status);
    const retry = td("-", { "data-key": p.name, "data-field": "next_retry", "data-at": p.next_retry_at || "" });
    const publish = (p.publish_addr || "") + ":" + (p.bound_port || p.publish_port);
    const tr = row([
      td(p.name, { "data-key": p.name, "data-field": "name" }),
      td(p.client_id || (state.data.status ? state.data.status.client_id : "-")),
      td(publish),
      (() => { const c = td(""); c.append(st); return c; })(),
      td(p.status === "healthy" || p.attempt === null || p.attempt === undefined ? "-" :
        p.attempt + (p.max_retries !== null && p.max_retries !== undefined ? "/" + (p.max_retries + 1) : "")),
      retry,
      td(p.last_error || p.error || "", { class: "err", "data-key": p.name, "data-field": "last_error" }),
      num(s.connections_active, p.name, "connections_active"),
      num(s.connections_total, p.name, "connections_total"),
      num(s.connections_failed_total, p.name, "connections_failed_total"),
      num(rate(s.rate_in ? s.rate_in["1s"] : 0), p.name, "rate_in"),
      num(rate(s.rate_out ? s.rate_out["1s"] : 0), p.name, "rate_out"),
      num(bytes(s.bytes_in), p.name, "bytes_in"),
      num(bytes(s.bytes_out), p.name, "bytes_out"),
    ]);
    tr.setAttribute("data-proxy", p.name);
    body.append(tr);
  }
}

function renderClients(clients) {
  document.getElementById("clients-section").hidden = false;
  const body = document.querySelector("#clients tbody");
  body.replaceChildren();
  for (const c of clients) {
    const tr = row([
      td(c.client_id, { "data-key": c.client_id, "data-field": "client_id" }),
      td(c.remote_address), td(c.client_version), td(c.transport),
      td(c.connected_since ? new Date(c.connected_since).toLocaleString() : "-"),
      td(c.rtt_seconds === null ? "-" : (c.rtt_seconds * 1000).toFixed(2) + " ms"),
      td(c.proxies.join(", ")),
      num(c.stats.connections_active, c.client_id, "connections_active"),
      num(c.stats.connections_total, c.client_id, "connections_total"),
      num(bytes(c.stats.bytes_in), c.client_id, "bytes_in"),
      num(bytes(c.stats.bytes_out), c.client_id, "bytes_out"),
    ]);
    tr.setAttribute("data-client", c.client_id);
    body.append(tr);
  }
}

function renderSession(status) {
  document.getElementById("session-section").hidden = false;
  const s = status.session;
  const body = document.querySelector("#session tbody");
  body.replaceChildren();
  const rows = [
    ["client id", status.client_id], ["server", status.server], ["transport", status.transport],
    ["state", status.session_state], ["server version", s.server_version || "-"],
    ["connected since", s.connected_since ? new Date(s.connected_since).toLocaleString() : "-"],
    ["rtt", s.rtt_seconds === null ? "-" : (s.rtt_seconds * 1000).toFixed(2) + " ms"],
    ["sessions / failures / disconnects", s.connects_total + " / " + s.connect_failures_total + " / " + s.disconnects_total],
    ["last error", status.last_error || "-"],
  ];
  for (const [k, v] of rows) body.append(row([el("th", {}, k), td(v, { "data-field": k })]));
}

function renderForwarders(forwarders) {
  if (!forwarders || forwarders.length === 0) return;
  document.getElementById("forwarders-section").hidden = false;
  const body = document.querySelector("#forwarders tbody");
  body.replaceChildren();
  for (const f of forwarders) {
    const st = el("span", { class: "state " + f.status }, f.status);
    const stCell = td(""); stCell.append(st);
    body.append(row([
      td(f.name), td(f.type), td(f.listen), stCell,
      num(f.active_connections, f.name, "active_connections"),
      num(f.total_connections, f.name, "total_connections"),
      num(f.rejected_connections, f.name, "rejected_connections"),
      num(f.direct, f.name, "direct"), num(f.tunneled, f.name, "tunneled"), num(f.blocked, f.name, "blocked"),
      num(rate(f.rate_in ? f.rate_in["1s"] : 0), f.name, "rate_in"),
      num(rate(f.rate_out ? f.rate_out["1s"] : 0), f.name, "rate_out"),
      num(bytes(f.bytes_in), f.name, "bytes_in"), num(bytes(f.bytes_out), f.name, "bytes_out"),
      td(f.bind_error || f.last_error || "", { class: "err" }),
    ]));
  }
}

function renderVisitors(visitors) {
  if (!visitors || visitors.length === 0) return;
  document.getElementById("visitors-section").hidden = false;
  const body = document.querySelector("#visitors tbody");
  body.replaceChildren();
  for (const v of visitors) {
    const st = el("span", { class: "state " + v.status, "data-key": v.name, "data-field": "status" }, v.status);
    const stCell = td(""); stCell.append(st);
    body.append(row([
      td(v.name), td(v.target), td((v.bind_addr || "") + ":" + v.bind_port), stCell,
      td("-", { "data-key": v.name, "data-field": "next_retry", "data-at": v.next_retry_at || "" }),
      num(v.active_connections, v.name, "active_connections"),
      num(v.total_connections, v.name, "total_connections"),
      td(v.error || v.last_error || "", { class: "err", "data-key": v.name, "data-field": "last_error" }),
    ]));
  }
}

function tickClock() {
  const now = Date.now();
  for (const cell of document.querySelectorAll("[data-field=next_retry]")) {
    const at = cell.getAttribute("data-at");
    cell.textContent = at ? "in " + duration((Date.parse(at) - now) / 1000) : "-";
  }
  const d = state.data;
  if (!d) return;
  const since = state.side === "server" ? d.server.started_at : d.status.session.started_at;
  document.getElementById("uptime").textContent = duration((now - Date.parse(since)) / 1000);
}

function onTick(tick) {
  state.history.push([tick.total.rate_in, tick.total.rate_out]);
  while (state.history.length > HISTORY) state.history.shift();
  drawChart();
  for (const [name, p] of Object.entries(tick.proxies || {})) {
    const set = (field, text) => {
      const c = document.querySelector('[data-key="' + CSS.escape(name) + '"][data-field="' + field + '"]');
      if (c) c.textContent = text;
    };
    set("connections_active", p.connections_active);
    set("connections_total", p.connections_total);
    set("rate_in", rate(p.rate_in));
    set("rate_out", rate(p.rate_out));
    set("bytes_in", bytes(p.bytes_in));
    set("bytes_out", bytes(p.bytes_out));
  }
  // Counts a tick cannot carry (failures, clients) come with a fresh read every few seconds.
  if (Date.now() - state.lastRender > 5000) load().catch(showError);
}

function drawChart() {
  const canvas = document.getElementById("chart");
  const g = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  g.clearRect(0, 0, w, h);
  const max = Math.max(1024, ...state.history.flat());
  document.getElementById("chart-scale").textContent = "· top " + rate(max);
  g.strokeStyle = "#2a3541";
  for (let i = 1; i < 4; i++) { g.beginPath(); g.moveTo(0, (h * i) / 4); g.lineTo(w, (h * i) / 4); g.stroke(); }
  const line = (index, color) => {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    state.history.forEach((v, i) => {
      const x = (w * (i + HISTORY - state.history.length)) / (HISTORY - 1);
      const y = h - 4 - ((h - 8) * v[index]) / max;
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
  };
  line(0, "#58a6ff");
  line(1, "#bc8cff");
}

function showError(e) {
  const live = document.getElementById("live");
  live.className = "off";
  live.textContent = e && e.message ? e.message : "disconnected";
}

function subscribe() {
  const events = new EventSource("/api/events");
  const live = document.getElementById("live");
  events.onopen = () => { live.className = "on"; live.textContent = "live"; };
  events.onerror = () => { live.className = "off"; live.textContent = "reconnecting"; };
  events.addEventListener("status", () => load().catch(showError));
  events.addEventListener("tick", (m) => onTick(JSON.parse(m.data)));
}

async function main() {
  await detectSide();
  await load();
  drawChart();
  subscribe();
  setInterval(tickClock, 1000);
}

main().catch(showError);
