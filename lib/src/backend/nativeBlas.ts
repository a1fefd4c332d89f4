// The optional native BLAS (lib/native): loads it, sets its threads, and says why when it is not used.
// AE_BLAS=0 turns it off; AE_BLAS=1 makes its absence an error (CI, where it must be there).
import type { NativeBlas } from "autoencoders-native";

export type BlasMode = "auto" | "off" | "require";

export interface BlasStatus {
  /** For example "OpenBLAS 0.3.21 (SkylakeX)" when matrix multiplies run on it. */
  library?: string;
  /** Its thread count (0: Accelerate sizes its own pool). */
  threads?: number;
  /** Why it is not used. */
  reason?: string;
}

/** AE_BLAS: unset → use it where it loads, 0 → never, 1 → always (an error where it cannot load). */
export function blasMode(env: string | undefined = process.env.AE_BLAS): BlasMode {
  const v = (env ?? "").trim();
  if (v === "") return "auto";
  if (v === "0") return "off";
  if (v === "1") return "require";
  throw new Error(`AE_BLAS='${env}' is not understood; use 0 (wasm kernels only), 1 (native BLAS, or an error) or leave it unset.`);
}

/** True when the addon is built and loads (it is then cached by require). */
export function nativeBlasLoads(): boolean {
  try {
    return require("autoencoders-native").load().blas !== undefined;
  } catch {
    return false;
  }
}

/** The addon with `threads` threads, or undefined and the reason. */
export function loadNativeBlas(mode: BlasMode, threads: number): { blas?: NativeBlas; status: BlasStatus } {
  if (mode === "off") return { status: { reason: "turned off by AE_BLAS=0" } };
  let loaded: { blas?: NativeBlas; reason?: string };
  try {
    loaded = require("autoencoders-native").load();
  } catch (e) {
    loaded = { reason: `the autoencoders-native package is missing (${(e as Error).message.split("\n")[0]}); run npm install` };
  }
  if (!loaded.blas) {
    if (mode === "require") throw new Error(`AE_BLAS=1 asks for the native BLAS, but ${loaded.reason}. Unset AE_BLAS to run on the wasm kernels alone.`);
    return { status: { reason: loaded.reason } };
  }
  loaded.blas.setThreads(threads);
  return { blas: loaded.blas, status: { library: loaded.blas.library(), threads: loaded.blas.getThreads() } };
}
