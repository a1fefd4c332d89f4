#!/usr/bin/env node
// The Korean edition from one source. The English notebooks hold every code cell; each notebook has a
// translation file, notebooks/ko/translations/NN-name.md, with one block per markdown cell:
//
//   <!-- cell: cell-3 en: 1a2b3c4d5e6f -->
//   The Korean text of markdown cell `cell-3` …
//
// where `en` is the fingerprint (the first 12 hex digits of SHA-256) of the English text it translates.
// `build` writes notebooks/ko/NN-name.ipynb: the English notebook with each markdown cell's text
// replaced, everything else (code, outputs, metadata, nbgrader fields) copied unchanged. `check` fails,
// naming the notebook and the cell, when a markdown cell has no translation, its fingerprint is stale,
// a generated notebook is out of date, or a translation drops a formula, a code span, a link target, a
// number, or a glossary term (notebooks/ko/glossary.json) that its English cell has. A formula may
// translate the words of its `\text{…}` labels (`\text{loss}` -> `\text{손실}`); nothing else in it may
// change. A glossary term's first use in a notebook shows its English, directly after the Korean term
// or after the compound the term begins: 잠재 변수 (latent variable), 잠재 변수 모델 (latent variable model).
//
//   node tools/translations.js check | build [NN-name ...]    (all notebooks when none is named)
//   node tools/translations.js skeleton NN-name             (headers and English text, to start a file)
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { courseNotebooks } = require("./notebook-files");

/** Where the English notebooks, the Korean ones, their translations and the glossary live. */
function folders(root = path.resolve(__dirname, "..")) {
  const notebooks = path.join(root, "notebooks");
  const ko = path.join(notebooks, "ko");
  return { root, notebooks, ko, translations: path.join(ko, "translations"), glossary: path.join(ko, "glossary.json") };
}

const joined = (source) => (Array.isArray(source) ? source.join("") : source);
const fingerprint = (text) => crypto.createHash("sha256").update(text, "utf8").digest("hex").slice(0, 12);
const HEADER = /^<!-- cell: (\S+) en: ([0-9a-f]{12}) -->$/;

/** The blocks of a translation file: cell id -> { en, ko, line }. */
function parseTranslation(text, file) {
  const blocks = new Map();
  let current = null;
  const lines = text.split("\n");
  const close = () => {
    if (current) blocks.set(current.id, { en: current.en, ko: current.lines.join("\n").replace(/^\n+|\n+$/g, ""), line: current.line });
  };
  lines.forEach((line, i) => {
    const m = HEADER.exec(line.trim());
    if (m) {
      close();
      if (blocks.has(m[1])) throw new Error(`${file}:${i + 1}: cell '${m[1]}' is translated twice`);
      current = { id: m[1], en: m[2], lines: [], line: i + 1 };
    } else if (current) current.lines.push(line);
    else if (line.trim()) throw new Error(`${file}:${i + 1}: text before the first '<!-- cell: … en: … -->' header`);
  });
  close();
  return blocks;
}

/** Splits markdown into what must survive translation verbatim and the prose around it. */
function protectedParts(markdown) {
  const parts = { formulas: [], code: [], links: [], numbers: [] };
  let prose = markdown;
  const take = (re, into, group = 0) => {
    prose = prose.replace(re, (...m) => {
      into.push(m[group].trim());
      return " ";
    });
  };
  take(/```[\s\S]*?```/g, parts.code);
  take(/\$\$[\s\S]+?\$\$/g, parts.formulas);
  take(/\$[^$\n]+?\$/g, parts.formulas);
  take(/`[^`\n]+`/g, parts.code);
  take(/\]\(((?:[^()\s]|\([^()\s]*\))+)\)/g, parts.links, 1);
  take(/<https?:\/\/[^>\s]+>/g, parts.links);
  take(/\d+(?:[.,]\d+)*/g, parts.numbers);
  return { parts, prose };
}

function loadGlossary(file = folders().glossary) {
  const glossary = JSON.parse(fs.readFileSync(file, "utf8"));
  const terms = glossary.terms.map((t) => {
    // British and American spellings, plurals, and hyphens or spaces between words.
    const body = t.en.split(/[\s-]+/).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/is(ation|er|e|ed|ing)$/, "i[sz]$1")).join("[\\s-]+");
    return { ...t, re: new RegExp(`(?<![\\p{L}\\p{N}])${body}(?:s|es)?(?![\\p{L}\\p{N}])`, "iu") };
  });
  for (const t of terms) {
    const longer = terms.filter((u) => u !== t && u.en.length > t.en.length);
    t.longerEn = longer.filter((u) => u.en.toLowerCase().includes(t.en.toLowerCase())).map((u) => new RegExp(u.re.source, "giu"));
    t.longerKo = longer.filter((u) => u.ko.includes(t.ko) && u.ko !== t.ko).map((u) => u.ko);
  }
  return terms;
}

const count = (list) => list.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map());

/**
 * A formula as the check compares it: the words of each `\text{…}` label (also \textrm, \textit, \textbf,
 * \mbox) may be translated, so a label keeps only its numbers; every symbol, number and command outside
 * the labels must stay as it is. `\text{loss}` and `\text{손실}` compare equal, `\text{2 steps}` and
 * `\text{3 단계}` do not.
 */
function formulaKey(formula) {
  let out = "";
  let i = 0;
  const label = /\\(?:text(?:rm|it|bf|sf|tt|normal)?|mbox)\s*\{/y;
  while (i < formula.length) {
    label.lastIndex = i;
    const m = label.exec(formula);
    if (!m) { out += formula[i++]; continue; }
    let depth = 1;
    let j = i + m[0].length;
    for (; j < formula.length && depth; j++) {
      if (formula[j] === "\\") j++;
      else if (formula[j] === "{") depth++;
      else if (formula[j] === "}") depth--;
    }
    const inside = formula.slice(i + m[0].length, j - 1);
    out += `\\text{${(inside.match(/\d+(?:[.,]\d+)*/g) ?? []).join(" ")}}`;
    i = j;
  }
  return out;
}

/** What a translation of `en` lost: each formula, code span, link target and number, as many times as it appears. */
function verbatimProblems(en, ko) {
  const a = protectedParts(en).parts;
  const b = protectedParts(ko).parts;
  // Formulas compare by formulaKey (translated \text labels allowed); a problem quotes the English formula.
  const shown = new Map(a.formulas.map((f) => [formulaKey(f), f]));
  a.formulas = a.formulas.map(formulaKey);
  b.formulas = b.formulas.map(formulaKey);
  const problems = [];
  for (const [kind, what] of [["formulas", "formula"], ["code", "code span"], ["links", "link target"], ["numbers", "number"]]) {
    const have = count(b[kind]);
    for (const [key, n] of count(a[kind])) {
      const x = kind === "formulas" ? shown.get(key) : key;
      if ((have.get(key) ?? 0) < n) problems.push(`drops or alters the ${what} ${JSON.stringify(x.length > 60 ? x.slice(0, 57) + "…" : x)}${n > 1 ? ` (${n} times in English, ${have.get(key) ?? 0} in Korean)` : ""}`);
    }
  }
  return problems;
}

function englishNotebooks(dirs) {
  return courseNotebooks(dirs.notebooks).map((f) => f.replace(/\.ipynb$/, ""));
}

/** The Korean notebook's text, or the list of problems that keep it from being built. */
function translate(name, glossary, dirs = folders()) {
  const englishText = fs.readFileSync(path.join(dirs.notebooks, `${name}.ipynb`), "utf8");
  const nb = JSON.parse(englishText);
  const file = path.join(dirs.translations, `${name}.md`);
  const rel = path.relative(dirs.root, file);
  if (!fs.existsSync(file)) return { problems: [`${name}: no translation file (${rel})`], cells: 0 };
  const blocks = parseTranslation(fs.readFileSync(file, "utf8"), rel);
  const problems = [];
  const used = new Set();
  const firstUse = new Set();
  let translated = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const where = `${name}, cell '${cell.id}'`;
    const en = joined(cell.source);
    const block = blocks.get(cell.id);
    if (!block) { problems.push(`${where}: no translation in ${rel}`); continue; }
    used.add(cell.id);
    if (block.en !== fingerprint(en)) { problems.push(`${where}: the English text changed since it was translated (${rel}:${block.line} says en: ${block.en}, the English is now ${fingerprint(en)}); update the Korean and its fingerprint`); continue; }
    if (!block.ko.trim()) { problems.push(`${where}: the translation is empty`); continue; }
    for (const p of verbatimProblems(en, block.ko)) problems.push(`${where}: the translation ${p}`);
    const enProse = protectedParts(en).prose;
    const koProse = protectedParts(block.ko).prose;
    if (/\p{Script=Han}/u.test(block.ko) && !/\p{Script=Han}/u.test(en)) problems.push(`${where}: the translation has Chinese characters (${block.ko.match(/\p{Script=Han}+/u)[0]}); write the Korean word in Hangul`);
    if ((enProse.match(/[A-Za-z]/g) ?? []).length >= 20 && !/\p{Script=Hangul}/u.test(koProse)) problems.push(`${where}: the translation has no Korean text`);
    for (const term of glossary) {
      // A term inside a longer one ("encoder" in "autoencoder", "재구성" in "재구성 오차") counts as the longer one.
      const enText = term.longerEn.reduce((t, re) => t.replace(re, " "), enProse);
      if (!term.re.test(enText)) continue;
      const koText = term.longerKo.reduce((t, ko) => t.split(ko).join(" "), koProse);
      if (!koText.includes(term.ko)) { problems.push(`${where}: the English says '${term.en}' but the Korean lacks the glossary's '${term.ko}'`); continue; }
      if (firstUse.has(term.en)) continue;
      firstUse.add(term.en);
      // The English follows the Korean term directly, 잠재 변수 (latent variable), or follows the compound
      // the term begins, with the compound's English: 잠재 변수 모델 (latent variable model), never inside it.
      const after = koText.slice(koText.indexOf(term.ko) + term.ko.length);
      const m = /^(?:[ \t]+\p{Script=Hangul}+){0,2}\s*\(([^)]*)\)/u.exec(after);
      if (!m || !term.re.test(m[1])) problems.push(`${where}: the first '${term.ko}' in the notebook must be followed by '(${term.en})', or the compound it begins by its English (e.g. '${term.ko} … (${term.en} …)')`);
    }
    const lines = block.ko.split("\n");
    cell.source = lines.map((l, i) => (i < lines.length - 1 ? l + "\n" : l)).filter((l) => l !== "");
    translated++;
  }
  for (const id of blocks.keys()) if (!used.has(id)) problems.push(`${name}: ${rel} translates cell '${id}', which the English notebook does not have as a markdown cell`);
  const text = JSON.stringify(nb, null, 1) + (englishText.endsWith("\n") ? "\n" : "");
  return { problems, text, cells: translated };
}

function main(argv, dirs = folders()) {
  const [command = "check", ...names] = argv;
  if (!["check", "build", "skeleton"].includes(command)) throw new Error(`unknown command '${command}' (usage: node tools/translations.js check | build [NN-name ...] | skeleton NN-name)`);
  if (command === "skeleton") {
    // A starting point for a new translation: each markdown cell's header and its English text.
    const nb = JSON.parse(fs.readFileSync(path.join(dirs.notebooks, `${names[0]}.ipynb`), "utf8"));
    for (const c of nb.cells.filter((c) => c.cell_type === "markdown")) console.log(`<!-- cell: ${c.id} en: ${fingerprint(joined(c.source))} -->\n${joined(c.source)}\n`);
    return 0;
  }
  const glossary = loadGlossary(dirs.glossary);
  const all = englishNotebooks(dirs);
  const selected = names.length ? names.map((n) => n.replace(/\.ipynb$/, "").replace(/^.*\//, "")) : all;
  for (const n of selected) if (!all.includes(n)) throw new Error(`no notebook notebooks/${n}.ipynb`);
  const problems = [];
  let cells = 0;
  for (const name of selected) {
    const r = translate(name, glossary, dirs);
    cells += r.cells;
    problems.push(...r.problems);
    const out = path.join(dirs.ko, `${name}.ipynb`);
    if (command === "build" && !r.problems.length) fs.writeFileSync(out, r.text);
    else if (command === "check" && !r.problems.length && (!fs.existsSync(out) || fs.readFileSync(out, "utf8") !== r.text)) {
      problems.push(`${name}: notebooks/ko/${name}.ipynb is out of date with its English notebook and translation; run \`node tools/translations.js build\``);
    }
  }
  if (!names.length) {
    for (const f of fs.readdirSync(dirs.ko).filter((f) => f.endsWith(".ipynb"))) {
      if (!all.includes(f.replace(/\.ipynb$/, ""))) problems.push(`notebooks/ko/${f} has no English notebook; delete it`);
    }
  }
  for (const p of problems) console.error(`✗ ${p}`);
  console.log(`${selected.length} notebook(s), ${cells} markdown cell(s) translated, ${glossary.length} glossary terms, ${problems.length} problem(s)`);
  return problems.length ? 1 : 0;
}

module.exports = { fingerprint, parseTranslation, protectedParts, formulaKey, verbatimProblems, translate, loadGlossary, folders, main };

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`✗ ${err.message}`);
    process.exitCode = 2;
  }
}
