// Grading throughput: a generated class of notebook-05 submissions (correct, wrong, looping, crashing,
// tampering) graded by `course-grade autograde` with 1 and with 2 kernels at a time. Prints
// submissions per minute, the peak resident memory of the grader with its kernels, and checks that
// every submission got the grade it must.
//
//   node --import tsx tests/bench/grading.bench.ts        (AE_BENCH_SUBMISSIONS=N, default 40)
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Expected, fixturesFor, meets } from "../grading/fixtures";

const root = path.resolve(__dirname, "..", "..");
const NAME = "05-denoising-autoencoder";
const COUNT = Number(process.env.AE_BENCH_SUBMISSIONS ?? 40);
// A class: mostly honest work, some of it wrong, and one of each kind of trouble in every ten.
const MIX = ["correct", "correct", "correct", "wrong-plausible", "correct", "infinite-loop", "process-exit", "tamper-asserts", "memory-hog", "wrong-plausible"];

/** Resident memory (MB) of a process and all its descendants, from /proc. */
function treeRssMb(pid: number): number {
  let total = 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const children = fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(/\s+/).filter(Boolean);
      for (const c of children) total += treeRssMb(Number(c));
    }
  } catch { /* the process ended */ }
  return total;
}

// The autograde runs (and the kernels they start) lead their own process groups; a bench stopped by
// SIGTERM or Ctrl-C ends them before it exits, so nothing it started keeps running.
const running = new Set<number>();
for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  process.on(signal, () => {
    for (const pid of running) {
      try { process.kill(-pid, "SIGTERM"); } catch { /* already gone */ }
    }
    process.exit(code);
  });
}

async function gradeClass(submissions: string, jobs: number): Promise<{ seconds: number; peakMb: number; out: string }> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `bench-graded-${jobs}-`));
  const t0 = Date.now();
  let peakMb = 0;
  const child = spawn(process.execPath, [path.join(root, "tools", "course-grade.js"), "autograde", submissions, "--out", out, "--jobs", String(jobs), "--cell-timeout", "30", "--memory", "2048"], { stdio: ["ignore", "inherit", "inherit"], detached: true });
  running.add(child.pid!);
  const sampler = setInterval(() => { peakMb = Math.max(peakMb, treeRssMb(child.pid!)); }, 250);
  const code: number = await new Promise((resolve) => child.on("close", resolve));
  running.delete(child.pid!);
  clearInterval(sampler);
  if (code !== 0) throw new Error(`course-grade exited with ${code}`);
  return { seconds: (Date.now() - t0) / 1000, peakMb, out };
}

async function main() {
  const instructor = JSON.parse(fs.readFileSync(path.join(root, "notebooks", `${NAME}.ipynb`), "utf8"));
  const { fixtures } = fixturesFor(NAME, instructor);
  const byName = new Map(fixtures.map((f) => [f.name, f]));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-class-"));
  const submissions = path.join(tmp, "submissions");
  const expected = new Map<string, Record<string, Expected>>();
  for (let i = 0; i < COUNT; i++) {
    const f = byName.get(MIX[i % MIX.length])!;
    const student = `s${String(i + 1).padStart(2, "0")}-${f.name}`;
    fs.mkdirSync(path.join(submissions, student), { recursive: true });
    fs.writeFileSync(path.join(submissions, student, `${NAME}.ipynb`), f.text);
    expected.set(student, f.expect);
  }
  console.log(`Grading ${COUNT} submissions of ${NAME} (${[...new Set(MIX)].join(", ")}), quick mode, 30 s per cell, 2048 MB per kernel, ${os.cpus().length} cores.`);
  const rows: string[] = [];
  try {
    for (const jobs of [1, 2]) {
      const r = await gradeClass(submissions, jobs);
      let wrongGrades = 0;
      for (const [student, expect] of expected) {
        const g = JSON.parse(fs.readFileSync(path.join(r.out, "graded", student, `${NAME}.json`), "utf8"));
        // An attack riding on a wrong answer must lose points (the integration test checks it earns exactly the wrong answer's).
        for (const [id, p] of Object.entries(expect)) if (!meets(g.exercises.find((e: { gradeId: string }) => e.gradeId === id).points, typeof p === "object" && "atMost" in p ? { below: 2 } : p, () => NaN)) wrongGrades++;
      }
      rows.push(`| ${jobs} | ${r.seconds.toFixed(0)} s | ${((60 * COUNT) / r.seconds).toFixed(2)} | ${r.peakMb.toFixed(0)} MB | ${wrongGrades} |`);
      fs.rmSync(r.out, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(["", "| jobs | wall time | submissions / minute | peak memory (grader + kernels) | grades not as expected |", "|---|---|---|---|---|", ...rows].join("\n"));
}

main().catch((e) => { console.error(e); process.exit(1); });
