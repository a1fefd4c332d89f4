#!/usr/bin/env node
// The instructor's grader for the course's TypeScript notebooks; `npx course-grade --help`.
const { main, UsageError } = require("./grade/cli");
const { closeAllRunners } = require("./grade/runner");

// Stopped by SIGTERM or Ctrl-C: the grades already written stay in --out (a rerun resumes from
// them); the kernels are stopped and the temporary folder removed.
for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]]) {
  process.on(signal, () => {
    closeAllRunners();
    console.error(`\ncourse-grade: stopped by ${signal}. The grades written so far are kept; run the same command again to grade the rest.`);
    process.exit(code);
  });
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`course-grade: ${e.message}`);
  if (e instanceof UsageError) console.error("Run `npx course-grade --help` for the commands and options.");
  process.exit(e instanceof UsageError ? 2 : 1);
});
