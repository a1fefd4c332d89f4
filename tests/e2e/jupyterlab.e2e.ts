/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The course as a student sees it: `npm start` (the course's JupyterLab where Python's is absent) in
// Chromium. Fails on an error output, a vega-lite output that is not a chart with visible marks, a
// training cell whose progress bar was repeated instead of updated in place, or a browser console
// error; hovers the image maps of 02, 04 and 08; runs a graded test against the student stub.
// Screenshots go to build/e2e/.
//
// By default 03 and 04 are run top to bottom in the browser (between them: live progress bars,
// charts with image tooltips, image grids, tables, a graded exercise), and every other notebook is
// opened as the quick run of `npm test` left it (build/test-run, or AE_E2E_FROM) and checked as
// rendered. To run notebooks live instead:
//
//   AE_E2E_NOTEBOOKS=all npm run test:e2e     # every notebook run in the browser (for display changes)
//   AE_E2E_NOTEBOOKS=00,03 npm run test:e2e   # just these, run in the browser
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { Browser, Page } from "playwright-core";
import { chartProblems, hoverUntilTooltipImage, launchChromium } from "./browser";
import { Notebook, studentVersion } from "../../lib/src/grading/notebook";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { courseNotebooks } = require("../../tools/notebook-files.js") as { courseNotebooks: (dir: string) => string[] };

const root = path.resolve(__dirname, "..", "..");
const outDir = path.join(root, "build", "e2e");
const served = path.join(outDir, "notebooks"); // copies: the originals are never opened, so never saved
const token = "course-e2e";
const NOTEBOOK_TIMEOUT_MS = 10 * 60_000;

const LIVE_BY_DEFAULT = ["03", "04"];
const choice = (process.env.AE_E2E_NOTEBOOKS ?? "").trim();
const wanted = choice.split(",").map((s) => s.trim()).filter(Boolean);
const everyNotebook = courseNotebooks(path.join(root, "notebooks"));
/** Run top to bottom in the browser. */
const live = everyNotebook.filter((f) => choice === "all" || (wanted.length ? wanted : LIVE_BY_DEFAULT).some((w) => f.startsWith(w)));
/** Opened as executed by `npm test`'s quick run (only when no notebooks were named). */
const executedFrom = path.resolve(process.env.AE_E2E_FROM ?? path.join(root, "build", "test-run"));
const rendered = wanted.length || choice === "all" ? [] : everyNotebook.filter((f) => !live.includes(f));

let server: ChildProcess;
let serverLog = "";
let port = 0;
let browser: Browser;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitForServer(seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/status?token=${token}`);
      if (res.ok) return;
    } catch { /* not up yet */ }
    if (server.exitCode !== null) throw new Error(`npm start exited with ${server.exitCode}:\n${serverLog}`);
    if (Date.now() > until) throw new Error(`the server did not answer within ${seconds} s:\n${serverLog}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

before(async () => {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(served, { recursive: true });
  for (const f of live) fs.copyFileSync(path.join(root, "notebooks", f), path.join(served, f));
  const missing = rendered.filter((f) => !fs.existsSync(path.join(executedFrom, f)));
  assert.deepEqual(missing, [], `no executed copies of these notebooks in ${executedFrom}: run \`npm test\` (or \`npm run test:notebooks\`) first, or name the notebooks to run live with AE_E2E_NOTEBOOKS`);
  fs.mkdirSync(path.join(served, "executed"));
  for (const f of rendered) fs.copyFileSync(path.join(executedFrom, f), path.join(served, "executed", f));
  // The student version of 03, to see what a student sees when an exercise is not done yet.
  const nb03 = JSON.parse(fs.readFileSync(path.join(root, "notebooks", "03-linear-autoencoder-pca.ipynb"), "utf8")) as Notebook;
  fs.writeFileSync(path.join(served, "student-03.ipynb"), JSON.stringify(studentVersion(nb03), null, 1));
  // Lab settings for this run only: no autosave (the copies stay as they are).
  const settings = path.join(outDir, "user-settings");
  fs.mkdirSync(path.join(settings, "@jupyterlab", "docmanager-extension"), { recursive: true });
  fs.writeFileSync(path.join(settings, "@jupyterlab", "docmanager-extension", "plugin.jupyterlab-settings"), JSON.stringify({ autosave: false }));

  port = await freePort();
  // As `npm start` does (it builds the course's JupyterLab on first use); later flags win.
  server = spawn(process.execPath, [path.join(root, "tools", "start.js"), "--no-browser", `--port=${port}`,
    `--ServerApp.token=${token}`, "--ServerApp.port_retries=0", `--ServerApp.root_dir=${served}`, `--CourseLab.user_settings_dir=${settings}`,
    `--CourseLab.workspaces_dir=${path.join(outDir, "workspaces")}`], {
    cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, AE_MODE: "quick", AE_STRICT_CHARTS: "1" },
  });
  server.stdout!.on("data", (d) => (serverLog += d));
  server.stderr!.on("data", (d) => (serverLog += d));
  await waitForServer(600); // the first start builds the frontend
  assert.match(serverLog, /JupyterLab/, `npm start did not open JupyterLab:\n${serverLog}`);

  browser = await launchChromium();

});

after(async () => {
  await browser?.close();
  if (server?.pid) {
    try { process.kill(-server.pid, "SIGTERM"); } catch { /* already gone */ }
  }
  fs.writeFileSync(path.join(outDir, "server.log"), serverLog);
});

/** Shuts down every kernel session, so that each notebook's kernel is gone before the next one starts. */
async function shutDownKernels(): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}/api/sessions?token=${token}`);
  for (const s of (await res.json()) as { id: string }[]) {
    await fetch(`http://127.0.0.1:${port}/api/sessions/${s.id}?token=${token}`, { method: "DELETE" });
  }
}

/** Opens a notebook, waits for its kernel, and collects browser console errors from then on. */
async function openNotebook(name: string, waitForKernel = true): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleErrors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  // `reset`: no saved workspace reopens other tabs.
  await page.goto(`http://127.0.0.1:${port}/lab/tree/${name.split("/").map(encodeURIComponent).join("/")}?token=${token}&reset`);
  await page.locator(".jp-NotebookPanel .jp-Cell").first().waitFor({ timeout: 60_000 });
  // Run All before the kernel has connected does nothing: wait for the status bar to say Idle.
  if (waitForKernel) await page.locator(".jp-StatusBar-TextItem", { hasText: /TypeScript \(Autoencoders course\) \| Idle/ }).waitFor({ timeout: 120_000 });
  return { page, consoleErrors };
}

/** Waits (up to 30 s) until every vega-lite output of an opened notebook has been drawn. */
async function chartsDrawn(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const outputs = [...document.querySelectorAll(".jp-OutputArea-output.jp-RenderedVegaLite")];
    return outputs.length > 0 && outputs.every((o) => o.querySelector(".vega-embed .marks"));
  }, undefined, { timeout: 30_000, polling: 500 }).catch(() => { /* problems() says which chart is missing */ });
}

async function runAll(page: Page): Promise<void> {
  await page.locator("#jp-menu-panel .lm-MenuBar-item", { hasText: /^Run$/ }).click();
  await page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click();
  // Done when no prompt says [*] (queued or running) and the kernel is idle again.
  await page.waitForFunction(() => {
    const prompts = [...document.querySelectorAll(".jp-NotebookPanel .jp-InputArea-prompt")].map((p) => p.textContent ?? "");
    const status = [...document.querySelectorAll(".jp-StatusBar-TextItem")].map((e) => e.textContent ?? "").join(" ");
    return prompts.length > 0 && !prompts.some((p) => p.includes("*")) && /\| Idle/.test(status);
  }, undefined, { timeout: NOTEBOOK_TIMEOUT_MS, polling: 1000 });
}

/** Everything wrong with the executed notebook that a student would see. */
async function problems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    let charts = 0;
    const cells = [...document.querySelectorAll(".jp-NotebookPanel .jp-CodeCell")];
    cells.forEach((cell, i) => {
      const where = `code cell ${i + 1}`;
      const prompt = (cell.querySelector(".jp-InputArea-prompt")?.textContent ?? "").trim();
      if (!/^\[\d+\]:$/.test(prompt)) found.push(`${where}: not run (prompt '${prompt}')`);
      for (const err of cell.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
        found.push(`${where}: error output: ${(err.textContent ?? "").trim().slice(0, 400)}`);
      }
      // A progress bar is updated in place; the same bar twice means an update became a new output.
      const bars = [...cell.querySelectorAll("[data-ae-progress]")].map((b) => b.getAttribute("data-ae-progress"));
      if (new Set(bars).size !== bars.length) found.push(`${where}: a progress bar appears ${bars.length - new Set(bars).size + 1} times`);
      charts += cell.querySelectorAll(".jp-OutputArea-output.jp-RenderedVegaLite").length;
    });
    // Every notebook of the course draws charts: none found means this check looked in the wrong place.
    if (charts === 0) found.push("no vega-lite chart output found in the notebook");
    return found;
  }).then(async (found) => [...found, ...(await chartProblems(page, ".jp-OutputArea-output.jp-RenderedVegaLite"))[0]]);
}

/** What a notebook shows, checked: problems(), the image maps' hover, the console; and a screenshot. */
async function check(page: Page, name: string, consoleErrors: string[]): Promise<void> {
  const found = await problems(page);
  // The image maps: 02's embeddings and 04's and 08's latent maps show a point's picture on hover.
  const base = path.basename(name);
  if (/^(02|04|08)-/.test(base)) {
    const hover = await hoverUntilTooltipImage(page, ".jp-OutputArea-output.jp-RenderedVegaLite .vega-embed canvas",
      path.join(outDir, `hover-failure-${base}.png`), ".jp-NotebookPanel .jp-WindowedPanel-outer");
    if (hover) found.push(`hovering the image map: ${hover}`);
  }
  found.push(...consoleErrors.map((e) => `browser console error: ${e.slice(0, 300)}`));
  await page.screenshot({ path: path.join(outDir, `${base.replace(/\.ipynb$/, "")}.png`), fullPage: false });
  assert.deepEqual(found, [], `${name}:\n  ${found.join("\n  ")}`);
}

describe("the course in JupyterLab (Chromium)", () => {
  for (const name of live) {
    it(`${name} runs top to bottom with charts, in-place progress and a clean console`, async () => {
      const { page, consoleErrors } = await openNotebook(name);
      try {
        await runAll(page);
        await check(page, name, consoleErrors);
      } finally {
        await page.close();
        await shutDownKernels();
      }
    });
  }

  for (const name of rendered) {
    it(`${name}, as npm test ran it, opens with its outputs rendered: charts with marks, no error, a clean console`, async () => {
      const { page, consoleErrors } = await openNotebook(`executed/${name}`, false);
      try {
        await chartsDrawn(page);
        await check(page, `executed/${name}`, consoleErrors);
      } finally {
        await page.close();
        await shutDownKernels();
      }
    });
  }

  it("a graded test run against the student stub tells the student what is missing", async () => {
    const { page } = await openNotebook("student-03.ipynb");
    try {
      await runAll(page);
      const failures = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
      const errors = await failures.allTextContents();
      if (errors.length) await failures.first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(outDir, "student-03.png") });
      assert.ok(errors.length >= 1, "the stubbed exercise produced no failure at all");
      const first = errors[0];
      assert.match(first, /Exercise not implemented yet/, `the failure does not say what is missing:\n${first}`);
      assert.ok(first.split("\n").length < 40, `the failure message is ${first.split("\n").length} lines long`);
    } finally {
      await page.close();
      await shutDownKernels();
    }
  });
});
