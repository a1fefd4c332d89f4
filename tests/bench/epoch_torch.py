"""One training epoch of a benchmark workload in PyTorch, for comparison with tfjs (epoch.bench.ts).

    /usr/bin/python3 tests/bench/epoch_torch.py --workload mlp|vae|conv --threads N --images K

The architectures mirror tests/bench/workloads.ts layer for layer. Prints one line:
RESULT {"seconds": ..., "loss": ..., "threads": ...}. A benchmark reference only: the course never
imports PyTorch.
"""
import argparse
import json
import os
import resource
import sys
import time

# The BLAS under Debian's torch has its own thread pool: give it the same thread count, before import.
_threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = _threads
# Idle OpenMP threads sleep instead of spinning: with 2 threads on 2 cores, spinning made PyTorch slower.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch
from torch import nn
import torch.nn.functional as F

BATCH = 128


def mlp():
    layers, sizes = [], [784, 512, 256, 32, 256, 512, 784]
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if b == 784:
            layers.append(nn.Sigmoid())
        elif b != 32:
            layers.append(nn.ReLU())
    net = nn.Sequential(*layers)
    return net, lambda x: F.mse_loss(net(x), x)


def vae():
    enc = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 64))
    dec = nn.Sequential(nn.Linear(32, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 784))
    net = nn.ModuleList([enc, dec])

    def loss(x):
        mean, log_var = enc(x).chunk(2, dim=1)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        logits = dec(z)
        bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        kl = -0.5 * (1 + log_var - mean.pow(2) - log_var.exp()).sum(1)
        return (bce + kl).mean()

    return net, loss


def conv():
    net = nn.Sequential(
        nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
    )

    def loss(x):
        images = x.view(-1, 1, 28, 28)
        return F.mse_loss(net(images), images)

    return net, loss


def blas_library():
    """Which BLAS the process loaded: Debian's reference BLAS is about 10x slower than OpenBLAS."""
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower()}
    return ", ".join(sorted(os.path.basename(os.path.dirname(p)) + "/" + os.path.basename(p) for p in libs)) or "none found"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workload", choices=["mlp", "vae", "conv"], required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--images", type=int, required=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net, loss_fn = {"mlp": mlp, "vae": vae, "conv": conv}[a.workload]()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    data = torch.rand(a.images, 784)

    def step(x):
        opt.zero_grad()
        loss = loss_fn(x)
        loss.backward()
        opt.step()
        return loss.item()  # a host read per step, as train() does in tfjs

    step(data[:BATCH])  # warm-up, not timed
    t0 = time.perf_counter()
    total = 0.0
    order = torch.randperm(a.images)
    for i in range(0, a.images, BATCH):
        batch = data[order[i:i + BATCH]]
        total += step(batch) * len(batch)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps({"seconds": seconds, "loss": total / a.images, "threads": torch.get_num_threads(), "peakRssMB": peak_mb,
                                 "torch": torch.__version__, "blas": blas_library()}))


if __name__ == "__main__":
    main()
