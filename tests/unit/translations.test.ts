// The Korean edition's checks (tools/translations.js) on a tiny course in a temporary folder: each
// way a translation can go stale or lose something fails, naming the notebook and the cell.
import { describe, it, beforeEach, afterEach, mock } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const t = require("../../tools/translations.js");

const ENGLISH = "## The autoencoder\n\nIts loss is $\\|x - \\hat x\\|^2$ over 784 pixels; see `ae.losses.mse` and [notebook 08](08-vae.ipynb).";
const KOREAN = "## 오토인코더 (autoencoder)\n\n손실은 784개 픽셀에 대한 $\\|x - \\hat x\\|^2$입니다. `ae.losses.mse`와 [노트북 08](08-vae.ipynb)을 보십시오.";

describe("tools/translations.js", () => {
  let root: string;
  let dirs: ReturnType<typeof t.folders>;
  const write = (file: string, text: string) => { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, text); };
  const notebook = (markdown: string) => ({
    cells: [
      { cell_type: "markdown", id: "intro", metadata: {}, source: markdown.split(/(?<=\n)/) },
      { cell_type: "code", id: "code-1", metadata: { nbgrader: { grade_id: "x", solution: true } }, source: ["const x = 1;"], outputs: [], execution_count: null },
    ],
    metadata: { kernelspec: { name: "autoencoders-ts" } }, nbformat: 4, nbformat_minor: 5,
  });
  const translation = (ko: string, en = ENGLISH) => `<!-- cell: intro en: ${t.fingerprint(en)} -->\n${ko}\n`;
  /** Runs `check` (or `build`) on the tiny course; returns its exit code and what it printed. */
  const run = (command: string) => {
    const errors: string[] = [];
    const err = mock.method(console, "error", (m: string) => { errors.push(m); });
    const log = mock.method(console, "log", () => {});
    try {
      return { code: t.main([command], dirs), errors };
    } finally {
      err.mock.restore();
      log.mock.restore();
    }
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "translations-test-"));
    dirs = t.folders(root);
    write(path.join(dirs.notebooks, "01-tiny.ipynb"), JSON.stringify(notebook(ENGLISH), null, 1) + "\n");
    write(dirs.glossary, JSON.stringify({ terms: [{ en: "autoencoder", ko: "오토인코더" }, { en: "loss function", ko: "손실 함수" }] }));
    write(path.join(dirs.translations, "01-tiny.md"), translation(KOREAN));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("builds the Korean notebook: markdown replaced, code and metadata copied unchanged, and then checks clean", () => {
    assert.equal(run("check").code, 1, "not built yet: out of date");
    assert.equal(run("build").code, 0);
    const ko = JSON.parse(fs.readFileSync(path.join(dirs.ko, "01-tiny.ipynb"), "utf8"));
    const en = notebook(ENGLISH);
    assert.equal(ko.cells[0].source.join(""), KOREAN);
    assert.deepEqual(ko.cells[1], en.cells[1]);
    assert.deepEqual(ko.metadata, en.metadata);
    assert.deepEqual(run("check"), { code: 0, errors: [] });
  });

  const cases: [string, () => void, RegExp][] = [
    ["a missing translation", () => write(path.join(dirs.translations, "01-tiny.md"), ""), /01-tiny, cell 'intro': no translation/],
    ["a changed English cell", () => write(path.join(dirs.notebooks, "01-tiny.ipynb"), JSON.stringify(notebook(ENGLISH.replace("784", "785")), null, 1)), /01-tiny, cell 'intro': the English text changed since it was translated/],
    ["a dropped formula", () => write(path.join(dirs.translations, "01-tiny.md"), translation(KOREAN.replace("$\\|x - \\hat x\\|^2$", "제곱 오차"))), /cell 'intro': the translation drops or alters the formula/],
    ["an altered code span", () => write(path.join(dirs.translations, "01-tiny.md"), translation(KOREAN.replace("`ae.losses.mse`", "`ae.losses.MSE`"))), /drops or alters the code span "`ae.losses.mse`"/],
    ["a changed link", () => write(path.join(dirs.translations, "01-tiny.md"), translation(KOREAN.replace("(08-vae.ipynb)", "(ko/08-vae.ipynb)"))), /drops or alters the link target "08-vae.ipynb"/],
    ["a changed number", () => write(path.join(dirs.translations, "01-tiny.md"), translation(KOREAN.replace("784개", "칠백팔십사 개"))), /drops or alters the number "784"/],
    ["a glossary term not used", () => write(path.join(dirs.translations, "01-tiny.md"), translation(KOREAN.replace("오토인코더 (autoencoder)", "자동 부호기 (autoencoder)"))), /the English says 'autoencoder' but the Korean lacks the glossary's '오토인코더'/],
    ["no English at a term's first use", () => write(path.join(dirs.translations, "01-tiny.md"), translation(KOREAN.replace(" (autoencoder)", ""))), /the first '오토인코더' in the notebook must be followed by '\(autoencoder\)'/],
    ["an untranslated cell", () => write(path.join(dirs.translations, "01-tiny.md"), translation(ENGLISH)), /the translation has no Korean text/],
    ["a Korean notebook edited by hand", () => { run("build"); const f = path.join(dirs.ko, "01-tiny.ipynb"); fs.writeFileSync(f, fs.readFileSync(f, "utf8").replace("const x = 1;", "const x = 2;")); }, /notebooks\/ko\/01-tiny.ipynb is out of date/],
  ];
  for (const [what, make, message] of cases) {
    it(`fails on ${what}, naming the notebook and the cell`, () => {
      run("build");
      make();
      const r = run("check");
      assert.equal(r.code, 1, `check passed despite ${what}`);
      assert.ok(r.errors.some((e) => message.test(e)), `expected ${message}, got:\n${r.errors.join("\n")}`);
    });
  }

  /** Replaces the tiny course's English cell and its translation, builds, and checks. */
  const course = (en: string, ko: string) => {
    write(path.join(dirs.notebooks, "01-tiny.ipynb"), JSON.stringify(notebook(en), null, 1) + "\n");
    write(path.join(dirs.translations, "01-tiny.md"), translation(ko, en));
    run("build");
    return run("check");
  };

  it("accepts a formula whose \\text labels are translated, and fails one whose symbols or numbers changed", () => {
    const en = "## The autoencoder\n\nIts loss is $L = L_{\\text{rec}} + 0.5\\,\\lambda\\,\\Omega \\quad \\text{(2 terms)}$ per image.";
    const ko = "## 오토인코더 (autoencoder)\n\n손실은 이미지마다 $L = L_{\\text{재구성}} + 0.5\\,\\lambda\\,\\Omega \\quad \\text{(항 2개)}$입니다.";
    assert.equal(t.formulaKey("L_{\\text{rec}}"), t.formulaKey("L_{\\text{재구성}}"));
    assert.deepEqual(course(en, ko), { code: 0, errors: [] }, "a translated \\text label must pass");
    const altered: [string, string][] = [
      ["a different symbol", ko.replace("\\lambda", "\\beta")],
      ["a different number", ko.replace("0.5", "0.25")],
      ["a different number inside a label", ko.replace("(항 2개)", "(항 3개)")],
      ["a label turned into symbols", ko.replace("L_{\\text{재구성}}", "L_{재구성}")],
    ];
    for (const [what, changed] of altered) {
      const r = course(en, changed);
      assert.equal(r.code, 1, `check passed despite ${what}`);
      assert.ok(r.errors.some((e) => /cell 'intro': the translation drops or alters the formula "\$L = L_\{\\\\text\{rec\}\}/.test(e)), `${what}: expected the English formula named, got:\n${r.errors.join("\n")}`);
    }
  });

  it("accepts a term's English after the compound it begins, and fails a compound gloss without the term", () => {
    const en = ENGLISH.replace("The autoencoder", "The autoencoder model");
    assert.deepEqual(course(en, KOREAN.replace("오토인코더 (autoencoder)", "오토인코더 모델 (autoencoder model)")), { code: 0, errors: [] });
    const r = course(en, KOREAN.replace("오토인코더 (autoencoder)", "오토인코더 모델 (model)"));
    assert.equal(r.code, 1);
    assert.ok(r.errors.some((e) => /the first '오토인코더' in the notebook must be followed by '\(autoencoder\)'/.test(e)), r.errors.join("\n"));
  });
});
