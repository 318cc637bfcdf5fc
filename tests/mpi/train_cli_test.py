#!/usr/bin/env python3
"""`mpirun -np K nnlab train … --data-parallel` (ctest mpi.train_cli.K): on a small CSV, the run
prints its epochs once, writes one checkpoint and log (rank 0) recording K ranks, whose per-epoch
losses match the single-process run's to float rounding (relative 1e-4: the run-level bound is
tested in mpi.data_parallel.K); `eval` reads the checkpoint; under mpirun without --data-parallel,
train refuses with one line and exit code 1.
Usage: train_cli_test.py NNLAB K"""
import json
import os
import random
import subprocess
import sys
import tempfile

nnlab, ranks = sys.argv[1], int(sys.argv[2])
mpirun = ["mpirun", "--oversubscribe", "--allow-run-as-root", "--mca", "btl", "self,vader", "-np", str(ranks)]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAILED:", what)


with tempfile.TemporaryDirectory() as tmp:
    rng = random.Random(5)
    csv = os.path.join(tmp, "points.csv")
    with open(csv, "w") as f:
        f.write("x1,x2,x3,y\n")
        for _ in range(300):
            x = [rng.gauss(0, 1) for _ in range(3)]
            f.write(f"{x[0]},{x[1]},{x[2]},{int(x[0] + x[1] > 0)}\n")
    train = [nnlab, "train", "--data", csv, "--arch", "3-16-2", "--epochs", "3", "--batch", "50",
             "--threads", "1"]
    plain = subprocess.run(train + ["--out", os.path.join(tmp, "plain")], capture_output=True, text=True)
    check(plain.returncode == 0, f"single-process train: {plain.stderr}")
    dp = subprocess.run(mpirun + train + ["--data-parallel", "--out", os.path.join(tmp, "dp")],
                        capture_output=True, text=True)
    check(dp.returncode == 0, f"data-parallel train: {dp.stderr}")
    check(dp.stdout.count("epoch 1/3") == 1, f"one copy of the output:\n{dp.stdout}")
    check(f"data-parallel over {ranks} rank(s)" in dp.stdout, "the model line names the ranks")
    log = json.load(open(os.path.join(tmp, "dp", "log.json")))
    plain_log = json.load(open(os.path.join(tmp, "plain", "log.json")))
    check(log["status"] == "completed" and log["data_parallel"] == {"ranks": ranks}, f"log: {log['status']}")
    check(plain_log["data_parallel"] is None, "the plain log records no ranks")
    for a, b in zip(log["epochs"], plain_log["epochs"]):
        check(abs(a["loss"] - b["loss"]) <= 1e-4 * abs(b["loss"]), f"epoch {a['epoch']}: {a['loss']} vs {b['loss']}")
        check(a["test_accuracy"] is not None, "rank 0 evaluated")
    check(sorted(f for f in os.listdir(os.path.join(tmp, "dp")) if not f.startswith(".")) ==
          ["log.json", "model.safetensors"], "one checkpoint and log")
    ev = subprocess.run([nnlab, "eval", os.path.join(tmp, "dp", "model.safetensors")], capture_output=True, text=True)
    check(ev.returncode == 0, f"eval reads the data-parallel checkpoint: {ev.stderr}")
    bad = subprocess.run(mpirun + train, capture_output=True, text=True)
    # One line of nnlab's (mpirun adds its own note on a non-zero exit).
    lines = [l for l in bad.stderr.splitlines() if l.startswith("nnlab:")]
    check(bad.returncode == 1 and len(lines) == 1 and "needs --data-parallel" in lines[0],
          f"without --data-parallel: exit {bad.returncode}, stderr {bad.stderr!r}")

print("ok" if not failures else f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
