// Times one training epoch (batch 128, Adam, MSE, synthetic data) of an MLP autoencoder and a conv
// autoencoder on the wasm backend, with the course's wasm kernels and without them.
//
//   npm run bench                                        # defaults: MLP 10 000 images, conv 2 000
//   npm run bench -- --mlp-images 60000 --conv-images 10000   # full size (several minutes)
//
// The kernels are registered globally, so every configuration runs in its own child process
// (AE_BACKEND=wasm, AE_WASM_FIXES=1 or 0); the parent collects the results and prints the table.
import { spawnSync } from "child_process";
import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "../../lib/src/backend";
import { ImageDataset } from "../../lib/src/data";
import { meanSquaredError } from "../../lib/src/losses";
import { train } from "../../lib/src/training";
import { seededRandom } from "../../lib/src/random";

type Workload = "mlp" | "conv";
interface ChildResult { workload: Workload; fixes: boolean; images: number; seconds?: number; loss?: number; error?: string; peakRssMB: number }

const BATCH = 128;
const FULL_SIZE: Record<Workload, number> = { mlp: 60000, conv: 10000 };
const LABEL: Record<Workload, string> = { mlp: "MLP AE 784-512-256-32-256-512-784", conv: "conv AE (2 conv + 2 conv-transpose)" };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function positiveInt(name: string, fallback: number): number {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isInteger(v) || v < BATCH) throw new Error(`${name} must be an integer of at least ${BATCH}, got ${arg(name, "")}`);
  return v;
}

const peakRssMB = () => process.resourceUsage().maxRSS / 1024;

// ---- child: one workload, one configuration -------------------------------------------------------

function syntheticImages(n: number, seed: number): ImageDataset {
  const rand = seededRandom(seed);
  const images = new Float32Array(n * 784);
  for (let i = 0; i < images.length; i++) images[i] = rand();
  return new ImageDataset(images, new Int32Array(n), [28, 28, 1], ["synthetic"], "synthetic");
}

function buildModel(workload: Workload): tf.Sequential {
  let seed = 1;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  if (workload === "mlp") {
    const units = [512, 256, 32, 256, 512];
    return tf.sequential({ layers: [
      ...units.map((u, i) => tf.layers.dense({
        units: u, activation: u === 32 ? "linear" : "relu", kernelInitializer: init(), ...(i === 0 ? { inputShape: [784] } : {}),
      })),
      tf.layers.dense({ units: 784, activation: "sigmoid", kernelInitializer: init() }),
    ] });
  }
  const conv = { kernelSize: 3, strides: 2, padding: "same" as const, kernelInitializer: init() };
  return tf.sequential({ layers: [
    tf.layers.conv2d({ ...conv, inputShape: [28, 28, 1], filters: 16, activation: "relu" }), // 14x14x16
    tf.layers.conv2d({ ...conv, kernelInitializer: init(), filters: 32, activation: "relu" }), // 7x7x32
    tf.layers.conv2dTranspose({ ...conv, kernelInitializer: init(), filters: 16, activation: "relu" }), // 14x14x16
    tf.layers.conv2dTranspose({ ...conv, kernelInitializer: init(), filters: 1, activation: "sigmoid" }), // 28x28x1
  ] });
}

async function child(workload: Workload, images: number): Promise<void> {
  const fixes = process.env.AE_WASM_FIXES !== "0";
  const result: ChildResult = { workload, fixes, images, peakRssMB: 0 };
  try {
    const info = await selectBackend();
    if (info.name !== "wasm" || info.wasmFixes !== fixes) throw new Error(`expected wasm (fixes ${fixes}), got ${info.name} (fixes ${info.wasmFixes})`);
    const data = syntheticImages(images, 42);
    const model = buildModel(workload);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = tf.train.adam(1e-3);
    const loss = (x: tf.Tensor2D) => tf.tidy(() => {
      const input = workload === "conv" ? x.reshape([-1, 28, 28, 1]) : x;
      return meanSquaredError(model.apply(input) as tf.Tensor, input);
    });
    // Warm-up, not timed: one step on one batch (kernel set-up, wasm memory growth).
    const warm = data.batches(BATCH).next().value!;
    tf.dispose(optimizer.minimize(() => loss(warm.x), true, variables) ?? []);
    warm.x.dispose();

    const t0 = performance.now();
    const history = await train({ train: data, loss: (b) => loss(b.x), variables, optimizer, epochs: 1, batchSize: BATCH, seed: 7, progress: "none" });
    result.seconds = (performance.now() - t0) / 1000;
    result.loss = history.epochs[0].loss;
  } catch (e) {
    result.error = (e as Error).message.split("\n")[0];
  }
  result.peakRssMB = peakRssMB();
  console.log("RESULT " + JSON.stringify(result));
}

// ---- parent: run every configuration in a child and print the table ---------------------------------

function runChild(workload: Workload, images: number, fixes: boolean): ChildResult {
  process.stderr.write(`  ${workload}, ${images} images, ${fixes ? "with" : "without"} the course kernels ...`);
  const t0 = performance.now();
  const out = spawnSync(process.execPath, ["--import", "tsx", process.argv[1], "--child", workload, "--images", String(images)], {
    env: { ...process.env, AE_BACKEND: "wasm", AE_WASM_FIXES: fixes ? "1" : "0" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const line = (out.stdout ?? "").split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) {
    const tail = `${out.stderr ?? ""}`.trim().split("\n").slice(-3).join(" | ").slice(0, 300);
    return { workload, fixes, images, error: `child exited with ${out.status ?? out.signal}: ${tail}`, peakRssMB: NaN };
  }
  return JSON.parse(line.slice("RESULT ".length));
}

function cell(r: ChildResult): string {
  if (r.seconds !== undefined) return r.seconds.toFixed(1);
  return /not registered/.test(r.error ?? "") ? "fails (missing kernel)" : `fails: ${r.error}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
  const rule = "|" + widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|";
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function parent(): void {
  const sizes: Record<Workload, number> = { mlp: positiveInt("--mlp-images", 10000), conv: positiveInt("--conv-images", 2000) };
  console.log(`One training epoch, batch ${BATCH}, Adam, MSE, synthetic data; tfjs ${tf.version.tfjs}, wasm backend (one thread), ` +
    `Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const results: ChildResult[] = [];
  for (const workload of ["mlp", "conv"] as Workload[]) {
    for (const fixes of [true, false]) results.push(runChild(workload, sizes[workload], fixes));
  }
  const rows = (["mlp", "conv"] as Workload[]).map((w) => {
    const withFixes = results.find((r) => r.workload === w && r.fixes)!;
    const without = results.find((r) => r.workload === w && !r.fixes)!;
    const speedUp = withFixes.seconds && without.seconds ? `${(without.seconds / withFixes.seconds).toFixed(1)}x` : "-";
    const scale = FULL_SIZE[w] / sizes[w];
    const extrapolate = (r: ChildResult) => (r.seconds === undefined ? "-" : (r.seconds * scale).toFixed(1));
    return [LABEL[w], String(sizes[w]), cell(withFixes), cell(without), speedUp,
      `${extrapolate(withFixes)} / ${extrapolate(without)}`];
  });
  console.log("");
  console.log(table(["workload", "images", "s with fixes", "s without", "speed-up", `s per ${FULL_SIZE.mlp}/${FULL_SIZE.conv} images (with / without)`], rows));
  console.log("");
  console.log(`(extrapolated to ${FULL_SIZE.mlp} images for the MLP and ${FULL_SIZE.conv} for the conv AE, as in shared/notes/wasm-backend.md)`);
  for (const r of results) {
    console.log(`  ${r.workload.padEnd(4)} ${r.fixes ? "with fixes   " : "without fixes"}: peak RSS ${r.peakRssMB.toFixed(0)} MB` +
      (r.loss !== undefined ? `, epoch loss ${r.loss.toFixed(5)}` : "") + (r.error && r.seconds === undefined ? `, error: ${r.error}` : ""));
  }
  console.log(`  parent: peak RSS ${peakRssMB().toFixed(0)} MB`);
  if (results.some((r) => r.fixes && r.seconds === undefined)) process.exitCode = 1; // the course's configuration must work
}

if (process.argv.includes("--child")) {
  child(arg("--child", "mlp") as Workload, positiveInt("--images", 10000)).catch((e) => { console.error(e); process.exitCode = 1; });
} else {
  parent();
}
