// Loaded with `node --require` into each grading kernel, before tslab and the TypeScript compiler:
// loads the course library and hardens the process (./harden.ts). Hardening before anything else runs
// matters for speed: hardening a warm process throws away V8's optimised code for every built-in it
// touches (measured: the first notebook cell 1.3 s slower, about 2.5 s a submission).
// The grader passes the run's global name and the folders whose modules to freeze in the environment.
import * as path from "path";
import { hardenKernel } from "./harden";

const globalName = process.env.COURSE_GRADE_GLOBAL;
const moduleRoots = JSON.parse(process.env.COURSE_GRADE_MODULE_ROOTS ?? "[]") as string[];
if (!globalName) throw new Error("course-grade's preload needs COURSE_GRADE_GLOBAL");
delete process.env.COURSE_GRADE_GLOBAL;
delete process.env.COURSE_GRADE_MODULE_ROOTS;
// eslint-disable-next-line @typescript-eslint/no-var-requires
const library = require(path.join(__dirname, "..", "index.js"));
hardenKernel({ globalName, library, moduleRoots });
