// narrascope web app: plain DOM, no framework. Article text only ever reaches the page through
// textContent and text nodes, never parsed as markup, so an article cannot inject tags or scripts.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw new Error(body?.detail ? JSON.stringify(body.detail) : response.statusText);
  return body;
}

// ---- one article -----------------------------------------------------------------
function spansOf(doc) {
  const spans = [];
  for (const group of ["narratives", "subnarratives"])
    for (const label of doc.labels[group] || [])
      for (const s of label.evidence) spans.push({start: s.start, end: s.end, cls: "evidence", title: label.name});
  for (const entity of doc.entities || [])
    for (const m of entity.mentions)
      if (m.main_role) spans.push({start: m.start, end: m.end, cls: `ent ${m.main_role.name}`,
                                   title: `${entity.name}: ${m.main_role.name} ${(m.fine_roles || []).map(r => r.name).join(", ")}`});
  for (const s of doc.spans.techniques || []) spans.push({start: s.start, end: s.end, cls: "tech", title: s.label});
  (doc.explanation?.quotes || []).forEach((q, k) => spans.push({start: q.start, end: q.end, cls: "quote", id: `q${k}`,
                                                              title: "quoted in the explanation"}));
  return spans;
}

function renderText(doc) {
  // cut the kept text at every span boundary; each piece carries the classes of the spans over it
  const spans = spansOf(doc);
  const regions = (doc.spans.kept || [{start: 0, end: doc.text.length}]);
  const box = el("div", {class: "text"});
  const anchored = new Set();
  for (const region of regions) {
    const cuts = new Set([region.start, region.end]);
    for (const s of spans) for (const x of [s.start, s.end]) if (x > region.start && x < region.end) cuts.add(x);
    const points = [...cuts].sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const over = spans.filter(s => s.start <= a && s.end >= b);
      const piece = doc.text.slice(a, b);
      if (!over.length) { box.append(document.createTextNode(piece)); continue; }
      const node = el("span", {class: over.map(s => s.cls).join(" "), title: over.map(s => s.title).join("\n"), text: piece});
      for (const s of over) if (s.id && !anchored.has(s.id)) { node.id = s.id; anchored.add(s.id); }
      box.append(node);
    }
  }
  return box;
}

function renderExplanation(doc) {
  const ex = doc.explanation;
  if (!ex) return el("p", {class: "muted", text: "No dominant narrative: the article pushes none of the taxonomy's narratives."});
  const p = el("p");
  let pos = 0;
  ex.quotes.forEach((q, k) => {
    const at = ex.text.indexOf(q.text, pos);
    if (at < 0) return;
    p.append(document.createTextNode(ex.text.slice(pos, at)));
    p.append(el("a", {href: `#q${k}`, text: `“${q.text}${q.label === "cut quote" ? "…" : ""}”`}));
    pos = at + q.text.length + (q.label === "cut quote" ? 1 : 0);
  });
  p.append(document.createTextNode(ex.text.slice(pos)));
  return el("div", {class: "explain"}, el("div", {class: "muted", text: `Dominant narrative: ${ex.subnarrative || ex.narrative}`}), p);
}

function table(headers, rows) {
  const t = el("table", {}, el("thead", {}, el("tr", {}, ...headers.map(h => el("th", {text: h})))));
  const body = el("tbody");
  for (const r of rows) body.append(el("tr", {}, ...r.map(c => c instanceof Node ? el("td", {}, c) : el("td", {text: String(c)}))));
  t.append(body);
  return t;
}

function renderDocument(doc) {
  const card = el("article", {class: "card"});
  card.append(el("h2", {text: doc.title || doc.id || "Article"}));
  card.append(el("div", {class: "muted", text: [doc.language && `language ${doc.language}`, doc.source, doc.date].filter(Boolean).join(" · ")}));
  const narr = [];
  for (const n of doc.labels.narratives || []) {
    narr.push([n.name, n.score.toFixed(2)]);
    for (const s of doc.labels.subnarratives || []) if (s.parent === n.name) narr.push([`  └ ${s.name.slice(n.name.length + 2) || s.name}`, s.score.toFixed(2)]);
  }
  card.append(table(["Narrative / sub-narrative", "score"], narr));
  card.append(renderExplanation(doc));
  const ents = (doc.entities || []).filter(e => e.main_role).map(e => [e.name, `${e.main_role.name}: ${e.fine_roles.map(r => r.name).join(", ")}`, e.mentions.length]);
  if (ents.length) card.append(el("h3", {text: "Actors"}), table(["Entity", "Role", "mentions"], ents));
  // each technique's surest span (highest span confidence; the first on ties)
  const surest = spans => spans.reduce((best, s) => (s.score ?? 0) > (best?.score ?? -1) ? s : best, null);
  const techs = (doc.labels.techniques || []).map(t => [t.name, t.evidence.length, surest(t.evidence)?.text || ""]);
  const genre = doc.labels.genre?.[0];
  if (genre) card.append(el("p", {class: "muted", text: `genre ${genre.name} · frames ${(doc.labels.frames || []).map(f => f.name).join(", ")}`}));
  if (techs.length) card.append(el("h3", {text: "Persuasion techniques"}), table(["Technique", "spans", "surest quote"], techs));
  card.append(el("div", {class: "legend"}, el("span", {class: "evidence", text: "narrative evidence"}),
    el("span", {class: "ent Protagonist", text: "protagonist"}), el("span", {class: "ent Antagonist", text: "antagonist"}),
    el("span", {class: "ent Innocent", text: "innocent"}), el("span", {class: "tech", text: "persuasion technique"}),
    el("span", {class: "quote", text: "quoted in the explanation"})));
  card.append(renderText(doc));
  return card;
}

async function onAnalyze(event) {
  event.preventDefault();
  const status = $("#analyze-status"), button = $("#analyze-button");
  const text = $("#article-text").value.trim(), url = $("#article-url").value.trim();
  const payload = text ? (/^\s*</.test(text) ? {html: text} : {text}) : url ? {url} : null;
  if (!payload) { status.textContent = "Paste a text, upload a file or give a URL."; return; }
  if (url && text) payload.url = url;
  button.disabled = true; status.textContent = "analysing…"; status.className = "";
  try {
    const doc = await api("/analyze", {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(payload)});
    $("#result").replaceChildren(renderDocument(doc));
    status.textContent = "";
    if ($("#store-it").checked) {
      const stored = await api("/documents", {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(payload)});
      status.textContent = `stored (${stored.status})`;
    }
  } catch (err) { status.textContent = `error: ${err.message}`; status.className = "error"; }
  finally { button.disabled = false; }
}

// ---- corpus dashboard --------------------------------------------------------------
let offset = 0, chart = null;
const PAGE = 20;
function filterParams() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($("#filters"))) if (v && k !== "interval") params.set(k, v);
  return params;
}
async function loadCorpus() {
  const params = filterParams();
  for (const a of document.querySelectorAll("#export a")) a.href = `/documents/export?${params}&format=${a.dataset.format}`;
  const page = await api(`/documents?${params}&limit=${PAGE}&offset=${offset}`);
  $("#total").textContent = `(${page.total})`;
  $("#page").textContent = page.total ? `${offset + 1}-${Math.min(offset + PAGE, page.total)} of ${page.total}` : "none";
  $("#prev").disabled = offset === 0; $("#next").disabled = offset + PAGE >= page.total;
  const rows = page.items.map(d => el("tr", {},
    el("td", {text: d.day || ""}), el("td", {}, el("a", {href: `#doc=${encodeURIComponent(d.id)}`, text: d.title || d.external_id || d.id})),
    el("td", {text: d.language || ""}), el("td", {text: d.source || ""}), el("td", {text: d.dominant || (d.narratives[0] || "")})));
  $("#articles tbody").replaceChildren(...rows);
  const interval = new FormData($("#filters")).get("interval") || "day";
  const stats = await api(`/stats/narratives?${params}&interval=${interval}`);
  drawChart(stats);
  const lists = await Promise.all(["Antagonist", "Protagonist", "Innocent"].map(r => api(`/entities?${params}&role=${r}&limit=10`).then(x => [r, x])));
  $("#roles").replaceChildren(...lists.map(([role, items]) => el("div", {}, el("h3", {text: role}),
    table(["Actor", "articles"], items.map(i => [i.name, i.articles])))));
  const names = new Set(stats.map(s => s.narrative));
  $("#narrative-list").replaceChildren(...[...names].map(n => el("option", {value: n})));
}
function drawChart(stats) {
  if (!window.Chart) return;
  const periods = [...new Set(stats.map(s => s.period.slice(0, 10)))].sort();
  const narratives = [...new Set(stats.map(s => s.narrative))].filter(n => n !== "Other");
  const palette = ["#4263eb", "#e8590c", "#2f9e44", "#c2255c", "#7048e8", "#1098ad", "#f08c00", "#5c940d", "#862e9c", "#d9480f"];
  const datasets = narratives.map((n, i) => ({label: n, backgroundColor: palette[i % palette.length],
    data: periods.map(p => stats.filter(s => s.narrative === n && s.period.startsWith(p)).reduce((a, s) => a + s.articles, 0))}));
  if (chart) chart.destroy();
  chart = new Chart($("#prevalence"), {type: "bar", data: {labels: periods, datasets},
    options: {maintainAspectRatio: false, animation: false, scales: {x: {stacked: true}, y: {stacked: true, title: {display: true, text: "articles"}}},
              plugins: {legend: {position: "right", labels: {boxWidth: 10, font: {size: 11}}}}}});
}

// ---- routing: #analyze, #corpus, #doc=ID -------------------------------------------
async function route() {
  const hash = location.hash || "#analyze";
  const corpus = hash === "#corpus";
  $("#view-analyze").hidden = corpus; $("#view-corpus").hidden = !corpus;
  if (corpus) { offset = 0; await loadCorpus().catch(e => $("#total").textContent = `error: ${e.message}`); }
  else if (hash.startsWith("#doc=")) {
    const id = decodeURIComponent(hash.slice(5));
    try { $("#result").replaceChildren(renderDocument(await api(`/documents/${encodeURIComponent(id)}`))); }
    catch (e) { $("#result").replaceChildren(el("p", {class: "error", text: e.message})); }
  }
}
document.addEventListener("DOMContentLoaded", () => {
  $("#analyze-form").addEventListener("submit", onAnalyze);
  $("#article-file").addEventListener("change", async e => { const f = e.target.files[0]; if (f) $("#article-text").value = await f.text(); });
  $("#filters").addEventListener("submit", e => { e.preventDefault(); offset = 0; loadCorpus(); });
  $("#prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); loadCorpus(); });
  $("#next").addEventListener("click", () => { offset += PAGE; loadCorpus(); });
  window.addEventListener("hashchange", route);
  route();
});
