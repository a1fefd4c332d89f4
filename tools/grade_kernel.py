#!/usr/bin/python3
"""Runs one rebuilt submission cell by cell in a fresh project kernel, for `course-grade`.

Cells are sent one at a time over the kernel protocol (jupyter_client), so the kernel never sees a
notebook file and the working folder holds nothing of the instructor's. Each cell gets a timeout; a
cell that runs past it is interrupted (SIGINT, which stops `while (true) {}` in tslab) and, if the
kernel does not answer, the kernel is restarted. A kernel that dies (process.exit, an exception from
a timer, a heap limit, the memory cap enforced here by watching its resident memory) is restarted
too: the setup and answer cells that had succeeded are replayed, and grading goes on after the
failing cell. Nothing here scores; it records what happened (status, seconds, stdout, stderr) for
the grader to score.

usage: grade_kernel.py JOB.json|- RESULT.json   (- reads the job from stdin, so it is never in a file)
JOB: {kernelArgv, env, cwd, cellTimeout, budget, memoryMb, specDir, logFile, connectionDir,
      cells: [{index, role: setup|answer|test, source, requires?}]}  (requires: skipped if that cell timed out,
      killed the kernel or was skipped: hidden tests after visible ones that would only do the same again)
"""
import json
import os
import queue
import signal
import sys
import time

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

MAX_TEXT = 20000
MAX_RESTARTS = 8


class KernelGone(Exception):
    def __init__(self, cause):
        super().__init__(cause)
        self.cause = cause


def rss_mb(pid):
    """Resident memory of a process and its descendants (the sandbox forks the kernel)."""
    total = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                total += sum(rss_mb(int(child)) for child in f.read().split())
    except OSError:
        pass
    return total


class Kernel:
    def __init__(self, job):
        self.job = job
        self.parent = os.getppid()
        os.makedirs(os.path.join(job["specDir"], "course-grade"), exist_ok=True)
        with open(os.path.join(job["specDir"], "course-grade", "kernel.json"), "w") as f:
            json.dump({"argv": job["kernelArgv"], "display_name": "course-grade", "language": "typescript"}, f)
        self.km = None
        self.kc = None
        self.killed_for_memory = False

    def start(self):
        last = None
        for _ in range(3):  # tslab sometimes never answers its first kernel_info (zeromq EBUSY)
            self.log_offset = os.path.getsize(self.job["logFile"]) if os.path.exists(self.job["logFile"]) else 0
            log = open(self.job["logFile"], "ab")
            # The connection file goes in the submission's own folder: the sandboxed kernel sees nothing else.
            os.makedirs(self.job["connectionDir"], exist_ok=True)
            self.km = KernelManager(kernel_name="course-grade",
                                    connection_file=os.path.join(self.job["connectionDir"], "kernel.json"),
                                    kernel_spec_manager=KernelSpecManager(kernel_dirs=[self.job["specDir"]]))
            self.km.start_kernel(cwd=self.job["cwd"], env=self.job["env"], stdout=log, stderr=log)
            log.close()
            self.kc = self.km.client()
            self.kc.start_channels()
            try:
                self.kc.wait_for_ready(timeout=60)
                self.killed_for_memory = False
                return
            except RuntimeError as e:
                last = e
                self.stop()
        raise RuntimeError(f"the kernel did not start three times: {last}")

    def stop(self):
        try:
            self.kc.stop_channels()
        except Exception:
            pass
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:
            pass

    def pid(self):
        return self.km.provisioner.process.pid

    def death_cause(self):
        """Why the kernel process is gone, from its exit status and the tail of its log."""
        if self.killed_for_memory:
            return f"it used more than the {self.job['memoryMb']} MB memory cap and was stopped"
        code = self.km.provisioner.process.poll()
        try:
            with open(self.job["logFile"], "rb") as f:
                f.seek(self.log_offset)
                tail = f.read().decode("utf8", "replace")
        except OSError:
            tail = ""
        if "heap out of memory" in tail or "Reached heap limit" in tail:
            return "it ran out of memory (JavaScript heap limit)"
        if code == 0:
            return "the kernel process exited with code 0 (process.exit() or similar)"
        lines = [l.strip() for l in tail.splitlines()
                 if l.strip() and not l.strip().startswith("at ") and not l.startswith("Node.js v")]
        errors = [l for l in lines if "Error" in l or "Exception" in l]
        last = ((errors or lines)[-1][:200] if lines else "")
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return f"the kernel process died ({how})" + (f"; its last message: {last}" if last else "")

    def check(self):
        if os.getppid() != self.parent:  # the grader was killed: do not leave a kernel behind
            self.stop()
            sys.exit(3)
        if not self.km.is_alive():
            raise KernelGone(self.death_cause())
        if rss_mb(self.pid()) > self.job["memoryMb"]:
            self.killed_for_memory = True
            try:
                os.killpg(os.getpgid(self.pid()), 9)  # the kernel's whole process group
                self.km.provisioner.process.wait(10)
            except Exception:
                pass
            raise KernelGone(self.death_cause())

    def settle(self, seconds=0.5):
        """Waits briefly after a cell, so that a death its timers cause is blamed on it."""
        end = time.time() + seconds
        while time.time() < end:
            self.check()
            time.sleep(0.05)
        self.check()

    def run(self, source, timeout):
        """Executes one cell. Returns a dict with status ok|error|timeout and the cell's output;
        raises KernelGone if the kernel died (with the partial output in .partial)."""
        msg_id = self.kc.execute(source, store_history=False, allow_stdin=False, stop_on_error=False)
        out = {"stdout": "", "stderr": "", "values": []}
        reply = None
        idle = False
        t0 = time.time()
        deadline = t0 + timeout
        interrupted_at = None
        while not (idle and reply):
            try:
                self.check()
            except KernelGone as e:
                e.partial = out
                e.timed_out = interrupted_at is not None
                raise
            now = time.time()
            if interrupted_at is None and now > deadline:
                interrupted_at = now
                self.km.interrupt_kernel()
            elif interrupted_at is not None and now > interrupted_at + 15:
                e = KernelGone(f"the cell ran past the {timeout:.0f} s timeout and the kernel ignored the interrupt")
                e.partial, e.timed_out = out, True
                raise e
            try:
                msg = self.kc.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                msg = None
            if msg and msg.get("parent_header", {}).get("msg_id") == msg_id:
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    key = "stderr" if content.get("name") == "stderr" else "stdout"
                    out[key] = (out[key] + content.get("text", ""))[-MAX_TEXT:]
                elif kind in ("execute_result", "display_data"):
                    text = content.get("data", {}).get("text/plain")
                    if text is not None:
                        out["values"].append(text[-MAX_TEXT:])
                elif kind == "error":
                    out["stderr"] += "\n".join(content.get("traceback", []) or [content.get("evalue", "")])
                elif kind == "status" and content.get("execution_state") == "idle":
                    idle = True
            if reply is None:
                try:
                    r = self.kc.get_shell_msg(timeout=0.01)
                    if r.get("parent_header", {}).get("msg_id") == msg_id:
                        reply = r
                except queue.Empty:
                    pass
        status = reply["content"].get("status", "error")
        if interrupted_at is not None:
            status = "timeout"
        if status != "ok":
            time.sleep(0.5)  # tslab aborts requests that arrive within 200 ms of a failure
        return dict(status=status, seconds=round(time.time() - t0, 2), **out)


def restart_and_replay(kernel, succeeded, timeout):
    """A fresh kernel with the setup and answer cells that had succeeded run again, in order. A
    cell that kills the kernel while replayed (an answer's timer, say) is dropped and replay restarts."""
    for _ in range(MAX_RESTARTS):
        kernel.stop()
        kernel.start()
        replayed = 0
        try:
            for prior in list(succeeded):
                if kernel.run(prior["source"], timeout)["status"] == "ok":
                    replayed += 1
                if prior["role"] == "answer":
                    kernel.settle()
            kernel.check()
            return replayed
        except KernelGone:
            # The cell being replayed (or the answer just before it) killed the kernel: drop it.
            suspects = [c for c in succeeded[:replayed + 1] if c["role"] == "answer"] or succeeded[replayed:replayed + 1]
            if suspects:
                succeeded.remove(suspects[-1])
    return 0


def main():
    job = json.load(sys.stdin if sys.argv[1] == "-" else open(sys.argv[1]))
    result_file = sys.argv[2]
    t_start = time.time()
    results = {}
    restarts = []
    succeeded = []  # setup and answer cells that ran ok, replayed after a restart
    kernel = Kernel(job)
    failure = None

    def on_signal(signum, _frame):
        # The kernel runs in a session of its own: a signal to ours does not reach it.
        kernel.stop()
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)

    def write():
        data = {"cells": [results[k] for k in sorted(results)], "restarts": restarts,
                "seconds": round(time.time() - t_start, 1), "failure": failure}
        tmp = result_file + ".part"
        with open(tmp, "w") as f:
            json.dump(data, f)
        os.replace(tmp, result_file)

    ok_cells = [0]  # cells that have run to "ok" so far, tests included

    def recover(cause, cell):
        """Restarts after a death; False when the kernel has died too often to go on."""
        nonlocal failure
        restarts.append(dict(cell=cell, cause=cause, replayed=0))
        # Died again before any cell succeeded since the last restart, or between cells for the same
        # reason: the culprit is among the replayed cells (a slow timer set by an answer, say), so the
        # latest answer is not replayed again. A test cell that dies again once other cells have run
        # (the hidden tests calling an answer that eats memory, after its visible tests did) is the
        # answer's call, not the replay: nothing is dropped, or the other answers' tests would fail.
        if len(restarts) > 1 and (restarts[-2].get("since") == ok_cells[0] or (cell is None and any(r["cause"] == cause for r in restarts[:-1]))):
            blame = [c for c in succeeded if c["role"] == "answer"]
            if blame:
                succeeded.remove(blame[-1])
        if len(restarts) > MAX_RESTARTS:
            failure = f"the kernel died {len(restarts)} times; the remaining cells were not run"
            kernel.stop()
            for rest in job["cells"]:
                if rest["index"] not in results:
                    results[rest["index"]] = dict(index=rest["index"], status="skipped", seconds=0, stdout="",
                                                  stderr="", values=[], reason=failure)
            return False
        restarts[-1]["replayed"] = restart_and_replay(kernel, succeeded, job["cellTimeout"])
        restarts[-1]["since"] = ok_cells[0]
        return True

    try:
        kernel.start()
        for cell in job["cells"]:
            i = cell["index"]
            remaining = job["budget"] - (time.time() - t_start)
            if remaining <= 1:
                results[i] = dict(index=i, status="skipped", seconds=0, stdout="", stderr="",
                                  values=[], reason=f"the submission's {job['budget']} s time budget was used up")
                continue
            needed = cell.get("requires")
            if needed is not None and results.get(needed, {}).get("status") in ("timeout", "crashed", "skipped"):
                results[i] = dict(index=i, status="skipped", seconds=0, stdout="", stderr="", values=[],
                                  reason="not run: the visible tests before it ran out of time or killed the kernel")
                continue
            timeout = min(job["cellTimeout"], remaining)
            try:
                kernel.check()
            except KernelGone as e:  # died between cells (a timer, say): not this cell's fault
                if not recover(e.cause, None):
                    break
            try:
                r = kernel.run(cell["source"], timeout)
            except KernelGone as e:
                status = "timeout" if getattr(e, "timed_out", False) else "crashed"
                results[i] = dict(index=i, status=status, seconds=round(timeout if status == "timeout" else 0, 2),
                                  reason=e.cause, values=[], **{k: e.partial[k] for k in ("stdout", "stderr")})
                if not recover(e.cause, i):
                    break
                write()
                continue
            results[i] = dict(index=i, **r)
            if r["status"] == "ok" and cell["role"] == "answer":
                try:
                    kernel.settle()  # a timer or callback the answer started may kill the kernel now
                except KernelGone as e:
                    results[i].update(status="crashed", reason=f"{e.cause} (after the cell had finished: a timer or callback it started)")
                    if not recover(e.cause, i):
                        break
                    write()
                    continue
            if r["status"] == "ok":
                ok_cells[0] += 1
            if r["status"] == "ok" and cell["role"] in ("setup", "answer"):
                succeeded.append(cell)
            write()
    except Exception as e:  # the grader must get a result whatever happens here
        failure = f"{type(e).__name__}: {e}"
    finally:
        kernel.stop()
        write()


if __name__ == "__main__":
    main()
