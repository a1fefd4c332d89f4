// Every plausible wrong answer of tests/grading/wrongAnswers.ts, graded by course-grade in real
// kernels: each must lose points on its exercise. A submission carries one wrong answer per exercise
// of its notebook (the others correct, which must keep their points), so a notebook costs as many
// kernels as its longest list.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Notebook, cellSource, exercisesOf, studentVersion } from "../../lib/src/grading";
import { GradedSubmission } from "../../lib/src/grading/score";
import { WRONG_ANSWERS, WrongAnswer } from "../grading/wrongAnswers";

const root = path.resolve(__dirname, "..", "..");
const cli = path.join(root, "tools", "course-grade.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "course-grade-wrong-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const lines = (text: string) => text.split(/(?<=\n)/);
/** What a student hands in: the answer without the instructor's solution markers. */
const asStudent = (source: string) => source.replace(/^[ \t]*\/\/ (BEGIN|END) SOLUTION\n/gm, "");

describe("course-grade takes points from every plausible wrong answer", () => {
  const expected: { student: string; notebook: string; test: string; wrong?: WrongAnswer; max: number }[] = [];

  it("builds one submission per wrong answer of each exercise", () => {
    for (const [name, wrongs] of Object.entries(WRONG_ANSWERS)) {
      const instructor: Notebook = JSON.parse(fs.readFileSync(path.join(root, "notebooks", `${name}.ipynb`), "utf8"));
      const answerCell = (nb: Notebook, id: string) => nb.cells.find((c) => c.metadata?.nbgrader?.grade_id === id)!;
      const exercises = exercisesOf(instructor);
      for (const w of wrongs) assert.ok(exercises.some((e) => e.answers.includes(w.answer)), `${name}: no exercise has the answer cell '${w.answer}'`);
      const rounds = Math.max(...exercises.map((e) => wrongs.filter((w) => e.answers.includes(w.answer)).length));
      for (let k = 0; k < rounds; k++) {
        const student = `${name}--${k + 1}`;
        const nb = studentVersion(instructor);
        for (const e of exercises) {
          const wrong = wrongs.filter((w) => e.answers.includes(w.answer))[k];
          for (const id of e.answers) {
            const solution = cellSource(answerCell(instructor, id));
            answerCell(nb, id).source = lines(asStudent(wrong?.answer === id ? wrong.from(solution) : solution));
          }
          expected.push({ student, notebook: name, test: e.gradeId, wrong, max: e.points });
        }
        fs.mkdirSync(path.join(tmp, "submissions", student), { recursive: true });
        fs.writeFileSync(path.join(tmp, "submissions", student, `${name}.ipynb`), JSON.stringify(nb, null, 1));
      }
    }
    assert.ok(expected.some((e) => e.wrong));
  });

  it("grades them: each wrong answer loses points, each right one keeps them", (t) => {
    const out = path.join(tmp, "graded");
    const r = spawnSync(process.execPath, [cli, "autograde", path.join(tmp, "submissions"), "--out", out, "--jobs", "2", "--cell-timeout", "120", "--memory", "2048"], { encoding: "utf8", cwd: root });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const problems: string[] = [];
    for (const e of expected) {
      const graded: GradedSubmission = JSON.parse(fs.readFileSync(path.join(out, "graded", e.student, `${e.notebook}.json`), "utf8"));
      const exercise = graded.exercises.find((x) => x.gradeId === e.test)!;
      const report = exercise.tests.map((t) => `${t.name}: ${t.status}`).join("; ");
      if (e.wrong) t.diagnostic(`${e.notebook} '${e.wrong.answer}' ${e.wrong.name}: ${exercise.points}/${e.max} (${exercise.tests.filter((x) => x.status !== "passed").map((x) => x.part).join(", ")} failed)`);
      if (e.wrong && exercise.points >= e.max) problems.push(`${e.notebook} '${e.wrong.answer}' ${e.wrong.name} (${e.wrong.about}) kept ${exercise.points}/${e.max}: ${report}`);
      if (!e.wrong && exercise.points !== e.max) problems.push(`${e.notebook} '${e.test}' with the right answer got ${exercise.points}/${e.max}: ${report}`);
    }
    assert.deepEqual(problems, []);
  });
});
