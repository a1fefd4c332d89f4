import * as fs from "fs";
import * as path from "path";

/** The course's root folder (the one holding datasets/ and notebooks/), found from this file. */
export function projectRoot(): string {
  if (process.env.AE_PROJECT_ROOT) return process.env.AE_PROJECT_ROOT;
  // lib/dist/paths.js or lib/src/paths.ts -> two levels up; resolve symlinks from node_modules.
  let dir = path.dirname(fs.realpathSync(__filename));
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, "datasets")) && fs.existsSync(path.join(dir, "lib"))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error("Cannot find the course folder (with datasets/ and lib/) above " + __filename + "; set AE_PROJECT_ROOT to it.");
}
