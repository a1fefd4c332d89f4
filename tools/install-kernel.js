#!/usr/bin/env node
// Registers the project's TypeScript kernel, which runs the project's own tslab (the library can only
// send chart bundles from inside that tslab instance). By default the kernelspec goes into the project
// folder (.jupyter/kernels), which `npm start` and `npm test` put on JUPYTER_PATH; the user's global
// Jupyter folders are touched only with --user.
const fs = require("fs");
const os = require("os");
const path = require("path");

const { root, KERNEL_NAME, jupyterDir } = require("./jupyter-env");
const tslab = path.join(root, "node_modules", "tslab", "bin", "tslab");

function userKernelsDir() {
  if (process.env.JUPYTER_DATA_DIR) return path.join(process.env.JUPYTER_DATA_DIR, "kernels");
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Jupyter", "kernels");
  if (process.platform === "win32") return path.join(process.env.APPDATA || os.homedir(), "jupyter", "kernels");
  return path.join(process.env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share"), "jupyter", "kernels");
}

function install(kernelsDir) {
  const dir = path.join(kernelsDir, KERNEL_NAME);
  fs.mkdirSync(dir, { recursive: true });
  const spec = {
    argv: [process.execPath, tslab, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (Autoencoders course)",
    language: "typescript",
    env: { AE_PROJECT_ROOT: root },
    metadata: { debugger: false },
  };
  fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  return dir;
}

if (!fs.existsSync(tslab)) {
  console.error(`install-kernel: ${tslab} is missing; run npm install first.`);
  process.exit(1);
}
const dirs = [install(path.join(jupyterDir, "kernels"))];
if (process.argv.includes("--user")) dirs.push(install(userKernelsDir()));
for (const d of dirs) console.log(`Installed Jupyter kernel '${KERNEL_NAME}' (TypeScript, project tslab) in ${d}`);

