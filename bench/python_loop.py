#!/usr/bin/env python3
"""The cost of one call into nnlab from Python: a loop of `--calls` calls of net.loss_and_gradient
on the tiny 2-32-32-1 tanh net (MSE) and the 256 points of the tiny step (x ~ N(0, I),
t = sin x₁), in float32 and float64, per call. The call copies X and T in, runs forward and
backward in C++ with the GIL released, and returns the loss and a numpy copy of the gradient.

Prints one JSON object as bench/torch_workloads.py does ("pycall_float32", "pycall_float64");
bench/compare.py runs it beside the same loop in PyTorch (its workload grad_loop). Run it with
the Python the module was built for; --build points at the build that holds python/nnlab.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                        "build", "release"))
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(args.build, "python"))
    import nnlab

    X = np.random.default_rng(2).standard_normal((256, 2))
    results = []
    for dtype in ("float32", "float64"):
        net = nnlab.Mlp("2-32-32-1", activation="tanh", loss="mse", dtype=dtype, seed=2)
        Xd = X.astype(dtype)
        Td = np.sin(Xd[:, :1])
        for _ in range(args.calls // 10):  # warm-up, as the PyTorch loop
            net.loss_and_gradient(Xd, Td)
        times, cpu_times = [], []
        for _ in range(args.repetitions):
            start, cpu_start = time.perf_counter(), time.process_time()
            for _ in range(args.calls):
                net.loss_and_gradient(Xd, Td)
            times.append((time.perf_counter() - start) / args.calls)
            cpu_times.append((time.process_time() - cpu_start) / args.calls)
        results.append({"name": f"pycall_{dtype}", "median_s": statistics.median(times), "times_s": times,
                        "cpu_median_s": statistics.median(cpu_times), "repetitions": len(times)})
    json.dump({"nnlab_version": nnlab.__version__, "python": sys.executable, "results": results},
              sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
