#!/usr/bin/env node
// npm start: opens the course in JupyterLab if it is installed, otherwise in classic Notebook, with the
// project's TypeScript kernel available.
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");
const { root, kernelJson, jupyterEnv, pythonWith } = require("./jupyter-env");

if (!fs.existsSync(kernelJson)) {
  console.error("The project kernel is not registered. Run `npm install` (or `npm run kernel:install`) first.");
  process.exit(1);
}

const frontEnds = [
  { name: "JupyterLab", module: "jupyterlab", args: ["-m", "jupyterlab"] },
  { name: "Jupyter Notebook (classic)", module: "notebook", args: ["-m", "notebook"] },
];
const extra = process.argv.slice(2);
// Jupyter refuses to run as root without this flag (containers, CI machines).
if (process.getuid && process.getuid() === 0 && !extra.includes("--allow-root")) extra.push("--allow-root");
for (const fe of frontEnds) {
  const py = pythonWith(fe.module);
  if (!py) continue;
  console.log(`Opening the course in ${fe.name} (${py} ${fe.args.join(" ")}); choose the kernel "TypeScript (Autoencoders course)".`);
  const child = spawn(py, [...fe.args, `--notebook-dir=${path.join(root, "notebooks")}`, ...extra], { stdio: "inherit", env: jupyterEnv() });
  child.on("exit", (code) => process.exit(code ?? 0));
  return;
}
console.error(
  "Neither JupyterLab nor the classic Jupyter Notebook is installed for any Python found.\n" +
  "Install one of them, then run `npm start` again:\n" +
  "  Debian/Ubuntu:  sudo apt-get install jupyter-notebook python3-nbclient\n" +
  "  with pip:       python3 -m pip install jupyterlab\n" +
  "(Set AE_PYTHON to the Python that has it if it is not /usr/bin/python3 or python3.)");
process.exit(1);
