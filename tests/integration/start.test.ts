// `npm start` must open the course with the project's TypeScript kernel available.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function poll<T>(fn: () => Promise<T>, seconds: number): Promise<T> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    try { return await fn(); } catch (e) { if (Date.now() > until) throw e; }
    await new Promise((r) => setTimeout(r, 300));
  }
}

test("npm start serves the notebooks in JupyterLab with the project's TypeScript kernel", { timeout: 900_000 }, async () => {
  const port = await freePort();
  const token = "course-test";
  const child = spawn(process.execPath, [path.join(root, "tools", "start.js"), "--no-browser", `--port=${port}`,
    `--NotebookApp.token=${token}`, `--ServerApp.token=${token}`], { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  try {
    const api = async (p: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${p}?token=${token}`);
      if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
      return res.json() as Promise<any>;
    };
    // The first start on a machine without Python's JupyterLab builds the course's (about a minute).
    const specs = await poll(() => api("/api/kernelspecs"), 600).catch((e) => assert.fail(`server did not answer: ${e}\n${output}`));
    assert.match(output, /Opening the course in JupyterLab/, `npm start did not choose JupyterLab:\n${output}`);
    const kernel = specs.kernelspecs["autoencoders-ts"];
    assert.ok(kernel, `kernel autoencoders-ts not offered; got ${Object.keys(specs.kernelspecs)}`);
    assert.equal(kernel.spec.language, "typescript");
    assert.match(kernel.spec.argv.join(" "), new RegExp(path.join(root, "node_modules", "tslab").replace(/[/\\]/g, ".")));
    const contents = await api("/api/contents");
    const names = contents.content.map((c: any) => c.name);
    assert.ok(names.includes("00-tour.ipynb"), `notebooks/ not served: ${names}`);
  } finally {
    process.kill(-child.pid!, "SIGTERM");
  }
});
