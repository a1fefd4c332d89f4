// Picks the fastest TensorFlow.js backend that loads: native (tfjs-node) -> wasm -> cpu.
// AE_BACKEND=native|wasm|cpu forces one. The choice and the reasons better ones were skipped are
// reported, because a silent fall back to the pure-JS cpu backend costs a 20x slowdown.
import * as tf from "@tensorflow/tfjs";
import { blasBatchMatMulConfig, blasFusedMatMulConfig } from "./blasMatMul";
import { fastBatchMatMulConfig } from "./fastBatchMatMul";
import { conv2dBackpropFilterConfig } from "./conv2dBackpropFilter";
import { conv2dBackpropInputConfig } from "./conv2dBackpropInput";
import { useNativeAdam } from "./nativeAdam";
import { blasMode, BlasStatus, loadNativeBlas, nativeBlasLoads } from "./nativeBlas";
import { requestedThreads, useThreadedWasm, WasmThreading } from "./wasmThreads";

export { blasMode, BlasStatus } from "./nativeBlas";

export type BackendName = "native" | "wasm" | "cpu";
export interface BackendInfo {
  /** Our name for it: native, wasm or cpu. */
  name: BackendName;
  /** The name TensorFlow.js registers it under ("tensorflow", "wasm", "cpu"). */
  tfName: string;
  /** Why each better backend was not used. */
  skipped: { name: BackendName; reason: string }[];
  /** True when the library's wasm kernels (fast transposed matmul, Conv2DBackpropFilter, Conv2DBackpropInput) are in place. */
  wasmFixes: boolean;
  /** wasm with the course's kernels: the BLAS its matrix multiplies run on, or why none. */
  blas?: BlasStatus;
  /** wasm: the threads it uses and, when fewer than requested, why. cpu: 1. native: TensorFlow's own pool. */
  threads: WasmThreading | { threads: 1 | "native" };
  forced: boolean;
}

const ORDER: BackendName[] = ["native", "wasm", "cpu"];
const TF_NAME: Record<BackendName, string> = { native: "tensorflow", wasm: "wasm", cpu: "cpu" };

let wasmFixesInstalled = false;
let blasStatus: BlasStatus | undefined;

/**
 * Registers the library's wasm kernels; call before the wasm backend initialises. Idempotent: the
 * first call decides. Matrix multiplies go to the native BLAS where it loads (`blas`, default
 * AE_BLAS: "off" never, "require" or an error) with `threads` threads (default AE_THREADS), and
 * tf.train.adam then builds the addon's one-pass Adam (nativeAdam.ts).
 */
export function installWasmFixes(options: { blas?: "auto" | "off" | "require"; threads?: number } = {}): BlasStatus {
  if (wasmFixesInstalled) return blasStatus!;
  const { blas, status } = loadNativeBlas(options.blas ?? blasMode(), options.threads ?? requestedThreads());
  require("@tensorflow/tfjs-backend-wasm");
  const original = tf.getKernel("BatchMatMul", "wasm");
  const fused = tf.getKernel("_FusedMatMul", "wasm");
  if (!original || !fused) throw new Error("The wasm backend registered no BatchMatMul or _FusedMatMul kernel; is @tensorflow/tfjs-backend-wasm 4.22.0 installed?");
  tf.unregisterKernel("BatchMatMul", "wasm");
  const wasmMatMul = fastBatchMatMulConfig(original);
  tf.registerKernel(blas ? blasBatchMatMulConfig(blas, wasmMatMul) : wasmMatMul);
  if (blas) {
    tf.unregisterKernel("_FusedMatMul", "wasm");
    tf.registerKernel(blasFusedMatMulConfig(blas, fused));
    useNativeAdam(blas);
  }
  if (!tf.getKernel("Conv2DBackpropFilter", "wasm")) tf.registerKernel(conv2dBackpropFilterConfig);
  // Replaces wasm's scalar loop (see conv2dBackpropInput.ts).
  if (tf.getKernel("Conv2DBackpropInput", "wasm")) tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel(conv2dBackpropInputConfig);
  wasmFixesInstalled = true;
  blasStatus = status;
  return status;
}

let wasmThreading: WasmThreading | undefined;

/** Why tfjs-node did not load, and how to get it: npm drops an optional package whose install fails, silently. */
function nativeMissingReason(e: unknown): string {
  const first = firstLine(e);
  if (!/Cannot find module '@tensorflow\/tfjs-node'/.test(first)) return `@tensorflow/tfjs-node did not load (${first})`;
  return "@tensorflow/tfjs-node is not installed. It is optional: its install downloads the TensorFlow C library, so " +
    "npm skips it without a word when that download fails (offline) or has no build for this platform (e.g. Linux on ARM, Windows " +
    "without WSL). On a platform tfjs-node has builds for, with internet: `npm install @tensorflow/tfjs-node`, " +
    "then restart the kernel. The course runs on wasm without it";
}

async function tryBackend(name: BackendName, wasmFixes: boolean, threads: number, blas: "auto" | "off" | "require"): Promise<void> {
  if (name === "native") {
    // tfjs-node is an optional dependency: it needs a download at install time.
    require("@tensorflow/tfjs-node");
  } else if (name === "wasm") {
    if (wasmFixes) installWasmFixes({ blas, threads });
    else require("@tensorflow/tfjs-backend-wasm");
    // Once per process: the threaded factory replaces the stock one before the backend first starts.
    wasmThreading ??= useThreadedWasm(threads);
  }
  const ok = await tf.setBackend(TF_NAME[name]);
  // setBackend resolves false (and tfjs may quietly fall back) when initialisation fails.
  if (!ok || tf.getBackend() !== TF_NAME[name]) throw new Error(`tf.setBackend('${TF_NAME[name]}') failed to initialise`);
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0];
}

/**
 * Selects a backend. With `force` (or AE_BACKEND) only that one is tried, and a failure is an error.
 * `wasmFixes: false` (or AE_WASM_FIXES=0) keeps the wasm backend as shipped, for benchmarks.
 * `threads` (or AE_THREADS; default: one thread with the native BLAS, else every core) is the wasm backend's thread count. It takes effect
 * the first time the wasm backend starts in a process.
 */
export async function selectBackend(options: { force?: string; wasmFixes?: boolean; threads?: number; blas?: "auto" | "off" | "require" } = {}): Promise<BackendInfo> {
  const forcedRaw = (options.force ?? process.env.AE_BACKEND ?? "").trim().toLowerCase();
  const wasmFixes = options.wasmFixes ?? process.env.AE_WASM_FIXES !== "0";
  const blas = options.blas ?? blasMode();
  const threads = options.threads ?? defaultThreads(wasmFixes && blas !== "off");
  if (forcedRaw && !ORDER.includes(forcedRaw as BackendName)) {
    throw new Error(`AE_BACKEND='${forcedRaw}' is not a backend; use one of: ${ORDER.join(", ")} (or leave it unset to pick automatically).`);
  }
  const candidates = forcedRaw ? [forcedRaw as BackendName] : ORDER;
  const skipped: BackendInfo["skipped"] = [];
  for (const name of candidates) {
    try {
      await tryBackend(name, wasmFixes, threads, blas);
      const threading = name === "wasm" ? { ...wasmThreading! } : { threads: name === "native" ? "native" as const : 1 as const };
      const fixes = name === "wasm" && wasmFixesInstalled;
      return { name, tfName: TF_NAME[name], skipped, wasmFixes: fixes, ...(fixes ? { blas: { ...blasStatus } } : {}), threads: threading, forced: !!forcedRaw };
    } catch (e) {
      skipped.push({ name, reason: name === "native" ? nativeMissingReason(e) : firstLine(e) });
    }
  }
  if (forcedRaw) {
    throw new Error(`AE_BACKEND=${forcedRaw} was requested but it did not load: ${skipped[0].reason}. ` +
      `Unset AE_BACKEND to fall back automatically${forcedRaw === "native" ? ", or install @tensorflow/tfjs-node (needs internet)" : ""}.`);
  }
  throw new Error(`No TensorFlow.js backend loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}`);
}

/** One line per fact, for people. */
export function describeBackend(info: BackendInfo): string {
  const t = info.threads;
  const threads = t.threads === "native" ? ", TensorFlow's own thread pool" : `, ${t.threads} thread${t.threads === 1 ? "" : "s"}`;
  const blas = info.blas?.library ? ` + ${info.blas.library.split(" ")[0]}` : "";
  const lines = [`TensorFlow.js backend: ${info.name}${blas}${info.forced ? " (forced by AE_BACKEND)" : ""}` +
    (info.name === "wasm" ? (info.wasmFixes ? " with the course's fast kernels" : " as shipped (no course kernels)") : "") + threads];
  if (info.blas?.library && info.blas.threads) {
    lines.push(`  matrix multiplies and Adam: native, ${info.blas.library}, ${info.blas.threads} thread${info.blas.threads === 1 ? "" : "s"}`);
    if (t.threads === 1 && (process.env.AE_THREADS ?? "").trim() === "") lines.push("  threads: 1 by default with the native BLAS (faster than two pools sharing the cores); AE_THREADS=N for more");
  }
  if (info.blas?.reason) lines.push(`  no native BLAS: ${info.blas.reason}`);
  if ("reason" in t && t.reason) lines.push(`  threads: ${t.reason}`);
  for (const s of info.skipped) lines.push(`  skipped ${s.name}: ${s.reason}`);
  return lines.join("\n");
}

/**
 * AE_THREADS if set. Otherwise every core on wasm alone, but one thread where the native BLAS will
 * load: with it, one thread for wasm and BLAS trained faster than two on the course's 2-core machine
 * (an MLP AE epoch 2.0 s against 3.2 s, a conv AE 1.9 s against 2.5 s, medians of 3), because two
 * thread pools then compete for two cores.
 */
function defaultThreads(nativeBlasWanted: boolean): number {
  if ((process.env.AE_THREADS ?? "").trim() !== "" || !nativeBlasWanted || !nativeBlasLoads()) return requestedThreads();
  return 1;
}

let selection: Promise<BackendInfo> | undefined;

/** Starts (once) and awaits the backend selection; every notebook awaits this first. */
export function ready(): Promise<BackendInfo> {
  if (!selection) selection = selectBackend();
  return selection;
}
