// The book builder without a browser: what it takes from an executed run and what it refuses.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildBook, visibleCode } = require("../../tools/book.js");

const md = (source: string) => ({ cell_type: "markdown", metadata: {}, source });
const code = (source: string, outputs: unknown[] = []) => ({ cell_type: "code", metadata: {}, source, outputs, execution_count: 1 });

function run(cells: unknown[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "book-run-"));
  fs.writeFileSync(path.join(dir, "01-first.ipynb"), JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  fs.writeFileSync(path.join(dir, "results.json"), JSON.stringify({ mode: "quick", results: { "01-first": { "x.mse": 0.0123456 } } }));
  return dir;
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
    const from = run([
      md("# 01 · First\n\nThe loss $\\frac{1}{2}\\|x\\|^2$ costs \\$5; see [next](02-second.ipynb#top) and `$notMath$`."),
      code("const x = 1;\n// BEGIN HIDDEN TESTS\nhidden();\n// END HIDDEN TESTS", [
        { output_type: "stream", name: "stdout", text: ["epoch 1\r", "epoch 2\n"] },
        { output_type: "display_data", metadata: {}, data: { "application/vnd.vegalite.v5+json": spec, "image/png": png, "text/plain": "chart" } },
      ]),
    ]);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "book-out-"));
    const built = await buildBook({ from, out });
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
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "book-out-"));
    const built = await buildBook({ from: run([md("# T\n\nBroken $\\frac{1}{$ here.")]), out });
    assert.equal(built.problems.length, 1);
    assert.match(built.problems[0], /^01-first: /);
    assert.match(fs.readFileSync(path.join(out, "01-first.html"), "utf8"), /class="math-error"/);
  });

  it("says how to get executed notebooks when there are none", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "book-empty-"));
    await assert.rejects(buildBook({ from: empty, out: path.join(empty, "out") }), /npm run course/);
  });
});
