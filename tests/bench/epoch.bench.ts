// Times one training epoch of each workload (tests/bench/workloads.ts: MLP AE, VAE, conv AE; batch
// 128, Adam, synthetic images) on the wasm backend with the course's kernels alone (AE_BLAS=0), on
// wasm + the native BLAS path (AE_BLAS=1: matrix multiplies and Adam native), both with 1 thread and
// with every core, and the same architectures in PyTorch (Debian's python3-torch, if installed) with
// the same thread counts. Runs alternate engines, each in its own process; the median of --repeats
// runs is reported.
//
//   npm run bench                                   # 10 000 images (MLP, VAE), 4 000 (conv), 3 repeats
//   npm run bench -- --images 60000 --conv-images 10000 --repeats 1 --json build/bench.json
//   npm run bench -- --threads 1,2 --workloads conv --no-pytorch --no-blas
//
// --json FILE writes {workload: {wasm|blas|pytorch: {threads: seconds}, ratio: {wasm|blas: {threads:
// seconds / PyTorch's}}}}. PyTorch is a reference for this benchmark only.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { describeBackend, selectBackend } from "../../lib/src/backend";
import { train } from "../../lib/src/training";
import { BATCH, buildWorkload, LABEL, syntheticImages, Workload, WORKLOADS } from "./workloads";

interface RunResult { seconds?: number; loss?: number; error?: string; peakRssMB?: number; note?: string }
type Engine = "wasm" | "blas" | "pytorch";
const ENGINE_LABEL: Record<Engine, string> = { wasm: "wasm s", blas: "wasm + BLAS s", pytorch: "PyTorch s" };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function positiveInt(name: string, fallback: number, min = 1): number {
  const raw = arg(name, String(fallback));
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer of at least ${min}, got '${raw}'`);
  return v;
}

// ---- child: one tfjs workload, one thread count (AE_THREADS) -----------------------------------

async function child(workload: Workload, images: number): Promise<void> {
  const result: RunResult = {};
  try {
    const info = await selectBackend({ force: "wasm" });
    const t = info.threads as { threads: number; requested: number; reason?: string };
    if (t.threads !== t.requested) throw new Error(`wanted ${t.requested} threads: ${t.reason}`);
    result.note = describeBackend(info);
    const data = syntheticImages(images, 42);
    const { variables, loss } = buildWorkload(workload);
    const optimizer = tf.train.adam(1e-3);
    // Warm-up, not timed: one step (kernel set-up, wasm memory growth).
    await train({ train: data.take(BATCH), loss: (b) => loss(b.x), variables, optimizer, epochs: 1, progress: "none" });
    const t0 = performance.now();
    const history = await train({ train: data, loss: (b) => loss(b.x), variables, optimizer, epochs: 1, batchSize: BATCH, seed: 7, progress: "none" });
    result.seconds = (performance.now() - t0) / 1000;
    result.loss = history.epochs[0].loss;
  } catch (e) {
    result.error = (e as Error).message.split("\n")[0];
  }
  result.peakRssMB = process.resourceUsage().maxRSS / 1024;
  console.log("RESULT " + JSON.stringify(result));
}

// ---- parent ----------------------------------------------------------------------------------------

function pythonWithTorch(): string | undefined {
  for (const py of [process.env.AE_PYTHON, "/usr/bin/python3", "python3"].filter(Boolean) as string[]) {
    if (spawnSync(py, ["-c", "import torch"], { stdio: "ignore" }).status === 0) return py;
  }
  return undefined;
}

function run(engine: Engine, workload: Workload, threads: number, images: number, python?: string): RunResult {
  const [cmd, args, env] = engine !== "pytorch"
    ? [process.execPath, ["--import", "tsx", process.argv[1], "--child", workload, "--images", String(images)],
      { ...process.env, AE_THREADS: String(threads), AE_BLAS: engine === "blas" ? "1" : "0" }]
    : [python!, [path.join(__dirname, "epoch_torch.py"), "--workload", workload, "--threads", String(threads), "--images", String(images)], process.env];
  const out = spawnSync(cmd, args, { env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const line = (out.stdout ?? "").split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) return { error: `exited with ${out.status ?? out.signal}: ${`${out.stderr ?? ""}`.trim().split("\n").slice(-2).join(" | ").slice(0, 300)}` };
  const r = JSON.parse(line.slice("RESULT ".length));
  if (engine === "pytorch") r.note = `PyTorch ${r.torch}, BLAS: ${r.blas}`;
  return r;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
  const rule = "|" + widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|";
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function parent(): void {
  const cores = os.availableParallelism();
  const threadCounts = arg("--threads", [...new Set([1, cores])].join(",")).split(",").map((t) => {
    const n = Number(t);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--threads takes a comma-separated list of positive integers, got '${t}'`);
    return n;
  });
  const workloads = arg("--workloads", WORKLOADS.join(",")).split(",") as Workload[];
  for (const w of workloads) if (!WORKLOADS.includes(w)) throw new Error(`--workloads: '${w}' is not one of ${WORKLOADS.join(", ")}`);
  const images = positiveInt("--images", 10000, BATCH);
  const sizes: Record<Workload, number> = { mlp: images, vae: images, conv: positiveInt("--conv-images", 4000, BATCH) };
  const repeats = positiveInt("--repeats", 3);
  const python = process.argv.includes("--no-pytorch") ? undefined : pythonWithTorch();
  const native = !process.argv.includes("--no-blas") && require("autoencoders-native").load();
  const engines: Engine[] = ["wasm", ...(native && native.blas ? ["blas" as const] : []), ...(python ? ["pytorch" as const] : [])];
  console.log(`One training epoch, batch ${BATCH}, Adam, synthetic images; tfjs ${tf.version.tfjs} wasm; Node ${process.version}; ` +
    `${cores} cores; median of ${repeats} run(s), engines alternating; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  if (!python) console.log(process.argv.includes("--no-pytorch") ? "PyTorch skipped (--no-pytorch)." :
    "PyTorch not found (Debian: apt-get install python3-torch libopenblas0-pthread); tfjs only.");
  if (!engines.includes("blas")) console.log(native ? `No wasm + BLAS column: ${native.reason}.` : "wasm + BLAS skipped (--no-blas).");

  type Times = Partial<Record<Engine, Record<number, number>>> & { ratio: Partial<Record<"wasm" | "blas", Record<number, number>>> };
  const results: Record<string, Times> = {};
  const notes = new Set<string>();
  const rows: string[][] = [];
  let failed = false;
  for (const w of workloads) {
    const times: Times = { ratio: {} };
    results[w] = times;
    for (const threads of threadCounts) {
      const seconds: Record<Engine, number[]> = { wasm: [], blas: [], pytorch: [] };
      for (let rep = 0; rep < repeats; rep++) {
        for (const engine of engines) {
          process.stderr.write(`  ${w}, ${sizes[w]} images, ${threads} thread(s), ${engine} ...`);
          const r = run(engine, w, threads, sizes[w], python);
          process.stderr.write(r.seconds !== undefined ? ` ${r.seconds.toFixed(2)} s (loss ${r.loss?.toFixed(4)}, peak RSS ${r.peakRssMB?.toFixed(0)} MB)\n` : ` failed: ${r.error}\n`);
          if (r.note) notes.add(`${engine}: ${r.note.replace(/\n/g, ";")}`);
          if (r.seconds !== undefined && Number.isFinite(r.loss)) seconds[engine].push(r.seconds);
          else failed = true;
        }
      }
      for (const e of engines) if (seconds[e].length) (times[e] ??= {})[threads] = median(seconds[e]);
      const torch = times.pytorch?.[threads];
      for (const e of ["wasm", "blas"] as const) {
        const t = times[e]?.[threads];
        if (t !== undefined && torch !== undefined) (times.ratio[e] ??= {})[threads] = t / torch;
      }
      const cell = (e: Engine) => (engines.includes(e) ? times[e]?.[threads]?.toFixed(2) ?? "failed" : "-");
      const ratio = (e: "wasm" | "blas") => (times.ratio[e]?.[threads] ? `${times.ratio[e]![threads].toFixed(2)}x` : "-");
      rows.push([LABEL[w], String(sizes[w]), String(threads), cell("wasm"), cell("blas"), cell("pytorch"), ratio("wasm"), ratio("blas")]);
    }
  }
  console.log("");
  console.log(table(["workload", "images", "threads", ENGINE_LABEL.wasm, ENGINE_LABEL.blas, ENGINE_LABEL.pytorch, "wasm / PyTorch", "wasm + BLAS / PyTorch"], rows));
  console.log("");
  for (const n of notes) console.log(`  ${n}`);
  const jsonFile = arg("--json", "");
  if (jsonFile) {
    fs.mkdirSync(path.dirname(path.resolve(jsonFile)), { recursive: true });
    fs.writeFileSync(jsonFile, JSON.stringify(results, null, 2) + "\n");
    console.log(`  wrote ${jsonFile}`);
  }
  if (failed) process.exitCode = 1;
}

if (process.argv.includes("--child")) {
  child(arg("--child", "mlp") as Workload, positiveInt("--images", 10000, BATCH)).catch((e) => { console.error(e); process.exitCode = 1; });
} else {
  parent();
}
