// Where one training step's time goes, kernel by kernel, for each workload on the current backend.
//
//   node --import tsx tests/bench/profile.bench.ts [--steps 20] [--workloads mlp,vae,conv]
//
// Wall time per step (train()'s own loop: batch upload, gradients, Adam, loss read-back) against
// the time inside kernels (tf.profile: wasm kernels run synchronously, so their times are exact);
// the difference is JavaScript: tfjs's engine, the tape, layers and the optimiser's bookkeeping.
import * as tf from "@tensorflow/tfjs";
import { describeBackend, selectBackend } from "../../lib/src/backend";
import { train } from "../../lib/src/training";
import { BATCH, buildWorkload, syntheticImages, Workload, WORKLOADS } from "./workloads";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function profileWorkload(workload: Workload, steps: number): Promise<void> {
  const { variables, loss } = buildWorkload(workload);
  const optimizer = tf.train.adam(1e-3);
  const data = syntheticImages(BATCH * steps, 42);
  await train({ train: data.take(BATCH * 2), loss: (b) => loss(b.x), variables, optimizer, epochs: 1, progress: "none" }); // warm-up
  const t0 = performance.now();
  await train({ train: data, loss: (b) => loss(b.x), variables, optimizer, epochs: 1, progress: "none" });
  const wall = (performance.now() - t0) / steps;

  const batch = data.batches(BATCH).next().value!;
  // minimize = computeGradients + applyGradients, the kernels train() runs per step.
  const info = await tf.profile(() => { tf.dispose(optimizer.minimize(() => loss(batch.x), true, variables) ?? []); });
  batch.x.dispose();
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += k.kernelTimeMs as number;
    e.calls++;
    byName.set(k.name, e);
  }
  const kernelMs = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`\n${workload}: ${wall.toFixed(1)} ms per step in train(); ${kernelMs.toFixed(1)} ms in ${info.kernels.length} kernel calls; ` +
    `${(wall - kernelMs).toFixed(1)} ms (${(100 * (wall - kernelMs) / wall).toFixed(0)} %) elsewhere`);
  for (const [name, e] of [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
    console.log(`  ${name.padEnd(24)} ${e.ms.toFixed(2).padStart(8)} ms  ${String(e.calls).padStart(4)} calls  ${(100 * e.ms / wall).toFixed(1).padStart(5)} %`);
  }
}

async function main(): Promise<void> {
  const info = await selectBackend();
  console.log(describeBackend(info));
  const steps = Number(arg("--steps", "20"));
  for (const w of arg("--workloads", WORKLOADS.join(",")).split(",") as Workload[]) await profileWorkload(w, steps);
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
