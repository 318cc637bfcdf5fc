#!/usr/bin/env python3
"""The workloads of bench/epoch_bench.cpp and bench/mlp_bench.cpp in PyTorch, timed the same way.

Prints one JSON object to stdout: the torch/OpenBLAS configuration and, per workload, the median
of its repetitions in seconds (and every repetition's time). bench/compare.py runs this beside
nnlab; run it directly for PyTorch's numbers alone.

Workloads (PyTorch's Dropout(p) takes the DROP probability; nnlab's keep p = 0.8 is Dropout(0.2)):
  epoch  one epoch of Fashion-MNIST (60000 images, preloaded as tensors, a fresh permutation per
         epoch, 469 batches of 128, the last of 96): 784-512-512-10 relu, Dropout(0.2) on the input
         and Dropout(0.5) after each hidden layer, cross-entropy, SGD lr 0.05 momentum 0.9, float32;
         each repetition from a fresh nn.Linear default initialization. Repetitions stop when
         --epoch-budget seconds are spent; an epoch slower than the whole budget is cut short and
         its time projected from the steps done ("projected": true).
  gelu_epoch  the same epoch with nn.GELU() (exact, x·Φ(x)) for both hidden ReLUs (not in the
         default set: compare.py runs it at 1 thread only).
  tiny   one full-batch GD step (lr 0.1) of a 2-32-32-1 tanh net on 256 points, MSE, float32 and
         float64; a repetition times `--tiny-steps` steps and reports the time per step.
  grad_loop  the Python loop of bench/python_loop.py in PyTorch: `--loop-calls` calls of forward,
         MSE and backward (zero_grad, loss.backward(), float(loss)) of the tiny net on its 256
         points, float32 and float64, per call; no optimizer step.
  hvp    on the MLP without dropout, batch 128, float32: one gradient (autograd.grad), one
         Hessian-vector product by double backward (grad with create_graph=True, then grad of g·v),
         and ("hvp_fixed") one product at a fixed θ: the first grad (create_graph=True) done once
         and its graph kept, each product the grad of g·v with retain_graph=True.
  hvp1000  the same on 1000 samples ("gradient_1000", "hvp_1000", "hvp_fixed_1000"): the product
         `nnlab hessian` repeats with its default --first 1000.
  probe  30 training steps of the epoch's MLP on random data: how fast this BLAS setup runs the
         MLP's products (compare.py uses it to pick the OpenBLAS core type).

Threads: --threads sets torch.set_num_threads; OpenBLAS reads OPENBLAS_NUM_THREADS (and
OPENBLAS_CORETYPE) from the environment when it loads, so set those in the caller's environment.
"""
import argparse
import ctypes
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """An IDX file (raw or .gz) as a numpy array of its declared shape (uint8 data)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_fashion_mnist(folder):
    def find(stem):
        for name in (stem, stem + ".gz"):
            path = os.path.join(folder, name)
            if os.path.exists(path):
                return path
        raise FileNotFoundError(f"{folder}: no {stem}[.gz] (install Debian's dataset-fashion-mnist)")

    images = read_idx(find("train-images-idx3-ubyte"))
    labels = read_idx(find("train-labels-idx1-ubyte"))
    X = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    return X, y


def mnist_mlp(dropout, activation=nn.ReLU):
    layers = [nn.Dropout(0.2)] if dropout else []
    layers += [nn.Linear(784, 512), activation()] + ([nn.Dropout(0.5)] if dropout else [])
    layers += [nn.Linear(512, 512), activation()] + ([nn.Dropout(0.5)] if dropout else [])
    layers += [nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def summary(name, times, cpu_times, per=1, **extra):
    """Per-call wall and process-CPU times (a repetition of `per` calls counts as total/per).
    At 1 thread the CPU time hardly moves when other processes share the cores; wall time does."""
    times = [t / per for t in times]
    cpu_times = [t / per for t in cpu_times]
    return {"name": name, "median_s": statistics.median(times), "times_s": times,
            "cpu_median_s": statistics.median(cpu_times), "repetitions": len(times), **extra}


def run_epoch(X, y, repetitions, budget, batch=128, name="epoch", activation=nn.ReLU):
    """Stops repeating once `budget` seconds are spent (after at least one epoch); an epoch that
    alone exceeds the budget is cut short and its time projected from the steps done."""
    N = X.shape[0]
    total_steps = (N + batch - 1) // batch
    times, cpu_times, loss, accuracy, projected = [], [], None, None, False
    budget_start = time.perf_counter()
    # A few warm-up steps so thread pools and the allocator are up, as in a real run.
    model = mnist_mlp(dropout=True, activation=activation)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for i in range(5):
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(X[i * batch:(i + 1) * batch]), y[i * batch:(i + 1) * batch]).backward()
        opt.step()
    for r in range(repetitions):
        torch.manual_seed(r)
        model = mnist_mlp(dropout=True, activation=activation)
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        generator = torch.Generator().manual_seed(r)
        start, cpu_start = time.perf_counter(), time.process_time()
        perm = torch.randperm(N, generator=generator)
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        steps = 0
        for i in range(0, N, batch):
            idx = perm[i:i + batch]
            xb, yb = X.index_select(0, idx), y.index_select(0, idx)
            out = model(xb)
            batch_loss = F.cross_entropy(out, yb)
            opt.zero_grad(set_to_none=True)
            batch_loss.backward()
            opt.step()
            # The same bookkeeping as nnlab's trainer: mean minibatch loss, running accuracy.
            loss_sum += batch_loss.detach()
            correct += (out.detach().argmax(1) == yb).sum()
            steps += 1
            if not times and time.perf_counter() - budget_start > budget and steps < total_steps:
                projected = True
                break
        times.append((time.perf_counter() - start) * total_steps / steps)
        cpu_times.append((time.process_time() - cpu_start) * total_steps / steps)
        loss, accuracy = float(loss_sum) / steps, float(correct) / min(steps * batch, N)
        if projected or time.perf_counter() - budget_start > budget:
            break
    return summary(name, times, cpu_times, loss=loss, running_accuracy=accuracy, samples=N,
                   projected=projected)


def tiny_net(dtype):
    """The 2-32-32-1 tanh net and its 256 points (x ~ N(0, I), t = sin x₁) of the tiny workloads."""
    torch.manual_seed(2)
    X = torch.randn(256, 2, dtype=dtype)
    T = torch.sin(X[:, :1])
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                          nn.Linear(32, 1)).to(dtype)
    return model, X, T


def timed_loop(name, call, repetitions, calls):
    """`calls` calls of call() per repetition, after calls/10 warm-up calls; the time per call."""
    for _ in range(calls // 10):
        call()
    times, cpu_times = [], []
    for _ in range(repetitions):
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(calls):
            call()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return summary(name, times, cpu_times, per=calls)


def dtype_suffix(dtype):
    return "float32" if dtype == torch.float32 else "float64"


def run_tiny(dtype, repetitions, steps):
    model, X, T = tiny_net(dtype)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def step():
        opt.zero_grad(set_to_none=True)
        F.mse_loss(model(X), T).backward()
        opt.step()

    return timed_loop("tiny_" + dtype_suffix(dtype), step, repetitions, steps)


def run_grad_loop(dtype, repetitions, calls):
    model, X, T = tiny_net(dtype)

    def loss_and_gradient():
        model.zero_grad(set_to_none=True)
        loss = F.mse_loss(model(X), T)
        loss.backward()
        return float(loss)

    return timed_loop("grad_loop_" + dtype_suffix(dtype), loss_and_gradient, repetitions, calls)


def run_hvp(repetitions, calls, batch=128, suffix=""):
    torch.manual_seed(3)
    model = mnist_mlp(dropout=False)
    params = list(model.parameters())
    X = torch.rand(batch, 784)
    y = torch.randint(0, 10, (batch,))
    v = [torch.randn_like(p) for p in params]

    def gradient():
        return torch.autograd.grad(F.cross_entropy(model(X), y), params)

    def hvp():
        g = torch.autograd.grad(F.cross_entropy(model(X), y), params, create_graph=True)
        gv = sum((gi * vi).sum() for gi, vi in zip(g, v))
        return torch.autograd.grad(gv, params)

    # At a fixed θ (Lanczos, power iteration, Hutchinson): the first backward's graph built once
    # and kept (retain_graph), each product only the backward of g·v through it.
    g_fixed = torch.autograd.grad(F.cross_entropy(model(X), y), params, create_graph=True)

    def hvp_fixed():
        gv = sum((gi * vi).sum() for gi, vi in zip(g_fixed, v))
        return torch.autograd.grad(gv, params, retain_graph=True)

    results = []
    for name, fn in (("gradient", gradient), ("hvp", hvp), ("hvp_fixed", hvp_fixed)):
        for _ in range(3):
            fn()
        times, cpu_times = [], []
        for _ in range(repetitions):
            start, cpu_start = time.perf_counter(), time.process_time()
            for _ in range(calls):
                fn()
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
        results.append(summary(name + suffix, times, cpu_times, per=calls))
    return results


def run_probe(steps=30):
    model = mnist_mlp(dropout=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    X = torch.rand(128, 784)
    y = torch.randint(0, 10, (128,))

    def step():
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(X), y).backward()
        opt.step()

    for _ in range(5):
        step()
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    return summary("probe_step", [time.perf_counter() - start], [time.process_time() - cpu_start],
                   per=steps)


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def sgemm_library(maps):
    """The file whose sgemm_ torch's own lookups find, its links resolved. Several BLAS can be
    mapped at once (Debian's liblapack.so.3 pulls in libopenblas.so.0 even while the libblas.so.3
    alternative is the reference BLAS), and the first in torch's search order wins."""
    torch_cpu = next((path for path in maps if "libtorch_cpu" in path), None)
    if torch_cpu is None:
        return None
    try:
        address = ctypes.cast(ctypes.CDLL(torch_cpu, mode=os.RTLD_NOLOAD).sgemm_, ctypes.c_void_p)
    except (OSError, AttributeError):
        return None
    info = DlInfo()
    if not ctypes.CDLL(None).dladdr(address, ctypes.byref(info)):
        return None
    return os.path.realpath(info.dli_fname.decode())


def blas_info():
    """Which BLAS this torch process loaded (from its memory map), which one its sgemm_ comes
    from, and OpenBLAS's own report."""
    with open("/proc/self/maps") as f:
        maps = sorted({line.split()[-1] for line in f if "/" in line})
    libs = [path for path in maps if "blas" in path.lower()]
    info = {"libraries": libs, "sgemm_from": sgemm_library(maps)}
    if any("openblas" in lib for lib in libs):
        try:
            openblas = ctypes.CDLL("libopenblas.so.0")
            openblas.openblas_get_config.restype = ctypes.c_char_p
            openblas.openblas_get_corename.restype = ctypes.c_char_p
            info["openblas_config"] = openblas.openblas_get_config().decode()
            info["openblas_core"] = openblas.openblas_get_corename().decode()
            info["openblas_threads"] = openblas.openblas_get_num_threads()
        except OSError as e:
            info["openblas_error"] = str(e)
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workloads", default="epoch,tiny,grad_loop,hvp,hvp1000",
                        help="comma-separated subset of epoch,gelu_epoch,tiny,grad_loop,hvp,hvp1000,probe")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--tiny-steps", type=int, default=300)
    parser.add_argument("--loop-calls", type=int, default=1000)
    parser.add_argument("--hvp-calls", type=int, default=20)
    parser.add_argument("--epoch-budget", type=float, default=60.0,
                        help="seconds after which the epoch workload stops repeating")
    parser.add_argument("--data", default=FASHION_MNIST_DIR)
    args = parser.parse_args()
    workloads = args.workloads.split(",")
    known = ["epoch", "gelu_epoch", "tiny", "grad_loop", "hvp", "hvp1000", "probe"]
    unknown = set(workloads) - set(known)
    if unknown:
        parser.error(f"unknown workload(s) {sorted(unknown)}; known: {', '.join(known)}")
    if args.repetitions < 1:
        parser.error(f"--repetitions must be ≥ 1, got {args.repetitions}")

    torch.set_num_threads(args.threads)
    # nnlab's trainer flushes subnormals to zero; give PyTorch the same advantage.
    torch.set_flush_denormal(True)
    out = {"torch_version": torch.__version__, "torch_threads": torch.get_num_threads(),
           "env": {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE",
                                              "OMP_NUM_THREADS") if k in os.environ},
           "blas": blas_info(), "results": []}
    if "probe" in workloads:
        out["results"].append(run_probe())
    if "epoch" in workloads or "gelu_epoch" in workloads:
        try:
            X, y = load_fashion_mnist(args.data)
        except (OSError, ValueError) as e:
            out["epoch_error"] = str(e)
        else:
            if "epoch" in workloads:
                out["results"].append(run_epoch(X, y, args.repetitions, args.epoch_budget))
            if "gelu_epoch" in workloads:
                # nn.GELU() is the exact x·Φ(x), as nnlab's
                out["results"].append(run_epoch(X, y, args.repetitions, args.epoch_budget,
                                                name="gelu_epoch", activation=nn.GELU))
    if "tiny" in workloads:
        for dtype in (torch.float32, torch.float64):
            out["results"].append(run_tiny(dtype, max(args.repetitions, 5), args.tiny_steps))
    if "grad_loop" in workloads:
        for dtype in (torch.float32, torch.float64):
            out["results"].append(run_grad_loop(dtype, max(args.repetitions, 5), args.loop_calls))
    if "hvp" in workloads:
        out["results"] += run_hvp(max(args.repetitions, 5), args.hvp_calls)
    if "hvp1000" in workloads:  # ~8× the work of a batch of 128: fewer calls per repetition
        out["results"] += run_hvp(max(args.repetitions, 5), max(1, args.hvp_calls // 8), 1000, "_1000")
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
