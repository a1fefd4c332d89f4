// Runs the wasm backend on several cores. tfjs 4.22 never starts its threaded SIMD build under Node
// (it forces WASM_HAS_MULTITHREAD_SUPPORT to false, tensorflow/tfjs#3830). What stops it, and what
// this file does about each (found with tfjs-backend-wasm 4.22 on Node 20):
//  - its workers are created from a `blob:` URL, which Node's worker_threads refuses: we write the
//    worker source tfjs ships to a real file and hand emscripten that path;
//  - the C++ side sizes its pool to half the logical cores: we show it twice the threads we want
//    while the backend initialises;
//  - the pool's workers keep Node alive: we unref() them and terminate the ones the pool did not take.
// A backend built from the threaded module is registered under the name 'wasm', so every kernel
// (the course's included) runs on it unchanged. If it cannot start, the stock single-threaded
// backend is used and the reason is reported.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vm from "vm";
import * as tf from "@tensorflow/tfjs";

export interface WasmThreading {
  /** Threads the backend actually uses. */
  threads: number;
  /** Threads asked for (AE_THREADS, or the number of cores). */
  requested: number;
  /** Why fewer threads than requested are used. */
  reason?: string;
}

const START_TIMEOUT_MS = 30_000;

/** AE_THREADS if set (a positive integer), else the number of cores. */
export function requestedThreads(env: string | undefined = process.env.AE_THREADS): number {
  if (env === undefined || env.trim() === "") return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`AE_THREADS='${env}' is not a number of threads; use a positive integer such as 1 or 2 (or leave it unset to use every core).`);
  }
  return n;
}

type WasmModule = any;
const wasmOut = () => path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js"));

/** The worker script as a file, written once per content (tfjs escapes its newlines the same way). */
function workerFile(source: string): string {
  const text = source.replace(/\n/g, "\\n");
  new vm.Script(text, { filename: "tfjs-wasm-worker.cjs" }); // a syntax error here, not inside a dying worker
  const hash = crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);
  const file = path.join(os.tmpdir(), `autoencoders-tfjs-wasm-worker-${hash}.cjs`);
  if (!fs.existsSync(file)) {
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, file); // atomic: a concurrent process never reads half a file
  }
  return file;
}

/** Instantiates tfjs's threaded SIMD wasm module with its workers started from a real file. */
export async function startThreadedModule(threads: number, options: { workerSource?: string; timeoutMs?: number } = {}): Promise<WasmModule> {
  if (typeof SharedArrayBuffer === "undefined") throw new Error("this Node has no SharedArrayBuffer");
  const dir = wasmOut();
  const factory = require(path.join(dir, "tfjs-backend-wasm-threaded-simd.js"));
  const worker = workerFile(options.workerSource ?? require(path.join(dir, "tfjs-backend-wasm-threaded-simd.worker.js")).wasmWorkerContents);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`its workers did not start within ${(options.timeoutMs ?? START_TIMEOUT_MS) / 1000} s`)), options.timeoutMs ?? START_TIMEOUT_MS);
  });
  // The C++ side sizes its pool to half of require("os").cpus().length, read once while the module
  // starts (a static initialiser). Show it twice the threads wanted, for that one call only.
  const nodeOs = require("os"); // the real module object, not an import's namespace copy
  const cpus = nodeOs.cpus;
  nodeOs.cpus = function patched() {
    if (!String(new Error().stack).includes("tfjs-backend-wasm-threaded-simd")) return cpus.call(nodeOs);
    nodeOs.cpus = cpus;
    return Array.from({ length: 2 * threads }, () => cpus.call(nodeOs)[0]);
  };
  let module: WasmModule;
  try {
    module = await Promise.race([factory({
      locateFile: (file: string, prefix: string) =>
        file.endsWith(".worker.js") ? worker : file.endsWith(".wasm") ? path.join(dir, "tfjs-backend-wasm-threaded-simd.wasm") : prefix + file,
    }), timeout]);
  } finally {
    clearTimeout(timer);
    nodeOs.cpus = cpus;
  }
  // The bridge tfjs's own init() adds (tf-backend-wasm.node.js), which BackendWasm expects.
  module.tfjs = {
    init: module.cwrap("init", null, []),
    initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
    getThreadsCount: module.cwrap("get_threads_count", "number", []),
    registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
    disposeData: module.cwrap("dispose_data", null, ["number"]),
    dispose: module.cwrap("dispose", null, []),
  };
  return module;
}

/** A BackendWasm on the threaded module with `threads` threads; workers never keep Node alive. */
function threadedBackend(module: WasmModule, threads: number): tf.KernelBackend {
  const wasm = require("@tensorflow/tfjs-backend-wasm");
  wasm.setThreadsCount(threads);
  const backend: tf.KernelBackend = new wasm.BackendWasm(module);
  const actual = wasm.getThreadsCount();
  const pthread = module.PThread;
  for (const w of pthread.unusedWorkers) w.terminate(); // started by emscripten, never used by the pool
  pthread.unusedWorkers = [];
  for (const w of pthread.runningWorkers) w.unref();
  if (actual !== threads) throw new Error(`the pool started ${actual} threads instead of ${threads}`);
  return backend;
}

/**
 * Replaces the 'wasm' backend factory with one that starts the threaded build with `threads` threads
 * and falls back to the stock single-threaded backend, recording why, when it cannot. Call before the
 * wasm backend initialises. The returned object is filled in when it does.
 */
export function useThreadedWasm(threads: number, start: (threads: number) => Promise<WasmModule> = startThreadedModule): WasmThreading {
  const report: WasmThreading = { threads: 1, requested: threads };
  if (threads <= 1) return report;
  const stock = tf.findBackendFactory("wasm");
  if (!stock) throw new Error("useThreadedWasm: the wasm backend is not registered; require @tensorflow/tfjs-backend-wasm first.");
  tf.removeBackend("wasm");
  tf.registerBackend("wasm", async () => {
    let module: WasmModule | undefined;
    try {
      module = await start(threads);
      const backend = threadedBackend(module, threads);
      report.threads = threads;
      return backend;
    } catch (e) {
      for (const w of [...(module?.PThread?.unusedWorkers ?? []), ...(module?.PThread?.runningWorkers ?? [])]) w.terminate();
      report.reason = `the threaded wasm build did not start (${(e as Error).message.split("\n")[0]}); using one thread`;
      require("@tensorflow/tfjs-backend-wasm").setThreadsCount(1);
      return stock();
    }
  }, 2);
  return report;
}
