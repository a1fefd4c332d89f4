// interruptibly: a SIGINT stops a long synchronous computation at once, and TensorFlow.js's
// bookkeeping (open tidy scopes, which the interrupt skips the `finally` of) is put back as it was.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "child_process";
import * as tf from "@tensorflow/tfjs";
import { ComputationInterruptedError, interruptibly } from "../../lib/src/training";

describe("interruptibly", () => {
  it("returns the work's result, and passes its errors on unchanged", () => {
    assert.equal(interruptibly("a sum", () => 1 + 2), 3);
    assert.throws(() => interruptibly("a check", () => { throw new RangeError("k must be ≥ 1"); }), /^RangeError: k must be ≥ 1$/);
  });

  it("a SIGINT stops an endless loop inside tf.tidy; no tensor and no open scope is left", async () => {
    await tf.ready();
    const before = tf.memory().numTensors;
    const depth = (tf.engine().state as unknown as { scopeStack: unknown[] }).scopeStack.length;
    // The signal comes from another process once the loop runs; the loop never ends by itself.
    const killer = spawn("sh", ["-c", `sleep 0.5; kill -INT ${process.pid}`]);
    const t0 = Date.now();
    assert.throws(() => interruptibly("the endless loop", () => tf.tidy(() => {
      let a = tf.ones([50, 50]);
      for (;;) a = tf.div(tf.matMul(a, tf.ones([50, 50])), 50);
    })), (e: unknown) => e instanceof ComputationInterruptedError && /^the endless loop interrupted: it changed nothing/.test(e.message));
    await new Promise((r) => killer.on("exit", r));
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(tf.memory().numTensors, before, "the loop's tensors were freed");
    assert.equal((tf.engine().state as unknown as { scopeStack: unknown[] }).scopeStack.length, depth, "no scope left open");
    const after = tf.tidy(() => tf.add(tf.ones([2]), 1));
    assert.equal(tf.memory().numTensors, before + 1, "tf.tidy works as before");
    after.dispose();
  });
});
