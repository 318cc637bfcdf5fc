#!/usr/bin/env python3
"""nnlab under mpirun, end to end (ctest runs each case as mpi.cli.<case>.<ranks>; docs/mpi.md).

Usage: cli_test.py NNLAB RANKS CASE -- MPIRUN...
  run      `mpirun -np K nnlab run` equals the single-process run (JSON without timings, CSVs)
  report   the same for `nnlab report --quick`, and --resume under mpirun reuses the labs
  sweep    `mpirun -np K nnlab sweep` equals the single-process sweep (table.csv byte for byte)
  badinput a path that exists on rank 0 but not on the others: one line, exit 1, nothing written
  badlab   an unknown lab in run, report --only and sweep: every rank refuses together, one line
           from rank 0, exit 1, no MPI_Abort and nothing written
  killed   kill -9 of rank 1 mid-sweep: non-zero exit within seconds, a message from rank 0, and
           --resume redoes only the runs that were not stored
"""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

NNLAB, RANKS, CASE = sys.argv[1], int(sys.argv[2]), sys.argv[3]
MPIRUN = sys.argv[sys.argv.index("--") + 1:]
TMP = pathlib.Path(tempfile.mkdtemp(prefix=f"nnlab_mpi_{CASE}_"))
TIMINGS = ("started", "finished", "seconds")


def run(args, mpi=True, check_code=0, cwd=TMP):
    cmd = (MPIRUN + ["-np", str(RANKS)] if mpi else []) + [NNLAB] + args
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    if check_code is not None and p.returncode != check_code:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}, expected {check_code}\n{p.stdout}\n{p.stderr}")
    return p


def without_timings(record):
    """A run record without what depends on the clock: timestamps and wall-clock tables/claims."""
    r = {k: v for k, v in record.items() if k not in TIMINGS}
    for key in ("tables", "figures", "claims"):
        r[key] = [x for x in r.get(key, []) if not x.get("wall_clock", False)]
    return r


def same_results(a, b):
    """Every results/<lab>.json equal but for timings, every CSV byte-identical."""
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.suffix in (".json", ".csv"))
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.suffix in (".json", ".csv"))
    assert files_a == files_b and files_a, (files_a, files_b)
    for f in files_a:
        if f.suffix == ".json":
            ja, jb = (without_timings(json.loads((d / f).read_text())) for d in (a, b))
            assert ja == jb, f"{f} differs between 1 process and {RANKS} ranks"
        else:
            assert (a / f).read_bytes() == (b / f).read_bytes(), f"{f} differs"
    return len(files_a)


def case_run():
    run(["run", "dropout-linreg", "--quick", "--out", "one"], mpi=False)
    p = run(["run", "dropout-linreg", "--quick", "--out", "many"])
    assert p.stdout.count("claims passed") == 1, "rank 0 alone prints"
    print(same_results(TMP / "one/results", TMP / "many/results"), "files equal")


def case_report():
    args = ["report", "--quick", "--only", "taylor-step,dropout-linreg"]
    run(args + ["--out", "one"], mpi=False)
    run(args + ["--out", "many"])
    print(same_results(TMP / "one/results", TMP / "many/results"), "files equal")
    record = TMP / "many/results/taylor-step.json"
    before = record.stat().st_mtime_ns
    p = run(args + ["--out", "many", "--resume"])
    assert p.stdout.count("(unchanged, reused)") == 2, p.stdout
    assert record.stat().st_mtime_ns == before, "a reused record was rewritten"


SWEEP = ["sweep", "taylor-step", "--grid", "kappa=10,1000", "--grid", "width=8,16", "--seeds", "2",
         "--quick"]


def case_sweep():
    run(SWEEP + ["--out", "one"], mpi=False)
    run(SWEEP + ["--out", "many"])
    one, many = TMP / "one/sweep/taylor-step", TMP / "many/sweep/taylor-step"
    for f in ("table.csv", "table.json", "summary.csv"):
        assert (one / f).read_bytes() == (many / f).read_bytes(), f"{f} differs"
    print(same_results(one / "runs", many / "runs"), "run records equal")
    rows = (one / "table.csv").read_text().splitlines()
    assert len(rows) == 1 + 4 * 2 * 7, len(rows)  # header + cells × seeds × claims


def case_badinput():
    data = pathlib.Path("/usr/lib/python3/dist-packages/sklearn/datasets/data")
    (TMP / "a").mkdir()
    (TMP / "b").mkdir()
    (TMP / "a/d").symlink_to(data)  # rank 0 finds diabetes_dir=d, the others do not
    args = ["run", "dropout-linreg", "--quick", "--set", "diabetes_dir=d", "--out", str(TMP / "out")]
    cmd = MPIRUN + ["-np", "1", "-wdir", str(TMP / "a"), NNLAB] + args + [":"] + \
        ["-np", str(RANKS - 1), "-wdir", str(TMP / "b"), NNLAB] + args
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    seconds = time.monotonic() - t0
    errors = [line for line in p.stderr.splitlines() if line.startswith("nnlab:")]
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert errors == ["nnlab: error: rank 1: parameter 'diabetes_dir' for lab 'dropout-linreg': "
                      "'d' does not exist"], p.stderr
    assert not (TMP / "out").exists(), "something was written"
    print(f"refused in {seconds:.1f} s")


def case_badlab():
    for args in (["run", "nope"], ["report", "--quick", "--only", "taylor-step,nope"],
                 ["sweep", "nope", "--grid", "p=0.5,0.8", "--seeds", "1"]):
        p = run(args + ["--out", "bad"], check_code=1)
        errors = [line for line in p.stderr.splitlines() if line.startswith("nnlab:")]
        assert errors == ["nnlab: error: rank 0: unknown lab 'nope'; see nnlab list"], p.stderr
        assert "MPI_ABORT" not in p.stderr, p.stderr
        assert not (TMP / "bad").exists(), "something was written"


def case_killed():
    out = TMP / "k"
    args = ["sweep", "taylor-step", "--grid", "kappa=10,100,1000", "--grid", "width=8,16",
            "--seeds", "2", "--out", str(out)]
    runs = out / "sweep/taylor-step/runs"
    job = subprocess.Popen(MPIRUN + ["-np", str(RANKS), NNLAB] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (runs.exists() and len(list(runs.glob("*.json"))) >= RANKS):
        assert job.poll() is None and time.monotonic() < deadline, "the sweep did not start"
        time.sleep(0.05)
    rank1 = None
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            cmdline = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"OMPI_COMM_WORLD_RANK=1" in environ and str(out).encode() in cmdline:
            rank1 = int(pid)
    assert rank1 is not None, "rank 1 not found"
    os.kill(rank1, signal.SIGKILL)
    t0 = time.monotonic()
    _, stderr = job.communicate(timeout=30)
    seconds = time.monotonic() - t0
    assert job.returncode != 0, "the job did not fail"
    assert seconds < 10, f"the job took {seconds:.1f} s to end"
    assert "nnlab: error: the MPI job was stopped" in stderr, stderr
    assert "rank 1" in stderr, stderr
    stored = {p.name: p.stat().st_mtime_ns for p in runs.glob("*.json")}
    assert 0 < len(stored) < 12, len(stored)
    p = run(args + ["--resume"])
    assert f"({len(stored)} reused from an earlier sweep)" in p.stdout, (len(stored), p.stdout)
    for name, mtime in stored.items():
        assert (runs / name).stat().st_mtime_ns == mtime, f"{name} was redone"
    assert len(list(runs.glob("*.json"))) == 12
    print(f"ended {seconds:.1f} s after the kill; {len(stored)} runs reused on --resume")


try:
    globals()["case_" + CASE]()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
