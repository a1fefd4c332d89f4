/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The course as a static book (`npm run book`), read in Chromium from a plain static server: every
// page loads with nothing fetched from outside the site, its math is typeset, its charts are drawn
// by vega-embed with visible marks, the image maps show a point's picture on hover, the console
// stays clean, and with scripts off every chart still shows its PNG. The Korean edition (ko/) the
// same, and its pages say lang="ko", link to the English page and back, and draw Hangul in
// Noto Sans CJK KR (Debian's fonts-noto-cjk) rather than in boxes.
//
// Built from the quick-mode run `npm test` leaves in build/test-run (or AE_BOOK_FROM); the pages
// tested are that run's notebooks.
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
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { courseNotebooks } = require("../../tools/notebook-files.js") as { courseNotebooks: (dir: string) => string[] };

const root = path.resolve(__dirname, "..", "..");
const from = path.resolve(process.env.AE_BOOK_FROM ?? path.join(root, "build", "test-run"));
const site = path.join(root, "build", "e2e-book");
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".woff2": "font/woff2", ".svg": "image/svg+xml" };

let server: http.Server;
let base = "";
let browser: Browser;
// The run's notebooks, known before the book is built: each becomes a test of its own.
const pages = courseNotebooks(from).map((f) => f.replace(/\.ipynb$/, ".html"));

before(async () => {
  assert.ok(fs.existsSync(from), `no executed notebooks in ${from}: run \`npm test\` (or \`npm run course\` and set AE_BOOK_FROM=build/course) first`);
  const built = await buildBook({ from, out: site });
  assert.deepEqual(built.problems, [], "formulas KaTeX could not typeset");
  for (const dir of [site, path.join(site, "ko")]) {
    assert.deepEqual(fs.readdirSync(dir).filter((f) => /^\d\d[a-z]?-.*\.html$/.test(f)).sort(), pages, `the pages in ${dir}`);
  }
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

/** LaTeX left in the prose outside typeset formulas (KaTeX keeps each formula's source in a hidden annotation). */
async function untypesetMath(page: Page, prose: string): Promise<string[]> {
  const problems: string[] = [];
  const text = await page.locator(prose).evaluateAll((cells) => cells.map((c) => {
    const copy = c.cloneNode(true) as Element;
    copy.querySelectorAll(".katex").forEach((k) => k.remove());
    return copy.textContent ?? "";
  }));
  if (text.some((t) => /\$\$|\\frac|\\mathbb/.test(t))) problems.push("LaTeX left untypeset in the prose");
  problems.push(...(await page.locator("code.math-error").allTextContents()).map((t) => `formula not typeset: ${t}`));
  return problems;
}

/** The math and charts of a notebook's page (either edition): typeset, drawn with visible marks. */
async function pageProblems(page: Page, name: string): Promise<string[]> {
  const charts = await page.locator("figure.chart").count();
  await page.waitForFunction(() => [...document.querySelectorAll("figure.chart")].every((f) => /\b(drawn|failed)\b/.test(f.className)),
    undefined, { timeout: 60_000 });
  const [problems, drawn] = await chartProblems(page, "figure.chart");
  assert.equal(drawn, charts);
  problems.push(...await untypesetMath(page, ".cell.markdown"));
  if (!/^00-/.test(name) && (await page.locator(".katex").count()) === 0) problems.push("no typeset math on a page whose notebook has formulas");
  return problems;
}

/**
 * Whether a Korean page is one: lang="ko", the CJK font in the stylesheet's font stack, and the
 * Hangul of `selector` drawn with Noto Sans CJK KR, as Chromium reports the platform fonts it used
 * (document.fonts.check is no test: it says true for any font that is not a web font).
 */
async function koreanProblems(page: Page, selector: string): Promise<string[]> {
  const problems: string[] = [];
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== "ko") problems.push(`<html lang="${lang}">, not "ko"`);
  const family = await page.locator(selector).first().evaluate((el) => getComputedStyle(el).fontFamily);
  if (!family.includes("Noto Sans CJK KR")) problems.push(`${selector}'s font-family has no Noto Sans CJK KR: ${family}`);
  const text = (await page.locator(selector).first().textContent()) ?? "";
  const hangul = [...text].filter((ch) => /\p{Script=Hangul}/u.test(ch)).length;
  if (!hangul) problems.push(`no Korean text in ${selector}: ${text.slice(0, 80)}`);
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root: doc } = await cdp.send("DOM.getDocument");
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: doc.nodeId, selector });
    await cdp.send("CSS.enable");
    const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
    const cjk = fonts.filter((f) => f.familyName === "Noto Sans CJK KR").reduce((n, f) => n + f.glyphCount, 0);
    if (cjk < hangul) {
      problems.push(`${hangul} Hangul characters in ${selector} but ${cjk} glyphs drawn with Noto Sans CJK KR (fonts used: ${fonts.map((f) => `${f.familyName} ×${f.glyphCount}`).join(", ")}); install fonts-noto-cjk`);
    }
  } finally { await cdp.detach(); }
  return problems;
}

/** Follows the page's language link and says where it led if not to `expected` in `lang`. */
async function languageLinkProblems(page: Page, expected: string, lang: string): Promise<string[]> {
  const link = page.locator("header.site a.language");
  if (await link.getAttribute("hreflang") !== lang) return [`the language link's hreflang is ${await link.getAttribute("hreflang")}, not ${lang}`];
  await Promise.all([page.waitForURL(`${base}/${expected}`, { timeout: 10_000 }).catch(() => undefined), link.click()]);
  await page.waitForLoadState("load");
  const landed = [page.url(), await page.evaluate(() => document.documentElement.lang)];
  return landed[0] === `${base}/${expected}` && landed[1] === lang ? [] : [`the language link led to ${landed[0]} (lang="${landed[1]}"), not ${expected}`];
}

describe("the course as a book (Chromium)", () => {
  for (const edition of ["", "ko/"]) {
    it(`the ${edition ? "Korean " : ""}index lists every notebook with the results it recorded`, async () => {
      const { page, problems } = await open(`${edition}index.html`);
      try {
        const links = await page.locator("table.syllabus td > a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
        assert.deepEqual(links, pages);
        assert.ok(await page.locator("ul.results li").count() >= pages.length, "the index shows fewer recorded results than notebooks");
        problems.push(...await untypesetMath(page, "table.syllabus .lead"));
        if (edition) problems.push(...await koreanProblems(page, "main h1"), ...await koreanProblems(page, "table.syllabus td > a"));
        await page.screenshot({ path: path.join(site, edition ? "ko-index.png" : "index.png"), fullPage: true });
        problems.push(...await languageLinkProblems(page, edition ? "index.html" : "ko/index.html", edition ? "en" : "ko"));
        assert.deepEqual(problems, [], problems.join("\n  "));
      } finally { await page.context().close(); }
    });
  }

  for (const name of pages) {
    it(`${name}: math typeset, charts drawn, clean console`, async () => {
      const { page, problems } = await open(name);
      try {
        problems.push(...await pageProblems(page, name));
        if (await page.locator("figure.chart[data-image-tooltips]").count()) { // the image maps (02, 04, 08)
          const hover = await hoverUntilTooltipImage(page, "figure.chart[data-image-tooltips] .vega-embed canvas", path.join(site, `hover-${name}.png`));
          if (hover) problems.push(`hovering the image map: ${hover}`);
        }
        await page.screenshot({ path: path.join(site, name.replace(".html", ".png")) });
        problems.push(...await languageLinkProblems(page, `ko/${name}`, "ko"));
        assert.deepEqual(problems, [], `${name}:\n  ${problems.join("\n  ")}`);
      } finally { await page.context().close(); }
    });

    // The charts are the English page's (the hover over image maps is tested there).
    it(`ko/${name}: Korean in a CJK font, math typeset, charts drawn, clean console`, async () => {
      const { page, problems } = await open(`ko/${name}`);
      try {
        problems.push(...await pageProblems(page, name));
        problems.push(...await koreanProblems(page, ".cell.markdown h1"));
        await page.screenshot({ path: path.join(site, `ko-${name.replace(".html", ".png")}`) });
        problems.push(...await languageLinkProblems(page, name, "en"));
        assert.deepEqual(problems, [], `ko/${name}:\n  ${problems.join("\n  ")}`);
      } finally { await page.context().close(); }
    });
  }

  it("without scripts, every chart shows its PNG", async () => {
    for (const name of [...pages, ...pages.map((p) => `ko/${p}`)]) {
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
