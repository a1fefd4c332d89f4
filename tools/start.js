#!/usr/bin/env node
// npm start: opens the course in JupyterLab with the project's TypeScript kernel available.
//   1. Python's JupyterLab, where it is installed (pip install jupyterlab);
//   2. otherwise the course's own JupyterLab 4 frontend (tools/lab: built from the npm @jupyterlab
//      packages on the first start, then reused) served by jupyter_server + jupyterlab_server, which
//      Debian and Ubuntu package (python3-jupyter-server, python3-jupyterlab-server);
//   3. otherwise classic Notebook (jupyter-notebook), which shows charts as PNG only.
// Arguments after `npm start --` go to the Jupyter server (e.g. --port=8899 --no-browser).
const { spawn, spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const { root, kernelJson, jupyterEnv, pythonWith } = require("./jupyter-env");
const lab = require("./lab/frontend");

if (!fs.existsSync(kernelJson)) {
  console.error("The project kernel is not registered. Run `npm install` (or `npm run kernel:install`) first.");
  process.exit(1);
}

const notebooks = path.join(root, "notebooks");
const extra = process.argv.slice(2);
// Jupyter refuses to run as root without this flag (containers, CI machines).
if (process.getuid && process.getuid() === 0 && !extra.includes("--allow-root")) extra.push("--allow-root");

// The folder the server opens: notebooks/, unless the arguments name another.
const rootGiven = extra.some((a) => /^--(ServerApp\.root_dir|NotebookApp\.notebook_dir|notebook-dir)=/.test(a));
const rootArg = (flag) => (rootGiven ? [] : [`${flag}=${notebooks}`]);

function launch(name, py, args) {
  console.log(`Opening the course in ${name}; choose the kernel "TypeScript (Autoencoders course)" if asked.`);
  const child = spawn(py, [...args, ...extra], { stdio: "inherit", env: jupyterEnv() });
  // Pass Ctrl-C and termination on to the server, which then shuts its kernels down.
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code) => process.exit(code ?? 0));
}

function main() {
  let py = pythonWith("jupyterlab");
  if (py) return launch("JupyterLab", py, ["-m", "jupyterlab", ...rootArg("--notebook-dir")]);

  py = pythonWith("jupyterlab_server");
  if (py) {
    const why = lab.ensureBuilt();
    if (why === null) return launch("JupyterLab (the course's build)", py, [lab.entryPoint, ...rootArg("--ServerApp.root_dir")]);
    console.error(`The course's JupyterLab could not be built (${why}); falling back to classic Notebook.`);
  }

  py = pythonWith("notebook");
  if (py) return launch("Jupyter Notebook (classic; charts show as PNG)", py, ["-m", "notebook", ...rootArg("--notebook-dir")]);

  console.error(
    "No Jupyter server found for any Python. Install one, then run `npm start` again:\n" +
    "  Debian/Ubuntu:  sudo apt-get install python3-jupyter-server python3-jupyterlab-server python3-nbclient\n" +
    "                  (or jupyter-notebook for classic Notebook)\n" +
    "  with pip:       python3 -m pip install jupyterlab\n" +
    "(Set AE_PYTHON to the Python that has it if it is not /usr/bin/python3 or python3.)");
  process.exit(1);
}

main();
