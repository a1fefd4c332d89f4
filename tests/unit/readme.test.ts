// The README and docs/ against package.json: every npm command they show is a script (or an npm
// command of its own), every script is documented somewhere, and their relative links lead to files.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";

const root = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  bin?: Record<string, string>;
};
const scripts = pkg.scripts;

/** npm commands of its own (not scripts) that the docs may show. */
const NPM_COMMANDS = new Set(["install", "i", "ci", "rebuild", "pack", "exec", "ls", "uninstall", "update", "view", "config", "cache"]);
/** `npm test` and `npm start` run the scripts of those names. */
const NPM_SHORTCUTS = new Set(["test", "start", "stop", "restart"]);
/** Run by npm itself around other commands, not by a person. */
const LIFECYCLE = new Set(["preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare", "prepublishOnly", "prepack", "postpack", "dependencies"]);

const isLifecycle = (name: string): boolean =>
  LIFECYCLE.has(name) || (/^(pre|post)./.test(name) && (name.replace(/^(pre|post)/, "") in scripts || LIFECYCLE.has(name.replace(/^(pre|post)/, ""))));

/** README.md, README.ko.md and every Markdown file in docs/, as paths relative to the root. */
function documents(): string[] {
  const docs = fs.existsSync(path.join(root, "docs"))
    ? fs.readdirSync(path.join(root, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)
    : [];
  return ["README.md", "README.ko.md", ...docs].filter((f) => fs.existsSync(path.join(root, f)));
}

/** Fenced blocks whose commands are read; others (a folder layout, printed output) are text. */
const SHELL_FENCES = new Set(["bash", "sh", "shell", "console", "zsh"]);

/** The code in a Markdown text: shell blocks and inline code spans, where commands are written. */
function codeOf(markdown: string): string[] {
  const code: string[] = [];
  const prose = markdown.replace(/^(```|~~~)([^\n]*)\n([\s\S]*?)^\1[ \t]*$/gm, (_all, _fence, info: string, body: string) => {
    if (SHELL_FENCES.has(info.trim().split(/\s+/)[0].toLowerCase())) code.push(body);
    return "";
  });
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) code.push(m[1]);
  return code;
}

interface NpmCommand { text: string; kind: "run" | "plain"; name: string }

/** Every `npm run X` and `npm X` in the code of a Markdown text. */
function npmCommands(markdown: string): NpmCommand[] {
  const found: NpmCommand[] = [];
  for (const code of codeOf(markdown)) {
    for (const m of code.matchAll(/(?:^|[\s;&|(])npm[ \t]+(?:(run(?:-script)?)[ \t]+)?([A-Za-z@][\w:.@/-]*)/gm)) {
      found.push({ text: m[0].trim(), kind: m[1] ? "run" : "plain", name: m[2] });
    }
  }
  return found;
}

/** Why a command the docs show does not exist, or undefined when it does. */
function problemWith(c: NpmCommand, known: Record<string, string> = scripts): string | undefined {
  if (c.kind === "run") return c.name in known ? undefined : `\`${c.text}\`: package.json has no script "${c.name}"`;
  if (NPM_SHORTCUTS.has(c.name)) return c.name in known ? undefined : `\`${c.text}\`: package.json has no script "${c.name}"`;
  if (NPM_COMMANDS.has(c.name)) return undefined;
  return `\`${c.text}\`: "${c.name}" is neither an npm command nor a script; write \`npm run ${c.name}\` if it is meant to be one`;
}

/** The scripts a set of documents shows how to run. */
function documentedScripts(files: string[]): Set<string> {
  const named = new Set<string>();
  for (const f of files) {
    for (const c of npmCommands(fs.readFileSync(path.join(root, f), "utf8"))) {
      if (c.kind === "run" || NPM_SHORTCUTS.has(c.name)) named.add(c.name);
    }
  }
  return named;
}

describe("the README's and docs' commands", () => {
  it("the extraction finds commands in code only, and flags one that is not a script", () => {
    const sample = "Run `npm run nope` or `npm test`; the npm registry is prose.\n\n```bash\nAE_X=1 npm run test:unit -- --flag\nnpm install @scope/pkg\nnpm frobnicate\n```\n\n```\nlib/   an npm workspace package\n```\n";
    const got = npmCommands(sample).map((c) => `${c.kind}:${c.name}`).sort();
    assert.deepEqual(got, ["plain:frobnicate", "plain:install", "plain:test", "run:nope", "run:test:unit"]);
    assert.ok(!got.some((g) => g.endsWith(":registry")), "prose is not read as a command");
    const known = { test: "x", "test:unit": "y" };
    assert.match(problemWith({ text: "npm run nope", kind: "run", name: "nope" }, known) ?? "", /no script "nope"/);
    assert.match(problemWith({ text: "npm frobnicate", kind: "plain", name: "frobnicate" }, known) ?? "", /neither an npm command nor a script/);
    assert.equal(problemWith({ text: "npm run test:unit", kind: "run", name: "test:unit" }, known), undefined);
    assert.equal(problemWith({ text: "npm install", kind: "plain", name: "install" }, known), undefined);
  });

  it("every npm command shown in README.md, README.ko.md and docs/ exists", () => {
    const files = documents();
    assert.ok(files.includes("README.md"), "README.md is missing");
    const problems: string[] = [];
    let count = 0;
    for (const f of files) {
      for (const c of npmCommands(fs.readFileSync(path.join(root, f), "utf8"))) {
        count++;
        const why = problemWith(c);
        if (why) problems.push(`${f}: ${why}`);
      }
    }
    assert.ok(count > 0, "no npm command found at all: the extraction is broken");
    assert.deepEqual(problems, [], `commands that package.json does not have:\n  ${problems.join("\n  ")}`);
  });

  it("the README has a command table, and each row runs a script that exists", () => {
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
    const rows = readme.split("\n").filter((l) => /^\|\s*`npm /.test(l));
    assert.ok(rows.length >= 3, `README.md's command table has ${rows.length} rows starting with \`npm …\``);
    const problems = rows.flatMap((row) => npmCommands(row.split("|")[1]).map((c) => problemWith(c)).filter((p): p is string => !!p));
    assert.deepEqual(problems, [], `README.md's command table:\n  ${problems.join("\n  ")}`);
  });

  it("every script in package.json (but npm's lifecycle scripts) is documented in README.md or docs/", () => {
    const named = documentedScripts(documents().filter((f) => f !== "README.ko.md"));
    const missing = Object.keys(scripts).filter((s) => !isLifecycle(s) && !named.has(s));
    assert.deepEqual(missing, [], `scripts no document shows how to run (add \`npm run NAME\` to README.md or docs/): ${missing.join(", ")}`);
  });

  it("every npx command shown runs a binary of this project", () => {
    const problems: string[] = [];
    for (const f of documents()) {
      for (const code of codeOf(fs.readFileSync(path.join(root, f), "utf8"))) {
        for (const m of code.matchAll(/(?:^|[\s;&|(])npx[ \t]+([A-Za-z@][\w.@/-]*)/gm)) {
          const bin = m[1];
          if (!(pkg.bin && bin in pkg.bin) && !fs.existsSync(path.join(root, "node_modules", ".bin", bin))) problems.push(`${f}: \`npx ${bin}\``);
        }
      }
    }
    assert.deepEqual(problems, [], `npx commands with no binary in package.json's bin or node_modules/.bin:\n  ${problems.join("\n  ")}`);
  });

  it("relative links in README.md, README.ko.md and docs/ lead to files that exist", () => {
    const broken: string[] = [];
    for (const f of documents()) {
      const text = fs.readFileSync(path.join(root, f), "utf8").replace(/^```[\s\S]*?^```/gm, "");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
        const file = path.resolve(root, path.dirname(f), decodeURIComponent(target.split("#")[0]));
        if (!fs.existsSync(file)) broken.push(`${f}: ${target}`);
      }
    }
    assert.deepEqual(broken, [], `links to files that do not exist:\n  ${broken.join("\n  ")}`);
  });
});
