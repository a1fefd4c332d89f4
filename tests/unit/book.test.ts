// The book builder without a browser: what it takes from an executed run and what it refuses.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildBook, visibleCode } = require("../../tools/book.js");

const md = (source: string) => ({ cell_type: "markdown", metadata: {}, source });
const code = (source: string, outputs: unknown[] = []) => ({ cell_type: "code", metadata: {}, source, outputs, execution_count: 1 });

type Cell = { cell_type: string; source: string; id?: string };

// Every folder a test makes is removed when the file's tests end.
const made: string[] = [];
const tempDir = (prefix: string) => {
  made.push(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  return made[made.length - 1];
};
after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const notebook = (cells: Cell[]) => JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 });

/**
 * An executed run of one notebook (`from`) and its Korean notebooks (`koFrom`): the same cells, with
 * the markdown cells' text taken in order from `ko` (the English text when there is none).
 */
function run(cells: Cell[], ko: string[] = []): { from: string; koFrom: string } {
  const withIds = cells.map((c, i) => ({ id: `cell-${i}`, ...c }));
  const from = tempDir("book-run-");
  fs.writeFileSync(path.join(from, "01-first.ipynb"), notebook(withIds));
  fs.writeFileSync(path.join(from, "results.json"), JSON.stringify({ mode: "quick", results: { "01-first": { "x.mse": 0.0123456 } } }));
  const koFrom = tempDir("book-ko-");
  let m = 0;
  fs.writeFileSync(path.join(koFrom, "01-first.ipynb"), notebook(withIds.map((c) => (c.cell_type === "markdown" ? { ...c, source: ko[m++] ?? c.source } : c))));
  return { from, koFrom };
}

describe("book", () => {
  it("shows that hidden tests exist but never what they check", () => {
    const text = "check(a);\n  // BEGIN HIDDEN TESTS\n  secretCheck(b);\n  // END HIDDEN TESTS\ndone();";
    const shown = visibleCode(text);
    assert.doesNotMatch(shown, /secretCheck/);
    assert.match(shown, /^ {2}\/\/ \(hidden tests, run by the grader\)$/m);
    assert.match(shown, /^check\(a\);$/m);
    assert.match(shown, /^done\(\);$/m);
  });

  it("typesets math, links notebooks to pages, writes charts over their PNG and lists results", async () => {
    const png = fs.readFileSync(path.join(__dirname, "..", "..", "tools", "book", "site", "favicon.svg")).toString("base64");
    const spec = { mark: "point", data: { values: [{ a: 1 }] }, description: "</script><b>" };
    const { from, koFrom } = run([
      md("# 01 · First\n\nThe loss $\\frac{1}{2}\\|x\\|^2$ costs \\$5; see [next](02-second.ipynb#top) and `$notMath$`."),
      code("const x = 1;\n// BEGIN HIDDEN TESTS\nhidden();\n// END HIDDEN TESTS", [
        { output_type: "stream", name: "stdout", text: ["epoch 1\r", "epoch 2\n"] },
        { output_type: "display_data", metadata: {}, data: { "application/vnd.vegalite.v5+json": spec, "image/png": png, "text/plain": "chart" } },
      ]),
    ]);
    const out = tempDir("book-out-");
    const built = await buildBook({ from, out, koFrom });
    assert.deepEqual(built.problems, []);
    const page = fs.readFileSync(path.join(out, "01-first.html"), "utf8");
    assert.match(page, /class="katex"/);
    assert.match(page, /costs \$5/);
    assert.match(page, /<code>\$notMath\$<\/code>/);
    assert.match(page, /href="02-second\.html#top"/);
    assert.doesNotMatch(page, /hidden\(\)/);
    assert.match(page, /<pre class="output stream stdout">epoch 2\n<\/pre>/);
    assert.match(page, /<figure class="output chart" data-spec="spec-0"><div class="chart-target"><\/div><img class="chart-png" src="01-first\/[0-9a-f]{16}\.png"/);
    // The spec is data, never markup: a "</script>" inside it cannot end its script element.
    assert.equal((page.match(/<\/script>/g) ?? []).length - (page.match(/<script src=/g) ?? []).length, 1);
    const index = fs.readFileSync(path.join(out, "index.html"), "utf8");
    assert.match(index, /quick-mode/);
    assert.match(index, /<code>x\.mse<\/code> 0\.01235/);
    for (const asset of ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "katex/katex.min.css", "book.js"]) {
      assert.ok(fs.existsSync(path.join(out, "assets", asset)), `${asset} is not in the site`);
    }
  });

  it("reports a formula KaTeX cannot typeset instead of printing it raw", async () => {
    const out = tempDir("book-out-");
    const built = await buildBook({ ...run([md("# T\n\nBroken $\\frac{1}{$ here.")]), out });
    assert.equal(built.problems.length, 2); // the page, and its Korean edition
    assert.match(built.problems[0], /^01-first: /);
    assert.match(built.problems[1], /^ko\/01-first: /);
    assert.match(fs.readFileSync(path.join(out, "01-first.html"), "utf8"), /class="math-error"/);
  });

  it("builds the Korean edition from the same run: Korean prose, the same outputs, links between the editions", async () => {
    const png = fs.readFileSync(path.join(__dirname, "..", "..", "tools", "book", "site", "favicon.svg")).toString("base64");
    const { from, koFrom } = run([
      md("# 01 · First\n\nThe loss $\\frac{1}{2}\\|x\\|^2$ is small; see [next](02-second.ipynb)."),
      code("console.log('epoch 2');", [
        { output_type: "stream", name: "stdout", text: "verdict: reproduced\n" },
        { output_type: "display_data", metadata: {}, data: { "application/vnd.vegalite.v5+json": { mark: "point" }, "image/png": png } },
      ]),
      md("## Second heading"),
    ], ["# 01 · 첫 노트북\n\n손실 $\\frac{1}{2}\\|x\\|^2$ 은 작습니다. [다음](02-second.ipynb)을 보십시오.", "## 두 번째 제목"]);
    const out = tempDir("book-out-");
    const built = await buildBook({ from, out, koFrom });
    assert.deepEqual(built.problems, []);
    assert.equal(built.pages, 4);
    const en = fs.readFileSync(path.join(out, "01-first.html"), "utf8");
    const ko = fs.readFileSync(path.join(out, "ko", "01-first.html"), "utf8");
    assert.match(ko, /<html lang="ko">/);
    assert.match(ko, /<h1>01 · 첫 노트북<\/h1>/);
    assert.match(ko, /<h2>두 번째 제목<\/h2>/);
    assert.match(ko, /class="katex"/);
    assert.match(ko, /href="02-second\.html"/);
    assert.doesNotMatch(ko, /The loss|Second heading/);
    // Code and outputs as run: the same code, the same printed text, the chart over the same shared PNG.
    assert.match(ko, /<pre class="output stream stdout">verdict: reproduced\n<\/pre>/);
    const figure = /src="(01-first\/[0-9a-f]{16}\.png)"/.exec(en)![1];
    assert.match(ko, new RegExp(`<img class="chart-png" src="\\.\\./${figure}"`));
    assert.ok(fs.existsSync(path.join(out, figure)));
    assert.match(ko, /href="\.\.\/assets\/book\.css"/);
    assert.ok(!fs.existsSync(path.join(out, "ko", "assets")), "the Korean edition copies the assets again");
    // Each page links to itself in the other language.
    assert.match(ko, /<a class="language" href="\.\.\/01-first\.html" hreflang="en" lang="en">English<\/a>/);
    assert.match(en, /<html lang="en">/);
    assert.match(en, /<a class="language" href="ko\/01-first\.html" hreflang="ko" lang="ko">한국어<\/a>/);
    const koIndex = fs.readFileSync(path.join(out, "ko", "index.html"), "utf8");
    assert.match(koIndex, /<html lang="ko">/);
    assert.match(koIndex, /<a href="01-first\.html">01 · 첫 노트북<\/a>/);
    assert.match(koIndex, /<code>x\.mse<\/code> 0\.01235/);
    assert.match(koIndex, /<th>노트북<\/th>/);
    assert.match(koIndex, /href="\.\.\/index\.html" hreflang="en"/);
  });

  it("says to generate the Korean notebooks when one is missing or lacks a cell", async () => {
    const out = tempDir("book-out-");
    const { from } = run([md("# T")]);
    const empty = tempDir("book-ko-");
    await assert.rejects(buildBook({ from, out, koFrom: empty }), /no Korean notebook .*01-first\.ipynb.*node tools\/translations\.js build/);
    const { koFrom } = run([md("# T")]);
    fs.writeFileSync(path.join(from, "01-first.ipynb"), notebook([{ ...md("# T"), id: "cell-0" }, { ...md("New"), id: "cell-new" }]));
    await assert.rejects(buildBook({ from, out, koFrom }), /has no markdown cell 'cell-new'.*node tools\/translations\.js build/);
  });

  it("says how to get executed notebooks when there are none", async () => {
    const empty = tempDir("book-empty-");
    await assert.rejects(buildBook({ from: empty, out: path.join(empty, "out") }), /npm run course/);
  });
});
