// The wasm backend on several threads: AE_THREADS, bit-identical training, a normal process exit,
// and the fall back to one thread with the reason stated.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import { describeBackend } from "../../lib/src/backend";
import { requestedThreads, startThreadedModule, useThreadedWasm } from "../../lib/src/backend/wasmThreads";
import { relativeError } from "./helpers";

interface ChildOutput { description: string; threads: { threads: number; requested: number; reason?: string }; weights: string; values: string }

/** Runs the training child with AE_THREADS=threads; it must exit by itself (no lingering workers). */
function trainInChild(threads: number, blas: "0" | "" = ""): ChildOutput {
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "threadedTraining.child.ts")], {
    env: { ...process.env, AE_THREADS: String(threads), AE_BACKEND: "", AE_BLAS: blas },
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.signal, null, `the child with ${threads} thread(s) did not exit by itself within ${(Date.now() - started) / 1000} s (killed by ${r.signal})`);
  assert.equal(r.status, 0, `the child with ${threads} thread(s) failed: ${r.stderr}`);
  const line = r.stdout.trim().split("\n").pop()!;
  return JSON.parse(line);
}

describe("requestedThreads", () => {
  it("defaults to the number of cores and reads AE_THREADS", () => {
    assert.equal(requestedThreads(undefined), os.availableParallelism());
    assert.equal(requestedThreads(" "), os.availableParallelism());
    assert.equal(requestedThreads("3"), 3);
  });

  for (const bad of ["0", "-2", "1.5", "two"]) {
    it(`rejects AE_THREADS='${bad}' with a message saying what to use`, () => {
      assert.throws(() => requestedThreads(bad), new RegExp(`AE_THREADS='${bad}' is not a number of threads; use a positive integer`));
    });
  }
});

describe("the threaded wasm backend", () => {
  it("on the wasm kernels alone (AE_BLAS=0), trains bit-identically with 1 and 2 threads, reports its thread count, and lets the process exit", () => {
    const one = trainInChild(1, "0");
    const two = trainInChild(2, "0");
    assert.deepEqual(one.threads, { threads: 1, requested: 1 });
    assert.deepEqual(two.threads, { threads: 2, requested: 2 }, `no fall back expected: ${two.threads.reason ?? ""}`);
    assert.match(one.description, /wasm .*with the course's fast kernels, 1 thread$/m);
    assert.match(two.description, /wasm .*with the course's fast kernels, 2 threads$/m);
    assert.equal(two.weights, one.weights, "the weights after 4 Adam steps differ between 1 and 2 threads");
  });

  it("with the native BLAS where it loads, training repeats bit for bit at one thread count, and 1 and 2 threads stay within 1e-5 of the largest weight", () => {
    const native = require("autoencoders-native").load().blas !== undefined;
    const one = trainInChild(1);
    assert.match(one.description, native ? /matrix multiplies and Adam: native, .*1 thread$/m : /no native BLAS: /);
    const again = trainInChild(1);
    assert.equal(again.weights, one.weights, "two trainings with the same thread count differ");
    const two = trainInChild(2);
    const floats = (c: ChildOutput) => { const b = Buffer.from(c.values, "base64"); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); };
    // BLAS sums in a different order on 2 threads (products agree to 2e-6, nativeBlas.test.ts); after
    // four Adam steps the weights differed by 2.1e-7 at most when measured.
    const err = relativeError(floats(two), floats(one));
    assert.ok(err <= 1e-5, `1 vs 2 threads: ${err.toExponential(2)}`);
  });

  it("a worker script that does not compile is reported before any worker starts", async () => {
    await assert.rejects(startThreadedModule(2, { workerSource: "this is not javascript(" }), SyntaxError);
  });

  it("falls back to the single-threaded backend and says why when the threaded build cannot start", async () => {
    require("@tensorflow/tfjs-backend-wasm");
    const report = useThreadedWasm(2, () => Promise.reject(new Error("no workers on this machine")));
    assert.equal(await tf.setBackend("wasm"), true);
    assert.equal(tf.getBackend(), "wasm");
    assert.equal(report.threads, 1);
    assert.equal(report.requested, 2);
    assert.match(report.reason ?? "", /the threaded wasm build did not start \(no workers on this machine\); using one thread/);
    const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
    assert.deepEqual(Array.from(y.dataSync()), [3, 3, 3, 3]);
    const text = describeBackend({ name: "wasm", tfName: "wasm", skipped: [], wasmFixes: false, threads: report, forced: true });
    assert.match(text, /, 1 thread\n  threads: the threaded wasm build did not start \(no workers on this machine\)/);
  });
});
