// The dashboard's page: lists executions, and shows the selected one live
// from the server's event stream. The server folds the events (the view in
// each message), so this only draws; every value reaches the DOM through
// textContent or attributes, never as HTML.
"use strict";

const listInterval = 3000; // ms between refreshes of the list
const eventLogSize = 200;  // events kept in the page's log

let source = null;   // the EventSource of the selected execution
let selected = "";   // its id
let blockedSeen = new Set(); // sequences of blocked evictions listed

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

// bar draws a progress bar of percent; state colours it.
function bar(percent, state) {
  const b = el("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100",
    "aria-valuenow": String(percent), "data-progress": String(percent), "data-state": state || "" });
  const fill = el("span");
  fill.style.width = percent + "%";
  b.append(fill);
  return b;
}

function setBar(b, percent, state) {
  b.setAttribute("aria-valuenow", String(percent));
  b.setAttribute("data-progress", String(percent));
  b.setAttribute("data-state", state || "");
  b.firstElementChild.style.width = percent + "%";
}

// ---- the list of executions

async function refreshList() {
  try {
    const resp = await fetch("/api/executions");
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.error || resp.statusText);
    drawList(body.executions);
    $("#list-error").hidden = true;
  } catch (err) {
    $("#list-error").textContent = "Cannot list executions: " + err.message;
    $("#list-error").hidden = false;
  }
}

function drawList(executions) {
  const rows = executions.map((e) => {
    const tr = el("tr", { "data-execution-id": e.id, "data-status": e.status,
      "aria-selected": String(e.id === selected) },
      el("td", { class: "id", text: e.id }),
      el("td", { text: e.namespace + "/" + e.nodeGroup }),
      el("td", {}, el("span", { class: "status", "data-status": e.status, text: e.status })),
      el("td", {}, bar(e.progress, e.status === "SUCCEEDED" ? "done" : "")));
    tr.addEventListener("click", () => { location.hash = encodeURIComponent(e.id); });
    return tr;
  });
  $("#executions tbody").replaceChildren(...rows);
}

// ---- the selected execution

function select(id) {
  if (id === selected && source) return;
  if (source) source.close();
  selected = id;
  blockedSeen = new Set();
  $("#events").replaceChildren();
  $("#blocked tbody").replaceChildren();
  $("#blocked-section").hidden = true;
  $("#result").hidden = true;
  $("#execution").hidden = !id;
  document.querySelectorAll("#executions tbody tr").forEach((tr) =>
    tr.setAttribute("aria-selected", String(tr.dataset.executionId === id)));
  if (!id) return;
  // The browser reconnects by itself after a broken stream, sending the
  // last event id it got; the server resumes the watch after it.
  source = new EventSource("/api/executions/" + encodeURIComponent(id) + "/events");
  connection("connecting", "connecting…");
  source.addEventListener("open", () => connection("live", "live"));
  source.addEventListener("state", (m) => drawExecution(JSON.parse(m.data)));
  source.addEventListener("progress", (m) => {
    const u = JSON.parse(m.data);
    drawExecution(u.view);
    logEvent(u.event);
  });
  source.addEventListener("result", (m) => drawResult(JSON.parse(m.data)));
  source.addEventListener("end", () => {
    source.close();
    connection("ended", "execution ended");
    refreshList();
  });
  source.addEventListener("failure", (m) => connection("reconnecting", "reconnecting: " + JSON.parse(m.data).error));
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) connection("failed", "cannot watch " + id);
    else connection("reconnecting", "reconnecting…");
  });
}

function connection(state, text) {
  const c = $("#connection");
  c.dataset.state = state;
  c.textContent = text;
}

function drawExecution(v) {
  const section = $("#execution");
  section.dataset.status = v.status;
  section.dataset.sequence = String(v.sequence);
  $("#execution-id").textContent = v.id;
  $("#execution-group").textContent = v.namespace + "/" + v.nodeGroup;
  const status = $("#execution-status");
  status.textContent = v.status;
  status.dataset.status = v.status;
  setBar($("#overall"), v.progress, v.status === "SUCCEEDED" ? "done" : "");
  $("#overall-text").textContent = v.progress + "%  ·  event " + v.sequence;
  $("#problem").textContent = v.lastProblem || "";
  $("#problem").hidden = !v.lastProblem;
  $("#message").textContent = v.lastMessage || "";
  $("#batches").replaceChildren(...v.batches.map(drawBatch));
  const rb = $("#rollback");
  rb.hidden = !v.rollback;
  if (v.rollback) {
    rb.textContent = "Rollback: " + v.rollback.steps + " steps done, " +
      (v.rollback.failed ? "FAILED, an operator must look" : v.rollback.completed ? "completed" : "running");
  }
}

function drawBatch(b) {
  const label = "Batch " + b.number + (b.phase && b.phase !== "REPLACE" ? " " + b.phase.toLowerCase() : "");
  const state = b.status === "completed" ? "done" : b.status === "failed" ? "failed" : "";
  const head = el("div", { class: "batch-head" }, el("span", { text: label }), bar(b.progress, state),
    el("span", { class: "summary", text: b.status + " · " + b.replaced + "/" + b.nodes.length + " replaced" }));
  return el("div", { class: "batch", "data-batch": String(b.number), "data-status": b.status }, head, ...b.nodes.map(drawNode));
}

function drawNode(n) {
  const state = n.phase === "DONE" ? "done" : (n.phase === "FAILED" || n.phase === "ROLLED_BACK") ? "failed" : "";
  const row = el("div", { class: "node", "data-node": n.name, "data-phase": n.phase },
    el("span", { class: "name", text: n.name }),
    el("span", { class: "phase", "data-phase": n.phase, text: n.phase }),
    bar(n.progress, state));
  const notes = nodeNotes(n);
  if (notes) row.append(el("span", { class: "notes", text: notes }));
  return row;
}

function nodeNotes(n) {
  const notes = [];
  if (n.newNode) notes.push("→ " + n.newNode);
  if (n.replacementRemoved) notes.push("replacement removed");
  if (n.evicted) notes.push(n.evicted + " evicted");
  if (n.rolledOut) notes.push(n.rolledOut + " rolled out");
  if (n.blocked) notes.push(n.blocked + " refused by PDB");
  if (n.forced) notes.push(n.forced + " force-deleted");
  if (n.soak) notes.push(n.soak);
  return notes.join(", ");
}

function logEvent(ev) {
  const log = $("#events");
  log.prepend(el("li", { value: String(ev.sequence), "data-kind": ev.kind },
    el("span", { class: "kind", text: ev.kind }), ev.message));
  while (log.children.length > eventLogSize) log.lastElementChild.remove();
  if (ev.kind === "EVICTION_BLOCKED" && !blockedSeen.has(ev.sequence)) {
    blockedSeen.add(ev.sequence);
    const d = ev.details || {};
    $("#blocked tbody").append(el("tr", { "data-sequence": String(ev.sequence) },
      el("td", { text: String(ev.sequence) }), el("td", { class: "pod", text: d.pod || "" }),
      el("td", { class: "pdb", text: d.pdb || "" }), el("td", { text: d.node || ev.node || "" }),
      el("td", { text: ev.time ? new Date(ev.time).toLocaleTimeString() : "" })));
    $("#blocked-section").hidden = false;
  }
}

function drawResult(r) {
  const box = $("#result");
  box.dataset.status = r.status;
  const field = (name, text) => { box.querySelector('[data-field="' + name + '"]').textContent = text; };
  field("status", r.status + (r.statusMessage ? " (" + r.statusMessage + ")" : ""));
  field("nodesReplaced", r.nodesReplaced + " of " + r.nodesTotal);
  field("nodesFailed", String(r.nodesFailed));
  field("savings", dollars(r.savingsCents) + "/month");
  field("duration", r.duration);
  field("pdbViolations", String(r.pdbViolations));
  field("orphanVMs", String(r.orphanVMs));
  $("#result-errors").replaceChildren(...r.errors.map((e) => el("li", { text: e })));
  box.hidden = false;
}

function dollars(cents) {
  const sign = cents < 0 ? "-" : "";
  return sign + "$" + (Math.abs(cents) / 100).toFixed(2);
}

// ---- start

function fromHash() { select(decodeURIComponent(location.hash.slice(1))); }

window.addEventListener("hashchange", fromHash);
refreshList();
setInterval(refreshList, listInterval);
fromHash();
