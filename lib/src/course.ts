// How a notebook knows whether it runs in full mode (a student's default) or quick mode (tests), and
// how it records the numbers the syllabus asks for so a script can check them.
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "./paths";

export type Mode = "full" | "quick";

/** AE_MODE=quick runs the same code on less data and fewer epochs; anything else is full. */
export function mode(): Mode {
  const m = (process.env.AE_MODE ?? "full").toLowerCase();
  if (m !== "full" && m !== "quick") throw new Error(`AE_MODE='${process.env.AE_MODE}' is not a mode; use 'full' or 'quick'.`);
  return m;
}

export const QUICK_MODE_NOTICE = "QUICK MODE (AE_MODE=quick, meant for the tests): a few hundred images and an epoch or two, so the numbers this notebook prints are not the ones its text discusses. Start Jupyter without AE_MODE for the real run.";
let quickNoticeShown = false;

/**
 * Picks the settings of the current mode: `settings({ full: {...}, quick: {...} })`. In quick mode
 * the first call in a kernel says so, since a reader of a quick run would otherwise take its numbers
 * for the course's.
 */
export function settings<T>(byMode: { full: T; quick: Partial<T> }): T {
  if (mode() === "full") return byMode.full;
  if (!quickNoticeShown) {
    quickNoticeShown = true;
    console.log(QUICK_MODE_NOTICE);
  }
  return { ...byMode.full, ...byMode.quick };
}

const recorded: Record<string, unknown> = {};

/**
 * Records a result under `key` and prints it. With AE_RESULTS set (by the course runner) the results
 * file is rewritten each time, so a notebook that fails later still leaves what it computed.
 */
export function record(key: string, value: unknown, unit = ""): void {
  if (typeof value === "number" && !Number.isFinite(value)) console.warn(`record: ${key} is ${value}`);
  recorded[key] = value;
  const file = process.env.AE_RESULTS;
  if (file) {
    let all: Record<string, unknown> = {};
    try { all = JSON.parse(fs.readFileSync(file, "utf8")); } catch { /* first record */ }
    all[key] = value;
    fs.writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
  }
  const shown = typeof value === "number" ? Number(value.toPrecision(6)) : JSON.stringify(value);
  console.log(`recorded ${key} = ${shown}${unit ? " " + unit : ""}`);

}

/** Everything recorded in this kernel so far. */
export function results(): Record<string, unknown> {
  return { ...recorded };
}

/**
 * What another notebook recorded, to compare with instead of typing its numbers in: from the same
 * course run when this notebook is run by `npm run course`/`npm test`, else from the last full run
 * (build/course). Returns the results with where they came from, or undefined if there are none.
 */
export function recordedBy(notebook: string): { results: Record<string, unknown>; from: string } | undefined {
  const places = [
    ...(process.env.AE_RESULTS ? [path.join(path.dirname(process.env.AE_RESULTS), `${notebook}.json`)] : []),
    path.join(projectRoot(), "build", "course", "results", `${notebook}.json`),
  ];
  for (const file of places) {
    try {
      return { results: JSON.parse(fs.readFileSync(file, "utf8")), from: file };
    } catch { /* not run yet */ }
  }
  return undefined;
}
