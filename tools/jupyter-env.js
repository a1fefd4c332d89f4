// Shared by the start and course scripts: where the project's kernelspec lives, and which Jupyter
// front ends exist on this machine.
const { spawnSync } = require("child_process");
const path = require("path");

const root = path.resolve(__dirname, "..");
const KERNEL_NAME = "autoencoders-ts";
/** The project's kernelspec folder root (put on JUPYTER_PATH) and its kernel.json. */
const jupyterDir = path.join(root, ".jupyter");
const kernelJson = path.join(jupyterDir, "kernels", KERNEL_NAME, "kernel.json");

/** The environment for a Jupyter process that must find the project kernel. */
function jupyterEnv(extra = {}) {
  const jupyterPath = [jupyterDir, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  return { ...process.env, JUPYTER_PATH: jupyterPath, AE_PROJECT_ROOT: root, ...extra };
}

/** Debian's Jupyter packages belong to /usr/bin/python3; a pyenv/venv python3 first on PATH lacks them. */
function pythonWith(module) {
  for (const py of [process.env.AE_PYTHON, "/usr/bin/python3", "python3", "python"].filter(Boolean)) {
    const r = spawnSync(py, ["-c", `import ${module}`], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return null;
}

module.exports = { root, KERNEL_NAME, jupyterDir, kernelJson, jupyterEnv, pythonWith };
