"""The notebook 08 VAE in PyTorch, as an independent reference for its test ELBO (issue 21).

    /usr/bin/python3 tests/bench/vae_mnist_torch.py [--epochs 7] [--threads 2] [--seed 1] [--iwae-images 500]

Same model and data as the notebook: MNIST from datasets/mnist, all 60 000 training images binarised
afresh every batch (dynamic binarisation), a fixed binarisation of the 10 000 test images; encoder
784-512-256 -> (mu, log var) of a 32-d code, decoder 32-256-512-784 with Bernoulli logits, ReLU,
Glorot-uniform weights and zero biases (tfjs's dense defaults), Adam 1e-3 (epsilon 1e-7, tfjs's),
batches of 128, one reparameterised sample per image. Prints the test ELBO per epoch and one line
RESULT {...} with the final ELBO, its two terms and the IWAE bound for k = 1 000. A reference for the
closing note only: the course never imports PyTorch.
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

_threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2"
os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = _threads
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def idx(name):
    with gzip.open(os.path.join(ROOT, "datasets", "mnist", name), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def dense(a, b):
    layer = nn.Linear(a, b)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class Vae(nn.Module):
    def __init__(self, latent=32):
        super().__init__()
        self.latent = latent
        self.enc = nn.Sequential(dense(784, 512), nn.ReLU(), dense(512, 256), nn.ReLU(), dense(256, 2 * latent))
        self.dec = nn.Sequential(dense(latent, 256), nn.ReLU(), dense(256, 512), nn.ReLU(), dense(512, 784))

    def terms(self, x):
        mean, log_var = self.enc(x).chunk(2, dim=1)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        rec = F.binary_cross_entropy_with_logits(self.dec(z), x, reduction="none").sum(1)
        kl = 0.5 * (mean.pow(2) + log_var.exp() - log_var - 1).sum(1)
        return rec, kl

    def log_weights(self, x, k):
        mean, log_var = self.enc(x).chunk(2, dim=1)
        std = torch.exp(0.5 * log_var)
        eps = torch.randn(x.shape[0], k, self.latent)
        z = mean[:, None] + std[:, None] * eps
        logits = self.dec(z.reshape(-1, self.latent)).reshape(x.shape[0], k, 784)
        log_pxz = -F.binary_cross_entropy_with_logits(logits, x[:, None].expand_as(logits), reduction="none").sum(2)
        log_pz = -0.5 * (z.pow(2) + math.log(2 * math.pi)).sum(2)
        log_qz = -0.5 * (eps.pow(2) + math.log(2 * math.pi) + log_var[:, None]).sum(2)
        return log_pxz + log_pz - log_qz


def evaluate(model, test):
    with torch.no_grad():
        rec, kl = zip(*(model.terms(test[i:i + 1000]) for i in range(0, len(test), 1000)))
        rec, kl = torch.cat(rec).mean().item(), torch.cat(kl).mean().item()
    return -(rec + kl), -rec, kl


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--iwae-images", type=int, default=500)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = np.random.default_rng(a.seed)
    train = torch.from_numpy(idx("train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    grey_test = idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    test = torch.from_numpy((gen.random(grey_test.shape) < grey_test).astype(np.float32))
    model = Vae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    curve, t0 = [], time.time()
    for epoch in range(1, a.epochs + 1):
        order = torch.randperm(len(train))
        for i in range(0, len(train), 128):
            grey = train[order[i:i + 128]]
            x = (torch.rand_like(grey) < grey).float()
            rec, kl = model.terms(x)
            loss = (rec + kl).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        elbo, rec, kl = evaluate(model, test)
        curve.append(elbo)
        print(f"epoch {epoch}: test ELBO {elbo:.2f} = {rec:.2f} - KL {kl:.2f} ({time.time() - t0:.0f} s)", flush=True)
    with torch.no_grad():
        x = test[:a.iwae_images]
        bounds = []
        for i in range(0, len(x), 10):
            w = torch.cat([model.log_weights(x[i:i + 10], 100) for _ in range(10)], dim=1)
            bounds.append(torch.logsumexp(w, 1) - math.log(w.shape[1]))
        iwae = torch.cat(bounds).mean().item()
    print("RESULT " + json.dumps({"epochs": a.epochs, "testElbo": elbo, "testReconstruction": rec, "testKl": kl,
                                  "iwaeK1000": iwae, "iwaeImages": a.iwae_images, "curve": curve,
                                  "seconds": time.time() - t0}))


if __name__ == "__main__":
    main()
