// Backend selection: forcing, clear errors, automatic native -> wasm -> cpu fall back, reporting.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as os from "os";
import * as tf from "@tensorflow/tfjs";
import { describeBackend, selectBackend } from "../../lib/src/backend";

const saved = { backend: process.env.AE_BACKEND, fixes: process.env.AE_WASM_FIXES };
before(() => {
  delete process.env.AE_BACKEND;
  delete process.env.AE_WASM_FIXES;
});
after(() => {
  for (const [key, value] of [["AE_BACKEND", saved.backend], ["AE_WASM_FIXES", saved.fixes]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** What automatic selection asks for: AE_THREADS, else 1 with the native BLAS (see defaultThreads), else every core. */
function automaticThreads(): number {
  const withBlas = require("autoencoders-native").load().blas !== undefined && process.env.AE_BLAS !== "0";
  return Number(process.env.AE_THREADS || (withBlas ? 1 : os.availableParallelism()));
}

function nativeInstalled(): boolean {
  try {
    require.resolve("@tensorflow/tfjs-node");
    return true;
  } catch {
    return false;
  }
}

describe("selectBackend", () => {
  it("force 'cpu' selects the cpu backend and says it was forced", async () => {
    const info = await selectBackend({ force: "cpu" });
    assert.equal(info.name, "cpu");
    assert.equal(info.tfName, "cpu");
    assert.equal(info.forced, true);
    assert.equal(info.wasmFixes, false);
    assert.equal(tf.getBackend(), "cpu");
    assert.match(describeBackend(info), /backend: cpu \(forced by AE_BACKEND\)/);
  });

  it("force 'wasm' with wasmFixes: false keeps wasm as shipped and says so", async () => {
    // The first wasm start fixes the process's thread count: the one automatic selection asks for below.
    const info = await selectBackend({ force: "WASM ", wasmFixes: false, threads: automaticThreads() }); // case and spaces are ignored
    assert.equal(info.name, "wasm");
    assert.equal(tf.getBackend(), "wasm");
    assert.equal(info.wasmFixes, false);
    assert.match(describeBackend(info), /wasm.*as shipped/);
  });

  it("force 'native' without tfjs-node fails with a message that says what to install", async () => {
    if (nativeInstalled()) {
      // Where tfjs-node is installed the same request must simply work.
      assert.equal((await selectBackend({ force: "native" })).name, "native");
      return;
    }
    await assert.rejects(selectBackend({ force: "native" }), (e: Error) => {
      assert.match(e.message, /AE_BACKEND=native was requested but it did not load/);
      assert.match(e.message, /install @tensorflow\/tfjs-node/);
      assert.match(e.message, /Unset AE_BACKEND/);
      return true;
    });
  });

  it("an invalid AE_BACKEND value is an error that lists the valid ones", async () => {
    process.env.AE_BACKEND = "gpu";
    try {
      await assert.rejects(selectBackend(), (e: Error) => {
        assert.match(e.message, /AE_BACKEND='gpu' is not a backend/);
        assert.match(e.message, /native, wasm, cpu/);
        return true;
      });
    } finally {
      delete process.env.AE_BACKEND;
    }
  });

  it("AE_BACKEND=cpu in the environment forces cpu", async () => {
    process.env.AE_BACKEND = "cpu";
    try {
      const info = await selectBackend();
      assert.equal(info.name, "cpu");
      assert.equal(info.forced, true);
    } finally {
      delete process.env.AE_BACKEND;
    }
  });

  it("automatic selection skips native with a reason, picks wasm with the course kernels, and reports both", async () => {
    const info = await selectBackend();
    if (nativeInstalled()) {
      assert.equal(info.name, "native");
      return;
    }
    assert.equal(info.name, "wasm");
    assert.equal(info.forced, false);
    assert.equal(info.wasmFixes, true);
    assert.equal(tf.getBackend(), "wasm");
    assert.ok(tf.getKernel("Conv2DBackpropFilter", "wasm"), "the course's wasm kernel is registered");
    assert.equal(info.skipped.length, 1);
    assert.equal(info.skipped[0].name, "native");
    assert.match(info.skipped[0].reason, /tfjs-node/);
    // As many threads as cores (or AE_THREADS), or one thread and the reason.
    const t = info.threads as { threads: number; requested: number; reason?: string };
    assert.equal(t.requested, automaticThreads());
    if (t.threads !== t.requested) assert.match(t.reason ?? "", /did not start/);
    const text = describeBackend(info);
    assert.match(text, new RegExp(`TensorFlow\\.js backend: wasm( \\+ OpenBLAS)? with the course's fast kernels, ${t.threads} threads?$`, "m"));
    // The native BLAS where it loads (and AE_BLAS allows), else the reason.
    assert.equal(info.blas?.library !== undefined, require("autoencoders-native").load().blas !== undefined && process.env.AE_BLAS !== "0");
    assert.match(text, info.blas?.library ? /matrix multiplies and Adam: native, OpenBLAS/ : /no native BLAS: /);
    assert.match(text, /skipped native: .*tfjs-node/);
    assert.doesNotMatch(text, /forced/);
  });
});
