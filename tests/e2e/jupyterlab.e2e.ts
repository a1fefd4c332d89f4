/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The course as a student sees it: `npm start` (the course's JupyterLab where Python's is absent),
// every notebook opened in Chromium and run top to bottom in quick mode. Fails on an error output, a
// vega-lite output that is not a chart with visible marks, a training cell whose progress bar was
// repeated instead of updated in place, or a browser console error. Also hovers the image map of 04
// and runs a graded test against the student stub. Screenshots go to build/e2e/.
//
//   npm run test:e2e                      # every notebook
//   AE_E2E_NOTEBOOKS=00,03 npm run test:e2e
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

const wanted = (process.env.AE_E2E_NOTEBOOKS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const notebooks = courseNotebooks(path.join(root, "notebooks")).filter((f) => !wanted.length || wanted.some((w) => f.startsWith(w)));

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
  for (const f of notebooks) fs.copyFileSync(path.join(root, "notebooks", f), path.join(served, f));
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
async function openNotebook(name: string): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const consoleErrors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  // `reset`: no saved workspace reopens other tabs.
  await page.goto(`http://127.0.0.1:${port}/lab/tree/${encodeURIComponent(name)}?token=${token}&reset`);
  await page.locator(".jp-NotebookPanel .jp-Cell").first().waitFor({ timeout: 60_000 });
  // Run All before the kernel has connected does nothing: wait for the status bar to say Idle.
  await page.locator(".jp-StatusBar-TextItem", { hasText: /TypeScript \(Autoencoders course\) \| Idle/ }).waitFor({ timeout: 120_000 });
  return { page, consoleErrors };
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

describe("the course in JupyterLab (Chromium)", () => {
  for (const name of notebooks) {
    it(`${name} runs top to bottom with charts, in-place progress and a clean console`, async () => {
      const { page, consoleErrors } = await openNotebook(name);
      try {
        await runAll(page);
        const found = await problems(page);
        // The image maps: 02's embeddings and 04's and 08's latent maps show a point's picture on hover.
        if (/^(02|04|08)-/.test(name)) {
          const hover = await hoverUntilTooltipImage(page, ".jp-OutputArea-output.jp-RenderedVegaLite .vega-embed canvas",
            path.join(outDir, `hover-failure-${name}.png`), ".jp-NotebookPanel .jp-WindowedPanel-outer");
          if (hover) found.push(`hovering the image map: ${hover}`);
        }
        found.push(...consoleErrors.map((e) => `browser console error: ${e.slice(0, 300)}`));
        await page.screenshot({ path: path.join(outDir, `${name.replace(/\.ipynb$/, "")}.png`), fullPage: false });
        assert.deepEqual(found, [], `${name}:\n  ${found.join("\n  ")}`);
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
