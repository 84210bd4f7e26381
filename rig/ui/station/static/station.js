// The station page: renders the board's snapshots streamed from /api/events; acts through small POSTs.
"use strict";

const state = { config: { colours: {}, unknown_colour: "#616161", pin_required: false, slots: 1 }, snapshot: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.append(child);
  return node;
}

function pin() { return sessionStorage.getItem("rig-pin") || ""; }

async function act(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Station-Pin": pin() },
    body: JSON.stringify(body || {}),
  });
  let data = {};
  try { data = await response.json(); } catch (_) { /* no body */ }
  return { ok: response.ok, status: response.status, data };
}

// Colours and duration texts come from the rig (/api/config, the snapshots): the page keeps no copy of either.
function colour(disposition) { return state.config.colours[disposition] || state.config.unknown_colour; }

function ledStrip(led) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "led");
  svg.setAttribute("viewBox", "0 0 300 34");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("data-testid", "led-strip");
  if (!led) return svg;
  const x = (ago) => 300 * (1 - ago / led.window_s);
  const y = (level) => (level ? 4 : 30);
  let level = led.initial, points = [`0,${y(level)}`];
  for (const [ago, next] of led.edges) {
    points.push(`${x(ago).toFixed(1)},${y(level)}`, `${x(ago).toFixed(1)},${y(next)}`);
    level = next;
  }
  points.push(`300,${y(level)}`);
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", points.join(" "));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "#ffe066");
  line.setAttribute("stroke-width", "2");
  svg.append(line);
  return svg;
}

function tile(slot) {
  const node = el("article", { class: `tile ${slot.state}`, "data-testid": `slot-${slot.slot}` });
  node.dataset.state = slot.state;
  node.append(el("div", { class: "top" },
    el("span", { class: "serial", "data-testid": "serial" }, slot.serial || "empty"),
    el("span", { class: "slotno" }, `slot ${slot.slot}`)));
  if (slot.state === "empty") {
    node.append(el("div", { class: "step" }, "free: scan the next camera"));
    return node;
  }
  node.append(el("div", { class: "model" }, [slot.model, slot.pattern ? `LED ${slot.pattern}` : ""].filter(Boolean).join(" · ")));
  if (slot.state !== "done") {
    const step = slot.state === "waiting_operator" ? "waiting for the operator" : (slot.step || "");
    node.append(el("div", { class: "step", "data-testid": "step" }, step + (slot.step_detail ? `: ${slot.step_detail}` : "")));
    if (slot.countdown) {
      const done = slot.countdown.total_s ? 100 * (1 - slot.countdown.remaining_s / slot.countdown.total_s) : 0;
      node.append(el("div", { class: "countdown", "data-testid": "countdown" },
        el("span", {}, slot.countdown.label),
        el("div", { class: "bar" }, el("div", { style: `width:${done.toFixed(0)}%` })),
        el("span", {}, `${slot.countdown.remaining_text} left`)));
    }
  }
  node.append(ledStrip(slot.led));
  if (slot.battery) {
    const b = slot.battery, parts = [];
    if (b.open_circuit_v !== undefined) parts.push(`open ${b.open_circuit_v.toFixed(2)} V`);
    if (b.loaded_v !== undefined) parts.push(`loaded ${b.loaded_v.toFixed(2)} V`);
    if (b.internal_resistance_ohm !== undefined) parts.push(`R ${b.internal_resistance_ohm.toFixed(2)} Ω`);
    node.append(el("div", { class: "figures", "data-testid": "battery" }, parts.join("  ")));
  }
  if (slot.disposition) {
    const verdict = el("div", { class: "verdict", "data-testid": "disposition" },
      slot.disposition + (slot.fixed_by ? ` · ${slot.fixed_by}` : ""));
    verdict.style.background = colour(slot.disposition);
    node.style.borderTopColor = verdict.style.background;
    node.append(verdict, el("div", { class: "reason", "data-testid": "reason" }, slot.reason || ""));
  }
  return node;
}

function prompt(p, first) {
  const answer = async (value) => {
    const result = await act(`/api/prompts/${p.id}`, { answer: value });
    if (!result.ok) showScan(result.data.error || `refused (${result.status})`, true);
  };
  const done = el("button", { class: "done", type: "button", "data-testid": "prompt-done" }, "Done");
  done.addEventListener("click", () => answer("done"));
  const cant = el("button", { class: "cant", type: "button", "data-testid": "prompt-cant" }, "Can't");
  cant.addEventListener("click", () => answer("cant"));
  const node = el("div", { class: "prompt", "data-testid": `prompt-${p.id}` },
    el("img", { src: p.image, alt: p.title }),
    el("div", {},
      el("h2", {}, el("span", { class: "who", "data-testid": "prompt-slot" }, `Slot ${p.slot} · ${p.serial}: `), p.title),
      el("p", {}, p.instructions),
      el("div", { class: "left", "data-testid": "prompt-left" }, `${p.remaining_text} left`)),
    el("div", { class: "buttons" }, done, cant));
  node.dataset.slot = p.slot;
  if (!first) node.title = "queued: answer the prompt above first";
  return node;
}

function render(snapshot) {
  state.snapshot = snapshot;
  const slots = document.getElementById("slots");
  const count = snapshot.slots.length;
  slots.style.setProperty("--cols", count === 1 ? 1 : count <= 4 ? 2 : 4);
  slots.replaceChildren(...snapshot.slots.map(tile));
  const prompts = document.getElementById("prompts");
  prompts.replaceChildren(...snapshot.prompts.map((p, i) => prompt(p, i === 0)));
  const s = snapshot.summary;
  const counts = Object.entries(s.dispositions).map(([k, v]) => `${k}: ${v}`).join("  ");
  const waiting = s.waiting_scans.length ? `  ·  scanned, waiting for a slot: ${s.waiting_scans.join(", ")}` : "";
  const over = s.batch_over ? "  ·  batch over" : s.stopping ? "  ·  stopping" : "";
  document.getElementById("summary").textContent = `finished ${s.finished}${counts ? "  ·  " + counts : ""}${waiting}${over}`;
  const notice = document.getElementById("notice");
  notice.textContent = s.notice || "";
  notice.hidden = !s.notice;
}

async function renderFinished() {
  const response = await fetch("/api/cameras");
  if (!response.ok) return;
  const rows = (await response.json()).map((c) => {
    const disposition = el("td", {}, c.disposition);
    disposition.style.color = colour(c.disposition);
    return el("tr", {}, el("td", {}, String(c.slot)), el("td", {}, c.serial), el("td", {}, c.model || ""),
      disposition, el("td", {}, c.fixed_by || ""), el("td", { "data-testid": "bench-time" }, c.duration_text));
  });
  document.querySelector("#finished tbody").replaceChildren(...rows.reverse());
}

function showScan(text, bad) {
  const node = document.getElementById("scan-result");
  node.textContent = text;
  node.classList.toggle("bad", Boolean(bad));
}

function connect() {
  const source = new EventSource("/api/events");
  let finishedSeen = -1;
  source.addEventListener("board", (event) => {
    document.getElementById("offline").hidden = true;
    const snapshot = JSON.parse(event.data);
    render(snapshot);
    if (snapshot.summary.finished !== finishedSeen) {
      finishedSeen = snapshot.summary.finished;
      renderFinished();
    }
  });
  source.onerror = () => { document.getElementById("offline").hidden = false; };
}

async function init() {
  const response = await fetch("/api/config");
  state.config = await response.json();
  if (state.config.pin_required) {
    const box = document.getElementById("pin-box");
    box.hidden = false;
    const field = document.getElementById("pin");
    field.value = pin();
    field.addEventListener("change", () => sessionStorage.setItem("rig-pin", field.value));
  }
  if (state.config.report_url) {
    const link = document.getElementById("report-link");
    link.href = state.config.report_url;
    link.hidden = false;
  }
  document.getElementById("scan-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const field = document.getElementById("scan");
    const serial = field.value.trim();
    field.value = "";
    if (!serial) return;
    const result = await act("/api/scan", { serial });
    showScan(result.ok ? `${result.data.serial}: queued` : (result.data.error || `refused (${result.status})`), !result.ok);
    field.focus();
  });
  const stop = document.getElementById("stop");
  stop.addEventListener("click", async () => {
    if (!stop.classList.contains("armed")) {
      stop.classList.add("armed");
      stop.textContent = "Really stop?";
      setTimeout(() => { stop.classList.remove("armed"); stop.textContent = "Stop"; }, 4000);
      return;
    }
    const result = await act("/api/stop");
    stop.textContent = result.ok ? "Stopping…" : "Stop (PIN?)";
  });
  connect();
}

init();
