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
// a technique, frame or genre id as a person reads it: "Name_Calling-Labeling" -> "Name calling / labeling"
function human(name) {
  if (!name || /^(URW|CC): /.test(name) || name === "Other") return name || "";
  const text = name.split("-").map(p => p.replace(/_/g, " ").toLowerCase()).join(" / ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
// an API error as a sentence: the message without its code ("[E100] file: ..." -> "file: ..."); a list of
// validation problems (422) as their messages
function errorText(detail) {
  if (Array.isArray(detail)) return detail.map(d => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`.replace(/^: /, "")).join("; ");
  return String(detail).replace(/^\[E\d{3}\]\s*/, "");
}
async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) {
    if (response.status === 503) throw new Error("The server is busy; try again in a moment.");
    throw new Error(body?.detail ? errorText(body.detail) : response.statusText);
  }
  return body;
}
const SCORE_HELP = "Calibrated probability (0 to 1) that the article pushes this label, from the model's out-of-fold scores";

// ---- one article -----------------------------------------------------------------
// techniques told apart in the text: one fixed colour each, the same as the HTML report's
// (report/persuasion_html.py; a test keeps the two lists equal)
const TECHNIQUE_COLOURS = {
  "Appeal_to_Authority": "#e6194b",
  "Appeal_to_Popularity": "#3cb44b",
  "Appeal_to_Values": "#c9a400",
  "Appeal_to_Fear-Prejudice": "#4363d8",
  "Flag_Waving": "#f58231",
  "Causal_Oversimplification": "#911eb4",
  "False_Dilemma-No_Choice": "#2aa1a1",
  "Consequential_Oversimplification": "#d63ad6",
  "Straw_Man": "#7fa700",
  "Red_Herring": "#c98a8a",
  "Whataboutism": "#008080",
  "Slogans": "#9a6324",
  "Appeal_to_Time": "#8a8200",
  "Conversation_Killer": "#800000",
  "Loaded_Language": "#d1495b",
  "Repetition": "#808000",
  "Exaggeration-Minimisation": "#b5651d",
  "Obfuscation-Vagueness-Confusion": "#000075",
  "Name_Calling-Labeling": "#e4572e",
  "Doubt": "#5f6caf",
  "Guilt_by_Association": "#6b8e23",
  "Appeal_to_Hypocrisy": "#a0522d",
  "Questioning_the_Reputation": "#2f4f4f"
};
function spansOf(doc) {
  const spans = [];
  for (const group of ["narratives", "subnarratives"])
    for (const label of doc.labels[group] || [])
      for (const s of label.evidence) spans.push({start: s.start, end: s.end, cls: "evidence", title: label.name});
  for (const entity of doc.entities || [])  // coloured by the actor's role in the article, as in the actor table
    if (entity.main_role)
      for (const m of entity.mentions)
        spans.push({start: m.start, end: m.end, cls: `ent ${entity.main_role.name}`,
                    title: `${entity.name}: ${entity.main_role.name} (${(entity.fine_roles || []).map(r => r.name).join(", ")})`});
  for (const s of doc.spans.techniques || [])
    spans.push({start: s.start, end: s.end, cls: "tech", colour: TECHNIQUE_COLOURS[s.label] || "#888", title: human(s.label)});
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
      const colours = over.filter(s => s.colour).map(s => s.colour);  // the technique's colour (two or more: doubled)
      if (colours.length) node.style.textDecorationColor = colours[0];
      if (colours.length > 1) node.style.textDecorationStyle = "double";
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
    const link = el("a", {href: `#q${k}`, "data-quote": `q${k}`, text: `“${q.text}${q.label === "cut quote" ? "…" : ""}”`});
    link.addEventListener("click", e => {  // scroll to the quote; the address (#doc=ID, #analyze) stays
      e.preventDefault();
      const target = document.getElementById(`q${k}`);
      if (target) { target.scrollIntoView({block: "center"}); target.classList.add("flash"); setTimeout(() => target.classList.remove("flash"), 1500); }
    });
    p.append(link);
    pos = at + q.text.length + (q.label === "cut quote" ? 1 : 0);
  });
  p.append(document.createTextNode(ex.text.slice(pos)));
  return el("div", {class: "explain"}, el("div", {class: "muted", text: `Dominant narrative: ${ex.subnarrative || ex.narrative}`,
    title: "The narrative the article pushes most: its own score plus half that of its strongest sub-narrative, which can rank it above a narrative with a higher score alone"}), p);
}

function table(headers, rows) {
  const head = headers.map(h => Array.isArray(h) ? el("th", {text: h[0], title: h[1]}) : el("th", {text: h}));
  const t = el("table", {}, el("thead", {}, el("tr", {}, ...head)));
  const body = el("tbody");
  for (const r of rows) body.append(el("tr", {}, ...r.map(c => c instanceof Node ? el("td", {}, c) : el("td", {text: String(c)}))));
  t.append(body);
  return el("div", {class: "table-wrap"}, t);
}

// a technique's name linking to the dashboard's articles that use it
function techniqueLink(name) {
  const loose = name.replace(/[_-]/g, " ").toLowerCase();
  return el("a", {href: `#corpus?${new URLSearchParams({technique: loose})}`, text: human(name),
                  title: `stored articles that use ${human(name).toLowerCase()}`});
}

function renderDocument(doc) {
  const card = el("article", {class: "card"});
  card.append(el("h2", {text: doc.title || doc.id || "Article"}));
  const meta = el("div", {class: "muted", text: [doc.language && `language ${doc.language}`, doc.source, doc.date || "undated"].filter(Boolean).join(" · ")});
  if (/^https?:\/\//i.test(doc.url || "")) meta.append(" · ", el("a", {href: doc.url, rel: "noopener noreferrer", target: "_blank", text: "original article"}));
  card.append(meta);
  // the rows the terminal summary and the HTML report show, in their order (the API's view: report/view.py)
  const view = doc.view;  // every endpoint that returns an analysis sends it
  if (!view) {
    card.append(el("p", {class: "error", text: "This analysis came without what a reader is shown of it: reload the page; if it stays, the server is older than this page."}));
    return card;
  }
  const narr = [];
  for (const row of view.narratives) {
    narr.push([row.sub ? `  └ ${row.shown}` : row.shown, row.score.toFixed(2)]);
    if (row.example) narr.push([el("span", {class: "muted", text: `  closest example: “${row.example.length > 160 ? row.example.slice(0, 159) + "…" : row.example}”`}), ""]);
  }
  if (narr.length) card.append(table(["Narrative / sub-narrative", ["score", SCORE_HELP]], narr));
  else card.append(el("p", {class: "muted", text: "No narrative of the taxonomy found in this article."}));
  card.append(renderExplanation(doc));
  const ents = view.actors.map(a => [a.name, `${a.role}: ${a.fine_roles.join(", ")}`, a.mentions]);
  if (ents.length) card.append(el("h3", {text: "Actors"}), table(["Entity", "Role", "mentions"], ents));
  // each technique's surest span (highest span confidence; the first on ties)
  const surest = spans => spans.reduce((best, s) => (s.score ?? 0) > (best?.score ?? -1) ? s : best, null);
  const techs = (doc.labels.techniques || []).map(t => [techniqueLink(t.name), t.evidence.length, surest(t.evidence)?.text || ""]);
  const genre = doc.labels.genre?.[0];
  if (genre) card.append(el("p", {class: "muted", text: `genre ${human(genre.name)} · frames ${(doc.labels.frames || []).map(f => human(f.name)).join(", ")}`}));
  if (techs.length) card.append(el("h3", {text: "Persuasion techniques"}), table(["Technique", "spans", "surest quote"], techs));
  card.append(el("div", {class: "legend"}, el("span", {class: "evidence", text: "narrative evidence"}),
    el("span", {class: "ent Protagonist", text: "protagonist"}), el("span", {class: "ent Antagonist", text: "antagonist"}),
    el("span", {class: "ent Innocent", text: "innocent"}), el("span", {class: "quote", text: "quoted in the explanation"}),
    ...(doc.labels.techniques || []).map(t => {  // each technique underlined in its own colour
      const chip = el("span", {class: "chip tech", text: human(t.name)});
      chip.style.borderColor = chip.style.textDecorationColor = TECHNIQUE_COLOURS[t.name] || "#888";
      return chip;
    })));
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
    const post = {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(payload)};
    if ($("#store-it").checked) {  // one request: the page is fetched and analysed once, then read back
      const stored = await api("/documents", post);
      $("#result").replaceChildren(renderDocument(await api(`/documents/${encodeURIComponent(stored.id)}`)));
      status.textContent = `stored (${stored.status})`;
    } else {
      $("#result").replaceChildren(renderDocument(await api("/analyze", post)));
      status.textContent = "";
    }
  } catch (err) { status.textContent = `error: ${err.message}`; status.className = "error"; }
  finally { button.disabled = false; }
}

// ---- corpus dashboard --------------------------------------------------------------
// The dashboard's state (filters, interval, page) lives in the address, #corpus?entity=putin&offset=20:
// reload, back and a shared link give the same view.
const PAGE = 20;
let chart = null;
function corpusState() {
  const query = location.hash.startsWith("#corpus?") ? location.hash.slice("#corpus?".length) : "";
  return new URLSearchParams(query);
}
function goCorpus(params) {
  const query = params.toString();
  const hash = query ? `#corpus?${query}` : "#corpus";
  if (location.hash !== hash) location.hash = hash; else loadCorpus();
}
function formState() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($("#filters"))) if (v && !(k === "interval" && v === "day")) params.set(k, v.trim());
  const sort = validSort(corpusState().get("sort"));  // the table's order is kept when filters change
  if (sort !== "-date") params.set("sort", sort);
  return params;
}
const ARTICLE_SORTS = ["date", "title", "language", "source", "dominant"];
function validSort(sort) {  // an unknown order (a mistyped or old link) reads as the default, newest first
  return sort && ARTICLE_SORTS.includes(sort.replace(/^-/, "")) ? sort : "-date";
}
// A header click sorts the articles by that column (on the server: every page, not just this one);
// a second click reverses it. Dates start newest first, the rest A to Z.
function sortBy(key) {
  const current = validSort(corpusState().get("sort"));
  const next = current === key ? `-${key}` : current === `-${key}` ? key : key === "date" ? "-date" : key;
  const params = formState();
  if (next === "-date") params.delete("sort"); else params.set("sort", next);
  params.delete("offset");
  goCorpus(params);
}
function showSort(sort) {
  for (const th of document.querySelectorAll("#articles th[data-sort]")) {
    const key = th.dataset.sort;
    if (sort === key) th.setAttribute("aria-sort", "ascending");
    else if (sort === `-${key}`) th.setAttribute("aria-sort", "descending");
    else th.removeAttribute("aria-sort");
  }
}
function setFilter(name, value) {
  const params = formState();
  params.set(name, value);
  params.delete("offset");
  goCorpus(params);
}
let corpusLoads = 0;  // a newer load (a click while one is loading) makes the older one stop before it draws
async function loadCorpus() {
  const load = ++corpusLoads, stale = () => load !== corpusLoads;
  const shown = location.hash, state = corpusState();
  const language = $("#filters select[name=language]"), wanted = state.get("language");
  if (wanted && ![...language.options].some(o => o.value === wanted))  // before the stored languages arrive
    language.append(el("option", {value: wanted, text: wanted}));
  for (const field of $("#filters").elements) if (field.name) field.value = state.get(field.name) || (field.name === "interval" ? "day" : "");
  const offset = Math.max(0, parseInt(state.get("offset") || "0", 10) || 0);
  const params = new URLSearchParams(state);
  params.delete("offset"); params.delete("interval");
  const sort = validSort(params.get("sort"));
  params.delete("sort");  // the filters alone, for the export, the chart and the actors
  showSort(sort);
  for (const a of document.querySelectorAll("#export a")) a.href = `/documents/export?${params}&format=${a.dataset.format}`;
  const page = await api(`/documents?${params}&limit=${PAGE}&offset=${offset}&sort=${encodeURIComponent(sort)}`);
  if (stale()) return;
  $("#total").textContent = `(${page.total})`;
  $("#page").textContent = page.total ? `${offset + 1}-${Math.min(offset + PAGE, page.total)} of ${page.total}` : "none";
  $("#prev").disabled = offset === 0; $("#next").disabled = offset + PAGE >= page.total;
  $("#prev").dataset.offset = Math.max(0, offset - PAGE); $("#next").dataset.offset = offset + PAGE;
  const rows = page.items.map(d => el("tr", {},
    el("td", {text: d.day || "undated"}), el("td", {}, el("a", {href: `#doc=${encodeURIComponent(d.id)}`, text: d.title || d.external_id || d.id})),
    el("td", {text: d.language || ""}), el("td", {text: d.source || ""}),
    el("td", {text: d.dominant || (d.narratives.filter(n => n !== "Other")[0] || "none")})));
  $("#articles tbody").replaceChildren(...rows);
  const interval = ["day", "week", "month"].includes(state.get("interval")) ? state.get("interval") : "day";
  const stats = await api(`/stats/narratives?${params}&interval=${interval}`);
  if (stale()) return;
  drawChart(stats, interval);
  const lists = await Promise.all(["Antagonist", "Protagonist", "Innocent"].map(r => api(`/entities?${params}&role=${r}&limit=10`).then(x => [r, x])));
  if (stale()) return;
  $("#roles").replaceChildren(...lists.map(([role, items]) => el("div", {}, el("h3", {text: role}),
    table(["Actor", "articles"], items.map(i => {
      const link = el("a", {href: "#", text: i.name, title: `articles where ${i.name} is cast`});
      link.addEventListener("click", e => { e.preventDefault(); setFilter("entity", i.name); });
      return [link, i.articles];
    })))));
  // what the filters can take in these articles, most frequent first (a field's own filter left out):
  // narratives and sub-narratives, actors, techniques, sources
  const suggested = ["narrative", "entity", "technique", "source"];
  const suggestions = await Promise.all(suggested.map(field => {
    const p = new URLSearchParams(params);
    p.delete(field);
    return api(`/stats/values?${p}&field=${field}&limit=50`).catch(() => []);
  }));
  if (stale()) return;
  suggested.forEach((field, i) =>
    $(`#${field}-list`).replaceChildren(...suggestions[i].filter(v => v.value !== "Other" && !v.value.endsWith(": Other"))
      .map(v => el("option", {
        value: field === "technique" ? v.value.replace(/[_-]/g, " ").toLowerCase() : v.value,
        label: `${field === "technique" ? human(v.value) + " · " : ""}${v.articles} article${v.articles === 1 ? "" : "s"}`}))));
  const techniques = suggestions[suggested.indexOf("technique")].slice(0, 12);
  $("#techniques").replaceChildren(techniques.length ? table(["Technique", "articles"], techniques.map(v => {
    const link = el("a", {href: "#", text: human(v.value), title: `articles that use ${human(v.value).toLowerCase()}`});
    link.addEventListener("click", e => { e.preventDefault(); setFilter("technique", v.value.replace(/[_-]/g, " ").toLowerCase()); });
    return [link, v.articles];
  })) : el("p", {class: "muted", text: "No persuasion technique in these articles."}));
  // every language of the store (dated or not), whatever the other filters
  const languages = await api(`/stats/values?field=language&limit=50`).catch(() => []);
  if (stale()) return;
  const codes = [...new Set([...languages.map(v => v.value), state.get("language")].filter(Boolean))].sort();
  const select = $("#filters select[name=language]");
  const chosen = state.get("language") || "";
  select.replaceChildren(el("option", {value: "", text: "any"}), ...codes.map(c => el("option", {value: c, text: c})));
  select.value = chosen;
  $("#view-corpus").dataset.shown = shown;  // what the view now shows (tests and scripts wait on it)
}
// one colour family per narrative group (war: blues and purples; climate: greens and oranges), lightness
// stepping within a family, so more than 20 narratives stay apart
function narrativeColour(name, index, count) {
  const climate = name.startsWith("CC:");
  const hues = climate ? [140, 35, 90] : [220, 265, 195];
  const hue = hues[index % hues.length];
  const light = 35 + (Math.floor(index / hues.length) * 47 / Math.max(1, Math.ceil(count / hues.length))) % 45;
  return `hsl(${hue} 60% ${light}%)`;
}
function allDays(first, last) {
  const days = [];
  for (let d = new Date(first + "T00:00:00Z"); d <= new Date(last + "T00:00:00Z") && days.length < 3700; d.setUTCDate(d.getUTCDate() + 1))
    days.push(d.toISOString().slice(0, 10));
  return days;
}
function drawChart(stats, interval) {
  if (!window.Chart) return;
  let periods = [...new Set(stats.map(s => s.period.slice(0, 10)))].sort();
  if (interval === "day" && periods.length) periods = allDays(periods[0], periods[periods.length - 1]);  // empty days shown
  const narratives = [...new Set(stats.map(s => s.narrative))].filter(n => n !== "Other").sort();
  const groups = {URW: narratives.filter(n => !n.startsWith("CC:")), CC: narratives.filter(n => n.startsWith("CC:"))};
  const datasets = narratives.map(n => {
    const group = n.startsWith("CC:") ? groups.CC : groups.URW;
    return {label: n, backgroundColor: narrativeColour(n, group.indexOf(n), group.length),
      data: periods.map(p => stats.filter(s => s.narrative === n && s.period.startsWith(p)).reduce((a, s) => a + s.articles, 0))};
  });
  if (chart) chart.destroy();
  chart = new Chart($("#prevalence"), {type: "bar", data: {labels: periods, datasets},
    options: {maintainAspectRatio: false, animation: false,
              scales: {x: {stacked: true}, y: {stacked: true, ticks: {precision: 0}, title: {display: true, text: "articles with the narrative"}}},
              onClick: (event, elements) => {  // the bar's narrative, and its day when bars are days
                if (!elements.length) return;
                const params = formState();
                params.set("narrative", datasets[elements[0].datasetIndex].label);
                if (interval === "day") { params.set("from", periods[elements[0].index]); params.set("to", periods[elements[0].index]); }
                params.delete("offset");
                goCorpus(params);
              },
              plugins: {legend: {display: false}}}});
  // the legend as a wrapping list under the chart (Chart.js's own is cut off on a phone); a click hides or
  // shows the narrative's bars
  $("#chart-legend").replaceChildren(...datasets.map((d, i) => {
    const item = el("button", {type: "button", "aria-pressed": "true", title: d.label}, el("i"), d.label);
    item.querySelector("i").style.background = d.backgroundColor;
    item.addEventListener("click", () => {
      const shown = !chart.isDatasetVisible(i);
      chart.setDatasetVisibility(i, shown);
      item.setAttribute("aria-pressed", String(shown));
      chart.update();
    });
    return item;
  }));
}

// ---- your own narratives: #taxonomy[?label=...] -----------------------------------------
function taxonomyHeaders(json = true) {
  const headers = json ? {"content-type": "application/json"} : {};
  const token = $("#tax-token").value.trim();
  if (token) headers.authorization = `Bearer ${token}`;
  return headers;
}
async function loadTaxonomy() {
  const status = $("#tax-status");
  let tax;
  try { tax = await api("/taxonomy"); }
  catch (e) { status.textContent = e.message; $("#tax-editor").hidden = true; $("#tax-labels tbody").replaceChildren(); return; }
  $("#tax-editor").hidden = !tax.editable;
  status.textContent = tax.exists
    ? `${tax.name}: ${tax.labels.filter(l => !l.parent).length} narratives, ${tax.labels.filter(l => l.parent).length} sub-narratives, from ${tax.path}`
    : `No taxonomy yet: write one below; it will be saved as ${tax.path}.`;
  if (!$("#tax-yaml").dataset.edited) $("#tax-yaml").value = tax.yaml;
  if (!tax.exists) $("#tax-editor").open = true;
  $("#tax-labels tbody").replaceChildren(...tax.labels.map(l => {
    const find = el("a", {href: `#taxonomy?label=${encodeURIComponent(l.label)}`, text: "find matches"});
    return el("tr", {}, el("td", {text: l.parent ? `└ ${l.label}` : l.label}), el("td", {text: l.description}),
      el("td", {text: String(l.examples)}), el("td", {text: String(l.negatives)}), el("td", {}, find));
  }));
  const label = new URLSearchParams(location.hash.split("?")[1] || "").get("label");
  if (label) await loadMatches(label); else { $("#tax-matches").replaceChildren(); $("#tax-matches-title").textContent = ""; }
  $("#view-taxonomy").dataset.shown = location.hash;
}
async function loadMatches(label) {
  $("#tax-matches-title").textContent = `Matches of “${label}” among the stored articles`;
  $("#tax-matches-help").hidden = false;
  $("#tax-matches").replaceChildren(el("p", {class: "muted", text: "reading the stored articles…"}));
  let found;
  try { found = await api(`/taxonomy/matches?label=${encodeURIComponent(label)}`); }
  catch (e) { $("#tax-matches").replaceChildren(el("p", {class: "error", text: e.message})); return; }
  if (!found.matches.length) {
    $("#tax-matches").replaceChildren(el("p", {class: "muted", text: `None among the ${found.scanned} newest stored articles.`}));
    return;
  }
  $("#tax-matches").replaceChildren(...found.matches.map(m => {
    const quotes = m.evidence.map(q => {
      const result = el("span", {class: "muted"});
      const vote = accepted => async () => {
        try {
          const r = await api("/taxonomy/feedback", {method: "POST", headers: taxonomyHeaders(),
            body: JSON.stringify({label, text: q.text, accepted})});
          result.textContent = r.added ? (accepted ? ` saved as an example (${r.examples})` : ` saved as a negative (${r.negatives})`)
                                       : " already in the taxonomy";
        } catch (e) { result.textContent = ` ${e.message}`; result.className = "error"; }
      };
      if (!m.votable) {  // a quote the encoder cannot read would match every sentence of its language
        return el("li", {}, el("q", {text: q.text}), " ",
          el("span", {class: "muted", text: `(${m.language}: the encoder does not read it; add the whole article to the label's examples instead)`}));
      }
      const yes = el("button", {type: "button", class: "vote", text: "✓ pushes it", title: "Add this quote to the label's examples"});
      const no = el("button", {type: "button", class: "vote", text: "✗ does not", title: "Add this quote to the label's negatives"});
      yes.addEventListener("click", vote(true)); no.addEventListener("click", vote(false));
      return el("li", {}, el("q", {text: q.text}), " ", yes, " ", no, result);
    });
    return el("article", {class: "match"},
      el("h3", {}, el("a", {href: `#doc=${encodeURIComponent(m.id)}`, text: m.title || m.id}), ` · ${m.day || "undated"} · score ${m.score.toFixed(2)}`),
      el("ul", {}, ...quotes));
  }));
}
async function saveTaxonomy() {
  const status = $("#tax-save-status");
  status.textContent = "saving…"; status.className = "";
  try {
    const saved = await api("/taxonomy", {method: "PUT", headers: taxonomyHeaders(), body: JSON.stringify({yaml: $("#tax-yaml").value})});
    delete $("#tax-yaml").dataset.edited;
    status.textContent = ["saved", ...saved.warnings.map(errorText)].join("; warning: ");
    await loadTaxonomy();
  } catch (e) { status.textContent = e.message; status.className = "error"; }
}

// ---- new narratives: #new ------------------------------------------------------------------
function sparkline(counts) {
  const days = Object.keys(counts).sort();
  if (!days.length) return el("span", {class: "muted", text: "undated"});
  const all = allDays(days[0], days[days.length - 1]), top = Math.max(...Object.values(counts));
  const ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg");
  const width = 160, height = 24, step = width / all.length;
  svg.setAttribute("width", width); svg.setAttribute("height", height); svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "articles per day");
  all.forEach((d, i) => {
    const h = height * (counts[d] || 0) / top, bar = document.createElementNS(ns, "rect");
    bar.setAttribute("x", i * step); bar.setAttribute("y", height - h); bar.setAttribute("width", Math.max(step - 1, 1));
    bar.setAttribute("height", h); bar.setAttribute("fill", "#357");
    const title = document.createElementNS(ns, "title"); title.textContent = `${d}: ${counts[d] || 0}`; bar.append(title);
    svg.append(bar);
  });
  return svg;
}
async function findNew() {
  const status = $("#new-status"), button = $("#new-run");
  button.disabled = true; status.textContent = "reading the stored articles…"; status.className = "";
  let found;
  try { found = await api("/discover"); }
  catch (e) { status.textContent = e.message; status.className = "error"; button.disabled = false; return; }
  button.disabled = false;
  const fresh = found.clusters.filter(c => c.status === "new");
  status.textContent = found.note || `${found.clusters.length} clusters (${fresh.length} new) from ${found.claims} claims in ${found.articles} articles; known means explained by ${found.known_from}`;
  if (found.not_read_note) status.textContent += `. ${found.not_read_note}`;
  const ordered = [...fresh, ...found.clusters.filter(c => c.status !== "new")];
  $("#new-clusters").replaceChildren(...ordered.map(c => {
    const card = el("article", {class: "match"},
      el("h3", {}, c.label, " ", el("span", {class: c.status === "new" ? "badge-new" : "muted",
        text: c.status === "new" ? "(new)" : `(known: ${c.known_narrative})`})),
      el("div", {class: "muted"}, `${c.documents.length} articles · ${c.languages.join(", ")} · ${(c.sources || []).slice(0, 3).join(", ")} · `,
        sparkline(c.counts_by_day), ` ${c.first_seen || ""}${c.last_seen && c.last_seen !== c.first_seen ? " – " + c.last_seen : ""}`),
      el("ul", {}, ...c.quotes.map(q => el("li", {}, el("q", {text: q.text}), " ",
        el("a", {href: `#doc=${encodeURIComponent(q.document)}`, text: "article"})))));
    if (c.status === "new" && found.editable) {
      const result = el("span", {class: "muted"});
      const add = el("button", {type: "button", class: "vote", text: "add to your narratives",
        title: "A narrative of your taxonomy, its quotes as examples"});
      add.addEventListener("click", async () => {
        const label = prompt("Label of the new narrative", c.label);
        if (!label) return;
        try {
          await api("/taxonomy/narratives", {method: "POST", headers: taxonomyHeaders(), body: JSON.stringify({
            label, description: `Claims such as: ${c.quotes[0].text}`, examples: c.quotes.map(q => q.text)})});
          result.textContent = " added: it is now found in every article analysed";
        } catch (e) { result.textContent = ` ${e.message}`; result.className = "error"; }
      });
      card.append(el("div", {}, add, result));
    }
    return card;
  }));
}

let pageLoads = 0;
// ---- routing: #analyze, #corpus[?filters], #taxonomy[?label=...], #new, #doc=ID ---------------------
async function route() {
  const hash = location.hash || "#analyze";
  const corpus = hash === "#corpus" || hash.startsWith("#corpus?");
  const taxonomy = hash === "#taxonomy" || hash.startsWith("#taxonomy?"), fresh = hash === "#new";
  $("#view-analyze").hidden = corpus || taxonomy || fresh; $("#view-corpus").hidden = !corpus;
  $("#view-taxonomy").hidden = !taxonomy; $("#view-new").hidden = !fresh;
  const page = hash.startsWith("#doc=") || hash.startsWith("#earlier=");
  $("#analyze-form").hidden = page;
  if (corpus) { await loadCorpus().catch(e => $("#total").textContent = `error: ${e.message}`); }
  else if (taxonomy) { await loadTaxonomy(); }
  else if (page) {
    const load = ++pageLoads;  // a newer page (a quick click elsewhere) makes this one stop before it draws
    const earlier = hash.startsWith("#earlier=");
    const id = decodeURIComponent(hash.slice(hash.indexOf("=") + 1));
    $("#result").replaceChildren(el("p", {class: "muted", text: "loading…"}));
    try {
      const doc = await api(earlier ? `/history/${encodeURIComponent(id)}` : `/documents/${encodeURIComponent(id)}`);
      const card = renderDocument(doc);
      if (earlier) card.prepend(el("p", {class: "notice", text: "An earlier version of a changed article, as it was analysed then."}));
      else card.append(...historyOf(await api(`/documents/${encodeURIComponent(id)}/history`).catch(() => [])));
      if (load === pageLoads) $("#result").replaceChildren(card);
    }
    catch (e) { if (load === pageLoads) $("#result").replaceChildren(el("p", {class: "error", text: e.message})); }
  } else if (hash === "#analyze" && $("#result").dataset.from === "doc") {
    $("#result").replaceChildren();  // an article page's content does not leak into the analyse page
  }
  $("#result").dataset.from = page ? "doc" : "analyze";
}
// a changed article (its address stored before with another text): its earlier versions, newest first
function historyOf(versions) {
  if (!versions.length) return [];
  return [el("h3", {text: `Earlier versions (${versions.length})`}), el("ul", {class: "history"}, ...versions.map(v =>
    el("li", {}, el("a", {href: `#earlier=${encodeURIComponent(v.id)}`, text: v.title || v.id}),
      ` · replaced ${v.replaced_at.slice(0, 16).replace("T", " ")}` + (v.dominant ? ` · then: ${v.dominant}` : ""))))];
}
document.addEventListener("DOMContentLoaded", () => {
  $("#analyze-form").addEventListener("submit", onAnalyze);
  $("#article-file").addEventListener("change", async e => { const f = e.target.files[0]; if (f) $("#article-text").value = await f.text(); });
  $("#filters").addEventListener("submit", e => { e.preventDefault(); goCorpus(formState()); });
  for (const th of document.querySelectorAll("#articles th[data-sort]"))
    th.querySelector("button").addEventListener("click", () => sortBy(th.dataset.sort));
  for (const id of ["#prev", "#next"])
    $(id).addEventListener("click", e => { const p = formState(); p.set("offset", e.target.dataset.offset); goCorpus(p); });
  $("#tax-save").addEventListener("click", saveTaxonomy);
  $("#new-run").addEventListener("click", findNew);
  $("#tax-yaml").addEventListener("input", () => { $("#tax-yaml").dataset.edited = "1"; });
  $("#tax-file").addEventListener("change", async e => {
    const f = e.target.files[0]; if (f) { $("#tax-yaml").value = await f.text(); $("#tax-yaml").dataset.edited = "1"; } });
  $("#tax-token").value = sessionStorage.getItem("narrascope-token") || "";
  $("#tax-token").addEventListener("change", () => sessionStorage.setItem("narrascope-token", $("#tax-token").value.trim()));
  window.addEventListener("hashchange", route);
  route();
});
