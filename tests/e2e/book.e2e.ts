/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The course as a static book (`npm run book`), read in Chromium from a plain static server: every
// page loads with nothing fetched from outside the site, its math is typeset, its charts are drawn
// by vega-embed with visible marks, the image maps show a point's picture on hover, the console
// stays clean, and with scripts off every chart still shows its PNG.
//
// Built from the quick-mode run `npm test` leaves in build/test-run (or AE_BOOK_FROM).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { Browser, Page } from "playwright-core";
import { chartProblems, hoverUntilTooltipImage, launchChromium } from "./browser";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildBook } = require("../../tools/book.js");

const root = path.resolve(__dirname, "..", "..");
const from = path.resolve(process.env.AE_BOOK_FROM ?? path.join(root, "build", "test-run"));
const site = path.join(root, "build", "e2e-book");
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".woff2": "font/woff2", ".svg": "image/svg+xml" };

let server: http.Server;
let base = "";
let browser: Browser;
let pages: string[] = [];

before(async () => {
  assert.ok(fs.existsSync(from), `no executed notebooks in ${from}: run \`npm test\` (or \`npm run course\` and set AE_BOOK_FROM=build/course) first`);
  const built = await buildBook({ from, out: site });
  assert.deepEqual(built.problems, [], "formulas KaTeX could not typeset");
  pages = fs.readdirSync(site).filter((f) => /^\d\d[a-z]?-.*\.html$/.test(f)).sort();
  // Any static host: files as they are, nothing else.
  server = http.createServer((req, res) => {
    const file = path.join(site, decodeURIComponent(new URL(req.url!, "http://x").pathname));
    if (!file.startsWith(site) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404).end(); return; }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" }).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** Opens a page and records console errors, failed requests and anything fetched from elsewhere. */
async function open(url: string, javaScriptEnabled = true): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console error: ${m.text().slice(0, 300)}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
  page.on("request", (r) => { if (!r.url().startsWith(base) && !r.url().startsWith("data:")) problems.push(`fetched from outside the site: ${r.url()}`); });
  await page.goto(`${base}/${url}`, { waitUntil: "load" });
  return { page, problems };
}

describe("the course as a book (Chromium)", () => {
  it("the index lists every notebook with the results it recorded", async () => {
    const { page, problems } = await open("index.html");
    try {
      const links = await page.locator("table.syllabus td > a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
      assert.deepEqual(links, pages);
      assert.ok(await page.locator("ul.results li").count() >= pages.length, "the index shows fewer recorded results than notebooks");
      await page.screenshot({ path: path.join(site, "index.png"), fullPage: true });
      assert.deepEqual(problems, []);
    } finally { await page.context().close(); }
  });

  for (const name of pages.length ? pages : fs.readdirSync(path.join(root, "notebooks")).filter((f) => /^\d\d[a-z]?-/.test(f)).map((f) => f.replace(".ipynb", ".html")).sort()) {
    it(`${name}: math typeset, charts drawn, clean console`, async () => {
      const { page, problems } = await open(name);
      try {
        const charts = await page.locator("figure.chart").count();
        await page.waitForFunction(() => [...document.querySelectorAll("figure.chart")].every((f) => /\b(drawn|failed)\b/.test(f.className)),
          undefined, { timeout: 60_000 });
        const [chartIssues, drawn] = await chartProblems(page, "figure.chart");
        problems.push(...chartIssues);
        assert.equal(drawn, charts);
        // The prose outside typeset formulas (KaTeX keeps each formula's source in a hidden annotation).
        const text = await page.locator(".cell.markdown").evaluateAll((cells) => cells.map((c) => {
          const copy = c.cloneNode(true) as Element;
          copy.querySelectorAll(".katex").forEach((k) => k.remove());
          return copy.textContent ?? "";
        }));
        if (text.some((t) => /\$\$|\\frac|\\mathbb/.test(t))) problems.push("LaTeX left untypeset in the prose");
        problems.push(...(await page.locator("code.math-error").allTextContents()).map((t) => `formula not typeset: ${t}`));
        if (!/^00-/.test(name) && (await page.locator(".katex").count()) === 0) problems.push("no typeset math on a page whose notebook has formulas");
        if (await page.locator("figure.chart[data-image-tooltips]").count()) { // the image maps (02, 04, 08)
          const hover = await hoverUntilTooltipImage(page, "figure.chart[data-image-tooltips] .vega-embed canvas", path.join(site, `hover-${name}.png`));
          if (hover) problems.push(`hovering the image map: ${hover}`);
        }
        await page.screenshot({ path: path.join(site, name.replace(".html", ".png")) });
        assert.deepEqual(problems, [], `${name}:\n  ${problems.join("\n  ")}`);
      } finally { await page.context().close(); }
    });
  }

  it("without scripts, every chart shows its PNG", async () => {
    for (const name of pages) {
      const { page, problems } = await open(name, false);
      try {
        const missing = await page.locator("figure.chart").evaluateAll((figs) => figs
          .map((f, i) => ({ i, img: f.querySelector("img.chart-png") as HTMLImageElement | null }))
          .filter(({ img }) => !img || !img.complete || img.naturalWidth === 0 || img.getBoundingClientRect().height === 0)
          .map(({ i }) => i + 1));
        assert.deepEqual(missing, [], `${name}: charts without a visible PNG`);
        assert.deepEqual(problems, [], `${name}:\n  ${problems.join("\n  ")}`);
      } finally { await page.context().close(); }
    }
  });
});
