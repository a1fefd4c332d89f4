#!/usr/bin/env node
// The course as a static book: the executed notebooks of a headless run (`npm run course`) become
// an index and one page per notebook, with rendered math, highlighted code, every output, and every
// chart drawn by vega-embed from files inside the site (so it works offline and from any static
// host) over the PNG the kernel saved (what a reader without scripts sees).
//
// The Korean edition (in ko/) is the same run: each markdown cell's text comes from
// notebooks/ko/NN-name.ipynb by cell id (`node tools/translations.js build` writes those), the code,
// outputs and charts from the executed English notebook. Both editions share assets/ and figures.
//
//   node tools/book.js [--from build/course] [--out build/book]
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const { courseNotebooks } = require("./notebook-files");
const hljs = require("highlight.js/lib/core");
hljs.registerLanguage("typescript", require("highlight.js/lib/languages/typescript"));
const { markdownRenderer, escapeHtml } = require("./book/markdown");
const { renderOutputs, joined } = require("./book/outputs");
const { editions } = require("./book/strings");

const root = path.resolve(__dirname, "..");

function parseArgs(argv) {
  const opts = { from: path.join(root, "build", "course"), out: path.join(root, "build", "book") };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--from") opts.from = path.resolve(argv[++i]);
    else if (argv[i] === "--out") opts.out = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (usage: node tools/book.js [--from DIR] [--out DIR])`);
  }
  return opts;
}

/** The notebooks of a run, in course order, with what the runner recorded about each. */
function readRun(from) {
  const names = courseNotebooks(from);
  if (!names.length) {
    throw new Error(`no executed notebooks in ${from}. Run the course first (\`npm run course\`, about an hour and a half on two cores), or point --from at a run's output folder.`);
  }
  const readJson = (file, fallback) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : fallback);
  const results = readJson(path.join(from, "results.json"), { results: {} });
  return {
    mode: results.mode ?? "unknown",
    date: results.date ?? null,
    notebooks: names.map((file) => {
      const name = file.replace(/\.ipynb$/, "");
      let nb;
      try { nb = JSON.parse(fs.readFileSync(path.join(from, file), "utf8")); } catch (err) {
        throw new Error(`${path.join(from, file)} is not a readable notebook (${err.message}); run the course again.`);
      }
      return { name, nb, summary: readJson(path.join(from, `${name}.summary.json`), null), results: results.results?.[name] ?? {} };
    }),
  };
}

/** The Korean edition of an executed notebook: its markdown cells' text from notebooks/ko by cell id. */
function koreanEntry(entry, koFrom) {
  const file = path.join(koFrom, `${entry.name}.ipynb`);
  const shown = path.relative(root, file).startsWith("..") ? file : path.relative(root, file);
  const fix = "run `node tools/translations.js build` to generate the Korean notebooks";
  if (!fs.existsSync(file)) throw new Error(`no Korean notebook ${shown} for ${entry.name}: ${fix}.`);
  const ko = new Map(JSON.parse(fs.readFileSync(file, "utf8")).cells.filter((c) => c.cell_type === "markdown").map((c) => [c.id, c.source]));
  const cells = entry.nb.cells.map((c, i) => {
    if (c.cell_type !== "markdown") return c;
    if (!c.id) throw new Error(`cell ${i + 1} of the executed ${entry.name} has no cell id, so its Korean text cannot be found: run the course again.`);
    if (!ko.has(c.id)) throw new Error(`${shown} has no markdown cell '${c.id}' (cell ${i + 1} of the executed ${entry.name}): ${fix}.`);
    return { ...c, source: ko.get(c.id) };
  });
  return { ...entry, nb: { ...entry.nb, cells } };
}

/** Hidden tests are the instructor's: the book shows that they exist, never what they check. */
function visibleCode(text) {
  return text.replace(/^([ \t]*)\/\/ BEGIN HIDDEN TESTS[\s\S]*?\/\/ END HIDDEN TESTS[^\n]*/gm, "$1// (hidden tests, run by the grader)");
}

function titleOf(nb, fallback) {
  for (const c of nb.cells) {
    const m = c.cell_type === "markdown" && /^#\s+(.+)$/m.exec(joined(c.source));
    if (m) return m[1].trim();
  }
  return fallback;
}

/** The first paragraph after the notebook's title, as its one-line description on the index. */
function leadOf(nb) {
  for (const c of nb.cells) {
    if (c.cell_type !== "markdown") continue;
    const para = joined(c.source).split(/\n\s*\n/).map((p) => p.trim()).find((p) => p && !p.startsWith("#"));
    if (para) return para;
  }
  return "";
}

function formatValue(v) {
  const num = (x) => (Number.isInteger(x) ? String(x) : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(3) : x.toPrecision(4));
  if (typeof v === "number") return num(v);
  if (typeof v === "string" || typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.length <= 10 && v.every((x) => typeof x === "number")) return `[${v.map(num).join(", ")}]`;
  if (Array.isArray(v)) return `${v.length} values`;
  return JSON.stringify(v).slice(0, 60);
}

/** The edition a page links to: its language link and its alternate in the head go to the same page there. */
function otherEdition(ui) {
  return ui === editions.en ? editions.ko : editions.en;
}

function layout({ ui, file, title, body, nav = "" }) {
  const other = otherEdition(ui);
  const depth = ui.up;
  const there = `${ui.up}${other.dir}${file}`;
  return `<!doctype html>
<html lang="${ui.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="alternate" hreflang="${other.lang}" href="${there}">
<link rel="icon" href="${depth}assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${depth}assets/katex/katex.min.css">
<link rel="stylesheet" href="${depth}assets/highlight.css">
<link rel="stylesheet" href="${depth}assets/book.css">
<script src="${depth}assets/vega.min.js" defer></script>
<script src="${depth}assets/vega-lite.min.js" defer></script>
<script src="${depth}assets/vega-embed.min.js" defer></script>
<script src="${depth}assets/book.js" defer></script>
</head>
<body>
<header class="site"><a href="index.html">${escapeHtml(ui.siteTitle)}</a>${nav}<a class="language" href="${there}" hreflang="${other.lang}" lang="${other.lang}">${other.name}</a></header>
<main>
${body}
</main>
<footer class="site">${escapeHtml(ui.footer)}</footer>
</body>
</html>
`;
}

function notebookPage(entry, prev, next, md, outDir, ui) {
  const figDir = path.join(outDir, entry.name);
  const specs = [];
  const page = {
    // Figures are files of the book's root, shared by both editions (the same bytes, the same name).
    figure(base64) {
      const buf = Buffer.from(base64, "base64");
      const file = `${crypto.createHash("sha1").update(buf).digest("hex").slice(0, 16)}.png`;
      fs.mkdirSync(figDir, { recursive: true });
      if (!fs.existsSync(path.join(figDir, file))) fs.writeFileSync(path.join(figDir, file), buf);
      return `${ui.up}${entry.name}/${file}`;
    },
    chart(spec) {
      const id = `spec-${specs.length}`;
      specs.push(`<script type="application/json" id="${id}">${JSON.stringify(spec).replace(/</g, "\\u003c")}</script>`);
      return id;
    },
  };
  const cells = entry.nb.cells.map((c, i) => {
    if (c.cell_type === "markdown") return `<section class="cell markdown" id="cell-${i}">${md(joined(c.source))}</section>`;
    if (c.cell_type !== "code") return "";
    const code = hljs.highlight(visibleCode(joined(c.source)), { language: "typescript" }).value;
    return `<section class="cell code" id="cell-${i}"><pre class="source"><code class="hljs language-typescript">${code}</code></pre>${renderOutputs(c.outputs, page)}</section>`;
  });
  const link = (e, rel) => (e ? `<a class="${rel}" href="${e.name}.html">${rel === "prev" ? `← ${ui.previous}: ` : `${ui.next}: `}${escapeHtml(e.title)}${rel === "next" ? " →" : ""}</a>` : "");
  const nav = `<nav class="pager">${link(prev, "prev")}${link(next, "next")}</nav>`;
  const failed = entry.summary && !entry.summary.ok
    ? `<p class="run-failed">${ui.runFailed(escapeHtml(entry.summary.failure ?? ui.seeOutputs))}</p>` : "";
  const notebookLink = `<p class="source-link">${ui.notebook}: <code>${ui.notebooks}${escapeHtml(entry.name)}.ipynb</code></p>`;
  return layout({ ui, file: `${entry.name}.html`, title: entry.title, nav, body: `${failed}${notebookLink}${cells.join("\n")}\n${specs.join("\n")}\n${nav}` });
}

function indexPage(run, entries, md, ui) {
  const rows = entries.map((e) => {
    const results = Object.entries(e.results).map(([k, v]) => `<li><code>${escapeHtml(k)}</code> ${escapeHtml(formatValue(v))}</li>`).join("");
    const status = !e.summary ? "" : e.summary.ok ? `<span class="ok">${ui.ranIn(Math.round(e.summary.seconds))}</span>` : `<span class="failed">${ui.failed}</span>`;
    return `<tr><td class="num">${e.name.split("-")[0]}</td><td><a href="${e.name}.html">${escapeHtml(e.title)}</a><div class="lead">${md(e.lead)}</div>${status}</td><td><ul class="results">${results}</ul></td></tr>`;
  }).join("\n");
  const modeNote = run.mode === "full" ? ui.fullMode : ui.otherMode(escapeHtml(run.mode));
  const date = run.date ? ` ${ui.runFinished(escapeHtml(run.date.replace("T", " ").replace(/\.\d+Z$/, " UTC")))}` : "";
  const body = `<h1>${escapeHtml(ui.siteTitle)}</h1>
<p>${escapeHtml(ui.intro)}</p>
<p class="run">${modeNote}${date}</p>
<table class="syllabus"><thead><tr>${ui.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr></thead><tbody>
${rows}
</tbody></table>`;
  return layout({ ui, file: "index.html", title: ui.siteTitle, body });
}

function copyAssets(outDir) {
  const assets = path.join(outDir, "assets");
  // Package files by path: vega-embed's "exports" hides its UMD build from require.resolve.
  const nm = (p) => {
    const found = [root, path.join(root, "lib")].map((d) => path.join(d, "node_modules", p)).find((f) => fs.existsSync(f));
    if (!found) throw new Error(`${p} is missing; run \`npm install\``);
    return found;
  };
  fs.mkdirSync(assets, { recursive: true });
  for (const [from, to] of [
    ["vega/build/vega.min.js", "vega.min.js"],
    ["vega-lite/build/vega-lite.min.js", "vega-lite.min.js"],
    ["vega-embed/build/vega-embed.min.js", "vega-embed.min.js"],
    ["highlight.js/styles/github.min.css", "highlight.css"],
  ]) fs.copyFileSync(nm(from), path.join(assets, to));
  const katexDist = path.dirname(nm("katex/dist/katex.min.css"));
  fs.mkdirSync(path.join(assets, "katex", "fonts"), { recursive: true });
  fs.copyFileSync(path.join(katexDist, "katex.min.css"), path.join(assets, "katex", "katex.min.css"));
  for (const f of fs.readdirSync(path.join(katexDist, "fonts")).filter((f) => f.endsWith(".woff2"))) {
    fs.copyFileSync(path.join(katexDist, "fonts", f), path.join(assets, "katex", "fonts", f));
  }
  for (const f of ["book.css", "book.js", "favicon.svg"]) fs.copyFileSync(path.join(__dirname, "book", "site", f), path.join(assets, f));
}

function folderBytes(dir) {
  return fs.readdirSync(dir, { withFileTypes: true })
    .reduce((n, d) => n + (d.isDirectory() ? folderBytes(path.join(dir, d.name)) : fs.statSync(path.join(dir, d.name)).size), 0);
}

async function buildBook({ from, out, koFrom = path.join(root, "notebooks", "ko") }) {
  const run = readRun(from);
  // Both editions are read before anything is written: a missing translation leaves the old book in place.
  const books = [
    { ui: editions.en, entries: run.notebooks },
    { ui: editions.ko, entries: run.notebooks.map((e) => koreanEntry(e, koFrom)) },
  ];
  const problems = [];
  const render = await markdownRenderer(problems);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  copyAssets(out);
  for (const { ui, entries } of books) {
    const dir = path.join(out, ui.dir);
    fs.mkdirSync(dir, { recursive: true });
    for (const e of entries) {
      e.title = titleOf(e.nb, e.name);
      e.lead = leadOf(e.nb);
    }
    entries.forEach((e, i) => {
      const before = problems.length;
      fs.writeFileSync(path.join(dir, `${e.name}.html`), notebookPage(e, entries[i - 1], entries[i + 1], render, out, ui));
      for (let p = before; p < problems.length; p++) problems[p] = `${ui.dir}${e.name}: ${problems[p]}`;
    });
    // The index repeats each notebook's first paragraph: its formulas were reported with its page.
    fs.writeFileSync(path.join(dir, "index.html"), indexPage(run, entries, await markdownRenderer([]), ui));
  }
  return { pages: books.length * (run.notebooks.length + 1), bytes: folderBytes(out), problems, mode: run.mode };
}

if (require.main === module) {
  let opts;
  try { opts = parseArgs(process.argv.slice(2)); } catch (err) { console.error(err.message); process.exit(2); }
  buildBook(opts).then((r) => {
    for (const p of r.problems) console.error(`warning: formula not typeset: ${p}`);
    console.log(`book: ${r.pages} pages (English, and Korean in ko/) from a ${r.mode}-mode run, ${(r.bytes / 1e6).toFixed(1)} MB in ${path.relative(process.cwd(), opts.out) || "."}; open ${path.join(opts.out, "index.html")}`);
    if (r.problems.length) process.exitCode = 1;
  }).catch((err) => { console.error(`npm run book: ${err.message}`); process.exit(1); });
}

module.exports = { buildBook, visibleCode };
