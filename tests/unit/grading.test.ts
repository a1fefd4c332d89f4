// Exercise tooling: student versions of notebooks (nbgrader conventions) and the assertions that
// give students feedback.
import { describe, it, mock } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  ExerciseCheckError, Notebook, NotebookCell, STUB, assertClose, assertShape, assertTrue, cellSource, isGradedTestCell,
  isSolutionCell, passed, replaceRegions, studentVersion,
} from "../../lib/src/grading";

/** A cell's source in Jupyter's list-of-lines form. */
const lines = (text: string) => text.split(/(?<=\n)/);

function notebook(): Notebook {
  const nbgrader = (extra: Record<string, unknown>) => ({ nbgrader: { schema_version: 3, locked: false, ...extra } });
  const cells: NotebookCell[] = [
    { cell_type: "markdown", source: "## Exercise\n// BEGIN SOLUTION is only text here", metadata: {} },
    {
      cell_type: "code", metadata: nbgrader({ grade_id: "double", solution: true, grade: false }), execution_count: 4,
      outputs: [{ output_type: "stream", name: "stdout", text: "hi" }],
      source: lines("function double(x: number): number {\n  // BEGIN SOLUTION\n  const y = x * 2;\n  return y;\n  // END SOLUTION\n}\n\tconst k = 1;\n\t// BEGIN SOLUTION\n\tconsole.log(k);\n\t// END SOLUTION"),
    },
    {
      cell_type: "code", metadata: nbgrader({ grade_id: "double-test", grade: true, solution: false, points: 2, locked: true }), execution_count: 5,
      outputs: [{ output_type: "stream", name: "stdout", text: "✓" }],
      source: "assertClose(double(2), 4, 'double');\n// BEGIN HIDDEN TESTS\nassertClose(double(-3), -6, 'double');\n// END HIDDEN TESTS\npassed('double');",
    },
  ];
  return { cells, metadata: { kernelspec: { name: "tslab" } }, nbformat: 4, nbformat_minor: 5 };
}

describe("studentVersion", () => {
  it("replaces each solution region by the stub at the region's indentation", () => {
    const student = studentVersion(notebook());
    assert.equal(cellSource(student.cells[1]), [
      "function double(x: number): number {",
      `  ${STUB[0]}`,
      `  ${STUB[1]}`,
      "}",
      "\tconst k = 1;",
      `\t${STUB[0]}`,
      `\t${STUB[1]}`,
    ].join("\n"));
    assert.deepEqual(STUB, ["// YOUR CODE HERE", 'throw new Error("Exercise not implemented yet");']);
  });

  it("removes hidden tests, or keeps them on request", () => {
    assert.equal(cellSource(studentVersion(notebook()).cells[2]), "assertClose(double(2), 4, 'double');\npassed('double');");
    const kept = cellSource(studentVersion(notebook(), { keepHiddenTests: true }).cells[2]);
    assert.equal(kept, notebook().cells[2].source);
  });

  it("clears outputs and execution counts, keeps metadata and markdown, and leaves the input untouched", () => {
    const original = notebook();
    const student = studentVersion(original);
    for (const cell of student.cells.slice(1)) {
      assert.deepEqual(cell.outputs, []);
      assert.equal(cell.execution_count, null);
    }
    assert.deepEqual(student.cells.map((c) => c.metadata), original.cells.map((c) => c.metadata));
    assert.deepEqual(student.cells[0], original.cells[0]);
    assert.deepEqual(student.metadata, original.metadata);
    assert.deepEqual(original, notebook(), "the instructor's notebook is not modified");
    // Jupyter's form: a list of lines, each but the last ending in a newline.
    const src = student.cells[1].source as string[];
    assert.ok(Array.isArray(src));
    src.slice(0, -1).forEach((l) => assert.ok(l.endsWith("\n"), JSON.stringify(l)));
  });

  it("recognises answer and graded test cells by their nbgrader metadata", () => {
    const [md, answer, test] = notebook().cells;
    assert.deepEqual([isSolutionCell(md), isSolutionCell(answer), isSolutionCell(test)], [false, true, false]);
    assert.deepEqual([isGradedTestCell(md), isGradedTestCell(answer), isGradedTestCell(test)], [false, false, true]);
  });

  it("reports an unclosed or nested marker with its cell and line", () => {
    const broken = (source: string) => {
      const nb = notebook();
      nb.cells[2] = { ...nb.cells[2], source };
      return nb;
    };
    assert.throws(() => studentVersion(broken("a();\n// BEGIN SOLUTION\nb();")),
      /cell 2: '\/\/ BEGIN SOLUTION' on line 2 is never closed with '\/\/ END SOLUTION'/);
    assert.throws(() => studentVersion(broken("// BEGIN SOLUTION\nx\n  // BEGIN SOLUTION\n// END SOLUTION\n// END SOLUTION")),
      /cell 2: '\/\/ BEGIN SOLUTION' on line 3 inside another region opened on line 1/);
    assert.throws(() => studentVersion(broken("x();\n// END HIDDEN TESTS")),
      /cell 2: '\/\/ END HIDDEN TESTS' on line 2 without a '\/\/ BEGIN HIDDEN TESTS'/);
  });
});

describe("replaceRegions", () => {
  it("replaces several regions and keeps everything outside them", () => {
    const text = "a\n<<\nb\n>>\nc\n  <<\n  d\n  >>\ne";
    assert.equal(replaceRegions(text, "<<", ">>", ["X", "Y"], "t"), "a\nX\nY\nc\n  X\n  Y\ne");
    assert.equal(replaceRegions(text, "<<", ">>", [], "t"), "a\nc\ne");
    assert.equal(replaceRegions("no markers", "<<", ">>", ["X"], "t"), "no markers");
  });
});

describe("assertClose", () => {
  it("passes on values within the tolerance, for numbers, arrays, Float32Arrays and tensors", () => {
    assertClose(1.00001, 1, "number");
    assertClose([1, 2.0001], [1, 2], "array", { rtol: 1e-4 });
    assertClose([[1, 2], [3, 4]], Float32Array.from([1, 2, 3, 4]), "nested");
    const t = tf.tensor2d([[1, 2], [3, 4]]);
    assertClose(t, [[1, 2], [3, 4]], "tensor");
    t.dispose();
    assertClose(10.5, 10, "loose", { atol: 0.6, rtol: 0 });
  });

  it("fails with the name, the index, both values and the difference", () => {
    assert.throws(() => assertClose([1, 2, 3.5], [1, 2, 3], "my vector"), (e: unknown) => {
      assert.ok(e instanceof ExerciseCheckError);
      assert.equal(e.name, "ExerciseCheckError");
      assert.match(e.message, /✗ my vector: value 2 is 3.5, expected 3 \(difference 5.00e-1\)/);
      return true;
    });
    assert.throws(() => assertClose(1.1, 1, "tight", { atol: 0.05, rtol: 0 }), ExerciseCheckError);
    assert.throws(() => assertClose(NaN, 1, "nan"), /value 0 is NaN/);
  });

  it("explains a wrong number of values and a missing return value", () => {
    assert.throws(() => assertClose([1, 2], [[1, 2], [3, 4]], "grid"), /grid: expected 4 values \(shape \[2,2\]\), got 2 \(shape \[2\]\)/);
    assert.throws(() => assertClose(undefined as unknown as number, 1, "result"), /result: got undefined \(did you return a value\?\)/);
  });
});

describe("assertShape and assertTrue", () => {
  it("assertShape passes on the right shape and explains the wrong one", () => {
    const x = tf.zeros([2, 3]);
    assertShape(x, [2, 3], "codes");
    assert.throws(() => assertShape(x, [3, 2], "codes"), (e: unknown) =>
      e instanceof ExerciseCheckError && /✗ codes: expected shape \[3,2\], got \[2,3\]/.test(e.message));
    assert.throws(() => assertShape(undefined, [2], "codes"), /expected a tf.Tensor of shape \[2\], got undefined \(did you return it\?\)/);
    assert.throws(() => assertShape([1, 2] as unknown as tf.Tensor, [2], "codes"), /got object/);
    x.dispose();
  });

  it("assertTrue passes on a truthy condition and shows the hint otherwise", () => {
    assertTrue(1 < 2, "order");
    assert.throws(() => assertTrue(false, "loss decreased", "lower the learning rate"),
      /✗ loss decreased: check failed\. Hint: lower the learning rate/);
  });

  it("passed prints a tick with the check's name", (t) => {
    const log = t.mock.method(console, "log", () => {});
    passed("exercise 1");
    assert.deepEqual(log.mock.calls.map((c) => c.arguments), [["✓ exercise 1"]]);
    mock.restoreAll();
  });
});
