#!/usr/bin/env node
// The instructor's grader for the course's TypeScript notebooks; `npx course-grade --help`.
const { main, UsageError } = require("./grade/cli");

main(process.argv.slice(2)).catch((e) => {
  console.error(`course-grade: ${e.message}`);
  if (e instanceof UsageError) console.error("Run `npx course-grade --help` for the commands and options.");
  process.exit(e instanceof UsageError ? 2 : 1);
});
