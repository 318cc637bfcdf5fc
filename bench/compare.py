#!/usr/bin/env python3
"""nnlab vs PyTorch on the same workloads, side by side: one table of medians, ratios and targets.

Builds nothing: it runs the Google Benchmark executables of an existing build (build/release by
default; `make build` makes it) and bench/torch_workloads.py under a Python that has torch
(Debian's python3-torch with libopenblas0; optional). Without torch it prints nnlab's numbers
alone; with torch on the reference BLAS it stops at once. The whole run
takes about 8 minutes on 2 cores (with PyTorch). Workloads and targets are described in docs/benchmarks.md.

PyTorch is given its best configuration: OpenBLAS (checked: the library torch's sgemm comes
from), the fastest OpenBLAS core type for this CPU (probed), flush-to-zero, preloaded tensors, and
at 2 threads the fastest of torch.set_num_threads(2) (OpenMP threads spinning, as by default, or
sleeping with OMP_WAIT_POLICY=PASSIVE) and 1 torch thread with OPENBLAS_NUM_THREADS=2.

1-thread workloads of both run pinned to the same CPU: the two vCPUs of the machines here differ
by up to 1.6× in speed, so an unpinned process measures whichever one the scheduler picked. They
run in rounds, each library's once per round, taking turns at going first, and each ratio is the
median of the rounds' ratios: the machine's speed drifts between phases of minutes, and not alike
for the two libraries.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Core types OpenBLAS 0.3.21 can be told to use on an AVX-512 CPU; "" keeps the environment's.
CORETYPE_CANDIDATES = ["", "SkylakeX", "Cooperlake"]


def load_average():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "unknown"


def pinned_cpu():
    """The CPU every 1-thread measurement runs on (the first this process may use)."""
    return min(os.sched_getaffinity(0))


def run(cmd, env=None, what="", pin=False):
    cpu = pinned_cpu()
    pin_to = (lambda: os.sched_setaffinity(0, {cpu})) if pin else None
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, preexec_fn=pin_to)
    if result.returncode != 0:
        raise RuntimeError(f"{what or cmd[0]} failed with exit code {result.returncode}:\n"
                           f"{result.stderr.strip()[-2000:]}")
    return result.stdout


# ---------------------------------------------------------------- where it ran

# Microarchitectures by CPUID family/model. Under a hypervisor the model number may be masked (one
# Sapphire Rapids guest reports Intel model 167, a desktop part's), so Intel parts are also named
# from the features that first came with them.
AMD_FAMILIES = {23: "Zen / Zen 2", 26: "Zen 5"}
INTEL_MODELS = {85: "Skylake-SP / Cascade Lake", 106: "Ice Lake-SP", 108: "Ice Lake-SP",
                143: "Sapphire Rapids", 207: "Emerald Rapids", 173: "Granite Rapids",
                174: "Granite Rapids"}
FLAGS_SHOWN = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_bf16", "avx512_fp16",
               "amx_tile", "hypervisor"]


def cpuinfo():
    """Fields of the first processor in /proc/cpuinfo, and every processor's nominal MHz."""
    fields, mhz = {}, []
    try:
        for line in open("/proc/cpuinfo"):
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "cpu MHz":
                mhz.append(float(value))
            fields.setdefault(key, value)
    except OSError:
        pass
    return fields, mhz


def microarchitecture(fields):
    vendor, flags = fields.get("vendor_id", ""), set(fields.get("flags", "").split())
    try:
        family, model = int(fields.get("cpu family", "")), int(fields.get("model", ""))
    except ValueError:
        return "unknown"
    if vendor == "AuthenticAMD":
        if family == 25:  # Zen 4: models 0x10-0x1f, 0x60-0x7f, 0xa0-0xaf, and the first with AVX-512
            zen4 = "avx512f" in flags or model // 16 in (1, 6, 7, 10)
            return f"Zen 4 (model {model})" if zen4 else f"Zen 3 (model {model})"
        return AMD_FAMILIES.get(family, f"AMD family {family}")
    if vendor == "GenuineIntel" and family == 6:
        if model in INTEL_MODELS:
            return INTEL_MODELS[model]
        if "amx_tile" in flags and "avx512_fp16" in flags:
            return f"Sapphire Rapids class (AMX, AVX512-FP16; model {model} as reported)"
        if "avx512f" in flags:
            return f"an AVX-512 Intel core (model {model})"
    return f"{vendor} family {family} model {model}"


def core_clocks(build):
    """{cpu: effective GHz} measured by bench/clock_bench pinned to each CPU this process may use."""
    exe = os.path.join(build, "bench", "clock_bench")
    clocks = {}
    for cpu in sorted(os.sched_getaffinity(0)):
        out = subprocess.run([exe, "--benchmark_format=json"], capture_output=True, text=True,
                             preexec_fn=lambda c=cpu: os.sched_setaffinity(0, {c}))
        if out.returncode == 0:
            clocks[cpu] = json.loads(out.stdout)["benchmarks"][0]["GHz"]
    return clocks


def describe_machine(build):
    fields, mhz = cpuinfo()
    flags = set(fields.get("flags", "").split())
    return {"cpu": fields.get("model name", "unknown"), "vendor": fields.get("vendor_id", ""),
            "family_model_stepping": [fields.get("cpu family"), fields.get("model"), fields.get("stepping")],
            "microarchitecture": microarchitecture(fields),
            "flags": [f for f in FLAGS_SHOWN if f in flags],
            "nominal_mhz": sorted(set(mhz)), "cores": os.cpu_count()}


def fmt_clocks(clocks):
    return ", ".join(f"CPU {c} {ghz:.2f} GHz" for c, ghz in clocks.items())


# ---------------------------------------------------------------- nnlab (Google Benchmark JSON)

def google_benchmark_medians(executable, bench_filter, repetitions, pin=False, interleave=False):
    """{run_name: (median seconds, counters)} from a Google Benchmark executable's JSON; with
    interleave, the repetitions of all matched benchmarks run in random order (drift in the
    machine's speed then spreads over all of them instead of favouring one)."""
    out = run([executable, f"--benchmark_filter={bench_filter}",
               f"--benchmark_repetitions={repetitions}", "--benchmark_report_aggregates_only=true",
               "--benchmark_format=json"]
              + (["--benchmark_enable_random_interleaving=true"] if interleave else []),
              what=os.path.basename(executable), pin=pin)
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    medians, errors = {}, {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("error_occurred"):
            errors[b.get("run_name", b["name"])] = b.get("error_message", "error")
            continue
        if b.get("aggregate_name", "median") != "median":
            continue
        counters = {k: v for k, v in b.items() if k in ("loss", "running_accuracy", "samples_per_s")}
        counters["cpu_s"] = b["cpu_time"] * scale[b["time_unit"]]  # the main thread's CPU time
        medians[b["run_name"]] = (b["real_time"] * scale[b["time_unit"]], counters)
    return medians, errors


# ---------------------------------------------------------------- nnlab hessian (timed CLI runs)

def nnlab_hessian_timings(build, repetitions, threads):
    """`nnlab hessian` on the untrained 784-512-512-10 net (nnlab train --epochs 0: the products
    cost the same at any weights), 30 Lanczos iterations on the first 1000 Fashion-MNIST training
    samples: the medians of its own per-iteration and per-product times (its --out JSON), and of
    their ratio. None (and why) when there is no nnlab binary or no Fashion-MNIST."""
    import tempfile
    nnlab = os.path.join(build, "nnlab")
    if not os.access(nnlab, os.X_OK):
        return None, f"{nnlab} not found"
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = os.path.join(tmp, "m")
        try:
            run([nnlab, "train", "--arch", "784-512-512-10", "--epochs", "0", "--out", model_dir],
                what="nnlab train --epochs 0")
        except RuntimeError as e:
            return None, str(e).splitlines()[-1]
        per_iteration, per_product, ratio = [], [], []
        for r in range(repetitions):
            out = os.path.join(tmp, f"h{r}.json")
            run([nnlab, "hessian", os.path.join(model_dir, "model.safetensors"), "--first", "1000",
                 "--iterations", "30", "--threads", str(threads), "--out", out],
                what="nnlab hessian", pin=threads == 1)
            with open(out) as f:
                lz = json.load(f)["lanczos"]
            per_iteration.append(lz["seconds"] / lz["iterations"])
            per_product.append(lz["product_seconds"] / lz["iterations"])
            ratio.append(lz["seconds"] / lz["product_seconds"])
    median = lambda xs: sorted(xs)[len(xs) // 2]
    return {"iteration_s": median(per_iteration), "product_s": median(per_product),
            "ratio": median(ratio), "basis": lz["basis"], "orthogonality": lz["orthogonality"]}, None


# ---------------------------------------------------------------- nnlab from Python

def module_python(build):
    """The Python the build's module nnlab was made for (CMakeCache's Python3_EXECUTABLE when
    given with -D, else the one FindPython3 recorded), or None when the build has no module
    (configured without pybind11 or with -DNNLAB_PYTHON=OFF)."""
    if not os.path.isdir(os.path.join(build, "python", "nnlab")):
        return None
    found = {}
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as cache:
            for line in cache:
                name, _, value = line.partition("=")
                found[name.split(":")[0]] = value.strip()
    except OSError:
        return None
    return found.get("Python3_EXECUTABLE") or found.get("_Python3_EXECUTABLE")


def python_loop_timings(build, repetitions):
    """bench/python_loop.py pinned: per-call medians of net.loss_and_gradient from Python."""
    python = module_python(build)
    if python is None:
        return {}, "the build has no Python module (make python)"
    out = run([python, os.path.join(HERE, "python_loop.py"), "--build", build,
               "--repetitions", str(repetitions)], what="python_loop.py", pin=True)
    return results_by_name(json.loads(out)), None


# ---------------------------------------------------------------- nnlab sweep over MPI ranks

SWEEP = ["sweep", "dropout-linreg", "--grid", "p=0.5,0.8", "--seeds", "2", "--quick"]


def nnlab_sweep_timings(build, repetitions):
    """Median wall time of `nnlab sweep` (SWEEP: 4 quick runs of dropout-linreg) as 1 process × 1
    and × 2 threads and as `mpirun -np 2` × 1 thread (each rank bound to a core, mpirun's default),
    interleaved; {} (and why) without mpirun."""
    import tempfile
    nnlab = os.path.join(build, "nnlab")
    mpirun = shutil.which("mpirun")
    if not mpirun or not os.access(nnlab, os.X_OK):
        return {}, "mpirun or the nnlab binary not found"
    setups = {"1x1": [nnlab] + SWEEP + ["--threads", "1"], "1x2": [nnlab] + SWEEP + ["--threads", "2"],
              "2x1": [mpirun, "--oversubscribe", "--allow-run-as-root", "-np", "2", nnlab] + SWEEP
                     + ["--threads", "1"]}
    times = {k: [] for k in setups}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(repetitions):
            for name, cmd in setups.items():
                t0 = time.perf_counter()
                run(cmd + ["--out", os.path.join(tmp, f"{name}-{r}")], what="nnlab sweep")
                times[name].append(time.perf_counter() - t0)
    return {k: sorted(v)[len(v) // 2] for k, v in times.items()}, None


# ---------------------------------------------------------------- PyTorch (subprocesses)

def data_parallel_epochs(build, epochs=3):
    """Median epoch seconds (training steps only, from log.json) of `nnlab train` with the default
    recipe (Fashion-MNIST, 784-512-512-10) at 1 rank × 1 thread, 1 rank × 2 threads and, under
    mpirun, 2 ranks × 1 thread with --data-parallel (docs/data-parallel.md). None without mpirun."""
    import tempfile
    nnlab = os.path.join(build, "nnlab")
    mpirun = shutil.which("mpirun")
    configs = {"1 rank × 1 thread": ([], 1), "1 rank × 2 threads": ([], 2)}
    if mpirun:
        configs["2 ranks × 1 thread"] = ([mpirun, "--oversubscribe", "--allow-run-as-root", "--mca", "btl",
                                          "self,vader", "-np", "2"], 1)
    medians = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (launcher, threads) in configs.items():
            out = os.path.join(tmp, str(len(medians)))
            cmd = launcher + [nnlab, "train", "--epochs", str(epochs), "--threads", str(threads), "--out", out]
            run(cmd + (["--data-parallel"] if launcher else []), what=f"nnlab train ({name})")
            log = json.load(open(os.path.join(out, "log.json")))
            medians[name] = statistics.median(e["seconds"] for e in log["epochs"])
    return medians


def find_torch_python():
    """A Python interpreter that can import torch: this one, Debian's, or the first on PATH."""
    candidates = [sys.executable, "/usr/bin/python3", shutil.which("python3")]
    for python in dict.fromkeys(c for c in candidates if c):
        probe = subprocess.run([python, "-c", "import torch"], capture_output=True)
        if probe.returncode == 0:
            return python
    return None


def torch_sgemm_library(python):
    """The library torch's sgemm_ comes from under `python` (torch_workloads.blas_info), or None."""
    code = (f"import json, sys; sys.path.insert(0, {HERE!r}); import torch_workloads; "
            "print(json.dumps(torch_workloads.blas_info()))")
    return json.loads(run([python, "-c", code], what="torch's BLAS"))["sgemm_from"]


def is_reference_blas(path):
    """Whether a BLAS library file is netlib's reference implementation: a libblas.so that no
    optimized BLAS provides (Debian's alternatives put OpenBLAS's, BLIS's and ATLAS's in folders
    named after them; the reference one is .../blas/libblas.so.3). A torch with its BLAS built in
    (MKL in pip's wheels) resolves sgemm_ to its own library and is not refused."""
    optimized = ("openblas", "blis", "atlas", "mkl")
    return (os.path.basename(path).startswith("libblas.so")
            and not any(name in path.lower() for name in optimized))


def torch_run(python, args, torch_threads, blas_threads, coretype=None, passive=False):
    pin = torch_threads == 1 and blas_threads == 1
    env = dict(os.environ, OMP_NUM_THREADS=str(torch_threads),
               OPENBLAS_NUM_THREADS=str(blas_threads))
    if passive:  # idle OpenMP threads sleep instead of spinning (helps when cores are shared)
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    out = run([python, os.path.join(HERE, "torch_workloads.py"), "--threads", str(torch_threads)]
              + args, env=env, what=f"torch_workloads.py {' '.join(args)}", pin=pin)
    return json.loads(out)


def best_coretype(python):
    """The OpenBLAS core type under which PyTorch runs the MLP's training fastest: timed on one
    whole epoch (469 steps) each, or on 30 steps of random data without Fashion-MNIST. A probe of
    30 steps alone picked the AVX2 kernels in one run while AVX-512 ones trained 1.7× faster."""
    timings = {}
    for coretype in CORETYPE_CANDIDATES:
        try:
            r = torch_run(python, ["--workloads", "epoch", "--repetitions", "1"], 1, 1, coretype)
            if not r["results"]:  # no data set: the short probe
                r = torch_run(python, ["--workloads", "probe"], 1, 1, coretype)
        except RuntimeError:  # a core type this CPU cannot run (illegal instruction)
            continue
        timings[r["blas"].get("openblas_core", coretype or "default")] = (
            r["results"][0]["cpu_median_s"], coretype)
    if not timings:
        raise RuntimeError("PyTorch could not run the probe under any OpenBLAS core type")
    name = min(timings, key=lambda k: timings[k][0])
    return timings[name][1], name, {k: v[0] for k, v in timings.items()}


def results_by_name(run_json):
    return {r["name"]: r for r in run_json["results"]}


# ---------------------------------------------------------------- paired rounds

def nnlab_medians(rounds):
    """{run_name: (median seconds, counters)} over rounds of google_benchmark_medians results,
    each counter the median of its rounds' values."""
    out = {}
    for name in dict.fromkeys(n for r in rounds for n in r):
        runs = [r[name] for r in rounds if name in r]
        counters = {k: statistics.median(c[k] for _, c in runs) for k in runs[0][1]}
        out[name] = (statistics.median(s for s, _ in runs), counters)
    return out


def torch_medians(rounds):
    """torch_workloads results by name, combined over rounds: the medians of the rounds'
    medians, every repetition's time, projected if any round was."""
    out = {}
    for name in dict.fromkeys(n for r in rounds for n in r):
        runs = [r[name] for r in rounds if name in r]
        out[name] = dict(runs[0], median_s=statistics.median(x["median_s"] for x in runs),
                         cpu_median_s=statistics.median(x["cpu_median_s"] for x in runs),
                         times_s=[t for x in runs for t in x["times_s"]],
                         repetitions=sum(x["repetitions"] for x in runs),
                         projected=any(x.get("projected") for x in runs))
    return out


def in_rounds(repetitions, nnlab_round, torch_round):
    """(nnlab's results, PyTorch's) of `repetitions` rounds, each calling both round functions
    with the round's index, taking turns at going first (PyTorch's none when torch_round is None)."""
    nn, pt = [], []
    for r in range(repetitions):
        if torch_round and r % 2 == 1:
            pt.append(torch_round(r))
        nn.append(nnlab_round(r))
        if torch_round and r % 2 == 0:
            pt.append(torch_round(r))
    return nn, pt


def paired_ratios(nn_rounds, pt_rounds, nn_name, pt_name):
    """PyTorch's time over nnlab's, round by round (wall, CPU): each ratio compares two runs of
    the same round, seconds to a minute apart, rather than medians taken minutes apart."""
    wall, cpu = [], []
    for nn, pt in zip(nn_rounds, pt_rounds):
        if nn_name in nn and pt_name in pt and nn[nn_name][0]:
            wall.append(pt[pt_name]["median_s"] / nn[nn_name][0])
            if nn[nn_name][1].get("cpu_s"):
                cpu.append(pt[pt_name]["cpu_median_s"] / nn[nn_name][1]["cpu_s"])
    return wall, cpu


# ---------------------------------------------------------------- table

def fmt_time(seconds):
    if seconds is None:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"),
                        help="build folder with bench/epoch_bench and bench/mlp_bench")
    parser.add_argument("--repetitions", type=int, default=5,
                        help="rounds of the 1-thread workloads and of the tiny step at 2 threads (each "
                             "library's once a round), repetitions of the other 2-thread ones; medians are "
                             "reported")
    parser.add_argument("--json", help="also write every number measured to this file")
    parser.add_argument("--no-torch", action="store_true", help="nnlab only")
    args = parser.parse_args()
    if args.repetitions < 1:
        parser.error(f"--repetitions must be at least 1, got {args.repetitions}")

    bench_dir = os.path.join(args.build, "bench")
    epoch_bench = os.path.join(bench_dir, "epoch_bench")
    mlp_bench = os.path.join(bench_dir, "mlp_bench")
    for exe in (epoch_bench, mlp_bench, os.path.join(bench_dir, "clock_bench")):
        if not os.access(exe, os.X_OK):
            sys.exit(f"compare: {exe} not found; build first (`make build`, or cmake with "
                     f"-DNNLAB_BUILD_BENCH=ON) or pass --build DIR")

    # PyTorch at its best runs on OpenBLAS. Debian's python3-torch links libblas.so.3, which
    # without libopenblas0 is the reference BLAS: an epoch then takes ~40 s instead of ~2 s and
    # every ratio would flatter nnlab by 20x, so refuse before spending minutes on it.
    python = None if args.no_torch else find_torch_python()
    if python:
        sgemm = torch_sgemm_library(python)
        if sgemm and is_reference_blas(sgemm):
            sys.exit(f"compare: PyTorch under {python} takes its sgemm from {sgemm}, the unoptimized "
                     f"reference BLAS, so it would not run at its best; install OpenBLAS "
                     f"(apt-get install libopenblas0; see update-alternatives --display "
                     f"libblas.so.3-x86_64-linux-gnu) or pass --no-torch")

    start = time.time()
    machine = describe_machine(args.build)
    print(f"CPU: {machine['cpu']} ({machine['vendor']}, family/model/stepping "
          f"{'/'.join(str(x) for x in machine['family_model_stepping'])}): {machine['microarchitecture']}")
    print(f"     {machine['cores']} cores; flags {' '.join(machine['flags'])}; nominal "
          f"{'/'.join(f'{m:g}' for m in machine['nominal_mhz'])} MHz (as /proc/cpuinfo says)")
    clocks_before = core_clocks(args.build)
    print(f"     effective clock before (dependent adds, per CPU second): {fmt_clocks(clocks_before)}",
          flush=True)
    load_before = load_average()
    print(f"load average before: {load_before} (on {os.cpu_count()} cores; busy machines give noisy numbers)",
          flush=True)

    # nnlab's workloads that are not paired with PyTorch's
    micro_reps = max(args.repetitions, 5)
    errors = {}
    print("nnlab: data-parallel training, 3 epochs each at 1 rank × 1 and × 2 threads, 2 ranks × 1 thread ...",
          flush=True)
    dp_epochs = data_parallel_epochs(args.build)
    print("nnlab: hessian, 30 Lanczos iterations on 1000 samples, at 1 and 2 threads ...", flush=True)
    lanczos = {}
    for t in (1, 2):
        lanczos[t], lanczos_error = nnlab_hessian_timings(args.build, args.repetitions, t)
        if lanczos_error:
            print(f"nnlab hessian: {lanczos_error}")
            break
    print("nnlab: sweep, 1 process × 1 and 2 threads vs mpirun -np 2 × 1 thread ...", flush=True)
    sweep, sweep_error = nnlab_sweep_timings(args.build, min(args.repetitions, 3))
    if sweep_error:
        print(f"nnlab sweep: {sweep_error}")

    # PyTorch
    torch_info, t2_omp, t2_passive, t2_blas, t2_tiny = {}, {}, {}, {}, {}
    coretype, coretype_name, coretype_timings = None, None, {}
    if python:
        print(f"PyTorch ({python}): choosing the OpenBLAS core type ...", flush=True)
        coretype, coretype_name, coretype_timings = best_coretype(python)

    # The 1-thread workloads of both, pinned to one CPU, in rounds: each library's once, taking
    # turns at going first, `repetitions` times. The machine's speed drifts by 20-30% between
    # phases of minutes and the two libraries do not drift alike (PyTorch's epoch took 6.20 s in
    # one run and 7.08 s in another half an hour later, nnlab's 4.01 and 3.74 s), so each row's
    # ratio is the median of its rounds' ratios, two runs seconds to a minute apart, and the table
    # shows their range. (Unpinned, a row measured whichever of the two unequal vCPUs the
    # scheduler picked: 30.5 against 25.4 µs in one run.)
    def nnlab_round(r):
        print(f"round {r + 1}/{args.repetitions}: nnlab's 1-thread workloads (on CPU {pinned_cpu()}) ...",
              flush=True)
        runs, round_errors = google_benchmark_medians(
            epoch_bench, "BM_FashionMnistEpoch/threads:1/|BM_FashionMnistGeluEpoch/threads:1/", 1, pin=True)
        errors.update(round_errors)
        round_micro, round_errors = google_benchmark_medians(
            mlp_bench, "BM_TinyTanhGdStep<.*>/1/|BM_MnistMlpGradientVsHvp", 1, pin=True)
        errors.update(round_errors)
        runs.update(round_micro)
        # (e): the tiny net's gradient called from Python, in the round's runs as nnlab's others
        pycall, pycall_error = python_loop_timings(args.build, micro_reps)
        if pycall_error:
            errors["Python loop"] = pycall_error
        runs.update({name: (x["median_s"], {"cpu_s": x["cpu_median_s"]}) for name, x in pycall.items()})
        return runs

    def torch_round(r):
        print(f"round {r + 1}/{args.repetitions}: PyTorch's (OpenBLAS core {coretype_name}) ...", flush=True)
        # An epoch longer than 40 s is cut short (its time projected), so a pathological setup
        # cannot stretch the run.
        r1 = torch_run(python, ["--workloads", "epoch,gelu_epoch,tiny,grad_loop,hvp,hvp1000",
                                "--repetitions", "1", "--epoch-budget", "40"], 1, 1, coretype)
        torch_info.update({k: v for k, v in r1.items() if k != "results"})
        return results_by_name(r1)

    nn_rounds, pt_rounds = in_rounds(args.repetitions, nnlab_round, torch_round if python else None)
    nn_one_thread, t1 = nnlab_medians(nn_rounds), torch_medians(pt_rounds)
    epochs = {k: v for k, v in nn_one_thread.items() if "Epoch" in k}
    micro = {k: v for k, v in nn_one_thread.items() if "Epoch" not in k}

    # The 2-thread workloads of both, one after the other (each library's repetitions in its own
    # run); nnlab's on both CPUs.
    print("nnlab: one Fashion-MNIST epoch at 2 threads ...", flush=True)
    epochs2, epoch_errors = google_benchmark_medians(epoch_bench, "BM_FashionMnistEpoch/threads:2/", args.repetitions)
    epochs.update(epochs2)
    errors.update(epoch_errors)
    # The tiny step at 2 threads, in rounds as well: a step of ~15 µs against PyTorch's ~150 µs
    # moves with the machine's phase as much as the 1-thread rows do (PyTorch's took 135 µs in
    # one run, 160–315 in others). A round is nnlab's step on both CPUs (it hands one of its two
    # column chunks to the worker: Mlp::loss_and_gradient; on one CPU that would only cost time)
    # and PyTorch's at 1 thread (pinned) and at 2, taking turns at going first; each round
    # compares nnlab with the faster of PyTorch's two.
    def nnlab_tiny2_round(r):
        print(f"round {r + 1}/{args.repetitions}: nnlab's tiny step at 2 threads ...", flush=True)
        runs, round_errors = google_benchmark_medians(
            mlp_bench, "BM_TinyTanhGdStep<.*>/2/", micro_reps, interleave=True)
        errors.update(round_errors)
        return runs

    def torch_tiny2_round(r):
        print(f"round {r + 1}/{args.repetitions}: PyTorch's tiny step at 1 and 2 threads ...", flush=True)
        tiny = ["--workloads", "tiny", "--repetitions", "1"]
        return (results_by_name(torch_run(python, tiny, 1, 1, coretype)),
                results_by_name(torch_run(python, tiny, 2, 2, coretype)))

    nn2_rounds, pt2_rounds = in_rounds(args.repetitions, nnlab_tiny2_round, torch_tiny2_round if python else None)
    micro.update(nnlab_medians(nn2_rounds))
    # Per round, PyTorch's faster setup for each workload; and its 2-thread runs alone.
    pt2_best_rounds = [{name: min(one[name], two[name], key=lambda x: x["median_s"])
                        for name in one if name in two} for one, two in pt2_rounds]
    t2_tiny = torch_medians([two for _, two in pt2_rounds])
    for name, message in errors.items():
        print(f"nnlab {name}: {message}")

    def nn_time(run_name):
        return micro.get(run_name, epochs.get(run_name, (None, {})))[0]

    nn_epoch = {t: epochs.get(f"BM_FashionMnistEpoch/threads:{t}/iterations:1/real_time", (None, {}))
                for t in (1, 2)}
    nn_gelu_epoch = epochs.get("BM_FashionMnistGeluEpoch/threads:1/iterations:1/real_time", (None, {}))
    nn_tiny = {(d, t): nn_time(f"BM_TinyTanhGdStep<{d}>/{t}/real_time")
               for d in ("float", "double") for t in (1, 2)}
    nn_grad = nn_time("BM_MnistMlpGradientVsHvp/0")
    nn_hvp = nn_time("BM_MnistMlpGradientVsHvp/1")
    nn_grad1000 = nn_time("BM_MnistMlpGradientVsHvp1000/0")
    nn_hvp1000 = nn_time("BM_MnistMlpGradientVsHvp1000/1")
    nn_fixed = nn_time("BM_MnistMlpGradientVsHvp/2")
    nn_fixed1000 = nn_time("BM_MnistMlpGradientVsHvp1000/2")

    if python:
        reps = ["--repetitions", str(args.repetitions), "--epoch-budget", "40"]
        print("PyTorch: epoch with torch.set_num_threads(2) ...", flush=True)
        t2_omp = results_by_name(torch_run(python, ["--workloads", "epoch"] + reps, 2, 2, coretype))
        print("PyTorch: epoch with torch.set_num_threads(2), OMP_WAIT_POLICY=PASSIVE ...", flush=True)
        t2_passive = results_by_name(
            torch_run(python, ["--workloads", "epoch"] + reps, 2, 2, coretype, passive=True))
        print("PyTorch: epoch with 1 torch thread and OPENBLAS_NUM_THREADS=2 ...", flush=True)
        t2_blas = results_by_name(torch_run(python, ["--workloads", "epoch"] + reps, 1, 2, coretype))
        if "epoch_error" in torch_info:
            print(f"PyTorch epoch: {torch_info['epoch_error']}")

    def tmed(results, name):
        return results[name]["median_s"] if name in results else None

    pt_epoch1 = tmed(t1, "epoch")
    pt_epoch2_omp, pt_epoch2_passive = tmed(t2_omp, "epoch"), tmed(t2_passive, "epoch")
    pt_epoch2_blas = tmed(t2_blas, "epoch")
    pt_epoch2_candidates = [t for t in (pt_epoch2_omp, pt_epoch2_passive, pt_epoch2_blas) if t is not None]
    pt_epoch2 = min(pt_epoch2_candidates) if pt_epoch2_candidates else None
    pt_grad, pt_hvp = tmed(t1, "gradient"), tmed(t1, "hvp")
    pt_grad1000, pt_hvp1000 = tmed(t1, "gradient_1000"), tmed(t1, "hvp_1000")
    pt_fixed, pt_fixed1000 = tmed(t1, "hvp_fixed"), tmed(t1, "hvp_fixed_1000")

    # rows: workload, nnlab, torch, ratio (how many times faster nnlab is), the same ratio of
    # CPU times (1-thread rows only: robust when the machine is busy), target text, met?
    rows = []

    def times_faster(nn_s, pt_s):
        return f"{pt_s / nn_s:.2f}×" if nn_s and pt_s else ""

    def ratios(nn_s, pt_s, pair):
        """The ratio (a number) and its wall and CPU cells: with pair (nnlab's run name, PyTorch's
        workload name[, nnlab's rounds, PyTorch's]; the 1-thread rounds unless given) the median
        of the rounds' ratios and their range, else pt_s / nn_s. CPU ratios only for the 1-thread
        rounds (at 2 threads nnlab's counts its main thread, PyTorch's its process)."""
        if not pair:
            return (pt_s / nn_s if nn_s and pt_s else None), times_faster(nn_s, pt_s) or "—", ""
        nn_name, pt_name, *rounds = pair
        wall, cpu = paired_ratios(*(rounds or (nn_rounds, pt_rounds)), nn_name, pt_name)
        if rounds:
            cpu = []

        def cell(rs):
            if not rs:
                return ""
            return f"{statistics.median(rs):.2f}×" + (f" ({min(rs):.2f}–{max(rs):.2f})" if len(rs) > 1 else "")
        return (statistics.median(wall) if wall else None), cell(wall) or "—", cell(cpu)

    def speed_row(workload, nn_s, pt_s, target, pair=None):
        ratio, wall, cpu = ratios(nn_s, pt_s, pair)
        rows.append((workload, fmt_time(nn_s), fmt_time(pt_s), wall, cpu, f"≥ {target:g}× faster",
                     None if ratio is None else ratio >= target))

    def info_row(workload, nn_s, pt_s, pair=None):
        _, wall, cpu = ratios(nn_s, pt_s, pair)
        rows.append((workload, fmt_time(nn_s), fmt_time(pt_s), wall, cpu, "", None))

    epoch1 = "BM_FashionMnistEpoch/threads:1/iterations:1/real_time"
    speed_row("(a) Fashion-MNIST epoch, 1 thread", nn_epoch[1][0], pt_epoch1, 2, (epoch1, "epoch"))
    speed_row("(a) Fashion-MNIST epoch, 2 threads", nn_epoch[2][0], pt_epoch2, 2)
    speed_row("(a′) the epoch with GELU hidden units, 1 thread", nn_gelu_epoch[0], tmed(t1, "gelu_epoch"),
              1.5, ("BM_FashionMnistGeluEpoch/threads:1/iterations:1/real_time", "gelu_epoch"))
    if python:
        info_row("    torch: set_num_threads(2)", nn_epoch[2][0], pt_epoch2_omp)
        info_row("    torch: set_num_threads(2), passive OpenMP", nn_epoch[2][0], pt_epoch2_passive)
        info_row("    torch: 1 thread, OPENBLAS_NUM_THREADS=2", nn_epoch[2][0], pt_epoch2_blas)
    for d, t, target in (("float", "tiny_float32", 10), ("double", "tiny_float64", 8)):
        name = f"BM_TinyTanhGdStep<{d}>/1/real_time"
        speed_row(f"(b) tiny 2-32-32-1 tanh GD step, {t[5:]}, 1 thread", nn_tiny[d, 1], tmed(t1, t), target,
                  (name, t))
        speed_row(f"(b) tiny 2-32-32-1 tanh GD step, {t[5:]}, 2 threads (best torch setup)",
                  nn_tiny[d, 2], tmed(torch_medians(pt2_best_rounds), t), target,
                  (f"BM_TinyTanhGdStep<{d}>/2/real_time", t, nn2_rounds, pt2_best_rounds))
        if python:
            info_row("    torch: set_num_threads(2)", nn_tiny[d, 2], tmed(t2_tiny, t))
    info_row("(c) MLP gradient, batch 128", nn_grad, pt_grad,
             ("BM_MnistMlpGradientVsHvp/0", "gradient"))
    info_row("(c) MLP Hessian-vector product, from scratch", nn_hvp, pt_hvp,
             ("BM_MnistMlpGradientVsHvp/1", "hvp"))
    info_row("(c) MLP Hessian-vector product at a fixed θ", nn_fixed, pt_fixed,
             ("BM_MnistMlpGradientVsHvp/2", "hvp_fixed"))

    def cost_row(workload, nn_s, pt_s, nn_g, pt_g, target=None):
        nn_c = nn_s / nn_g if nn_s and nn_g else None
        pt_c = pt_s / pt_g if pt_s and pt_g else None
        rows.append((workload, f"{nn_c:.2f}" if nn_c else "—", f"{pt_c:.2f}" if pt_c else "—", "", "",
                     f"nnlab ≤ {target:g}" if target else "",
                     None if target is None or nn_c is None else nn_c <= target))

    # The products the analyses repeat are at a fixed θ (the target's row); from scratch, the
    # R-operator is 1.92 gradients of GEMM work on this relu net.
    cost_row("(c) HVP / gradient cost, from scratch", nn_hvp, pt_hvp, nn_grad, pt_grad)
    cost_row("(c) HVP / gradient cost, at a fixed θ", nn_fixed, pt_fixed, nn_grad, pt_grad, 2.0)

    # (d) Hessian analysis: one H·v on 1000 samples against PyTorch's double backward, and what a
    # Lanczos iteration of `nnlab hessian` (whose products are at a fixed θ) costs beyond its H·v.
    info_row("(d) MLP gradient, 1000 samples", nn_grad1000, pt_grad1000,
             ("BM_MnistMlpGradientVsHvp1000/0", "gradient_1000"))
    speed_row("(d) MLP Hessian-vector product, 1000 samples, from scratch", nn_hvp1000, pt_hvp1000, 1.5,
              ("BM_MnistMlpGradientVsHvp1000/1", "hvp_1000"))
    info_row("(d) MLP Hessian-vector product, 1000 samples, at a fixed θ", nn_fixed1000, pt_fixed1000,
             ("BM_MnistMlpGradientVsHvp1000/2", "hvp_fixed_1000"))
    cost_row("(d) HVP / gradient cost, 1000 samples, from scratch", nn_hvp1000, pt_hvp1000, nn_grad1000,
             pt_grad1000)
    cost_row("(d) HVP / gradient cost, 1000 samples, at a fixed θ", nn_fixed1000, pt_fixed1000,
             nn_grad1000, pt_grad1000)
    for t in (1, 2):
        lz = lanczos.get(t)
        label = f"(d) nnlab hessian, 30 it. on 1000 samples, {t} thread{'s' if t > 1 else ''}: "
        rows.append((label + "ms per iteration / per fixed-θ H·v",
                     f"{1e3 * lz['iteration_s']:.1f} / {1e3 * lz['product_s']:.1f}" if lz else "—",
                     "", "", "", "", None))
        rows.append((label + "iteration / fixed-θ H·v", f"{lz['ratio']:.2f}" if lz else "—", "", "", "",
                     "nnlab ≤ 1.3", None if lz is None else lz["ratio"] <= 1.3))
        # A whole iteration (product and reorthogonalization) against PyTorch's product alone.
        if t == 1:
            info_row(label + "iteration vs PyTorch's H·v at a fixed θ", lz["iteration_s"] if lz else None,
                     pt_fixed1000)

    # (e) the binding's cost: one Python call of loss_and_gradient (copies in, forward and backward,
    # the gradient copied out) against PyTorch's forward and backward called from Python.
    for d in ("float32", "float64"):
        speed_row(f"(e) Python loop: net.loss_and_gradient vs torch forward+backward, tiny net, {d}, per call",
                  nn_time(f"pycall_{d}"), tmed(t1, f"grad_loop_{d}"), 3, (f"pycall_{d}", f"grad_loop_{d}"))

    # (f) data-parallel training (docs/data-parallel.md): epoch medians and the speed-up over
    # 1 rank × 1 thread; ratio column = speed-up.
    base = dp_epochs.get("1 rank × 1 thread")
    for name, seconds in dp_epochs.items():
        rows.append((f"(f) Fashion-MNIST epoch, {name}", fmt_time(seconds), "",
                     f"{base / seconds:.2f}×" if base else "—", "", "", None))

    # (g) a sweep spread over MPI ranks (docs/mpi.md): wall times, and the speed-up over 1 process.
    for name, label in (("1x1", "1 process × 1 thread"), ("1x2", "1 process × 2 threads"),
                        ("2x1", "mpirun -np 2 × 1 thread")):
        rows.append((f"(g) nnlab sweep, 4 quick dropout-linreg runs: {label}", fmt_time(sweep.get(name)),
                     "", "", "", "", None))
    for base in ("1x1", "1x2"):
        rows.append((f"(g) sweep speed-up, 2 ranks over {base[0]} process × {base[2]} thread(s)",
                     f"{sweep[base] / sweep['2x1']:.2f}" if sweep else "—", "", "", "", "", None))

    headers = ("workload", "nnlab", "PyTorch", "ratio", "CPU ratio", "target", "met")
    table = [headers] + [(w, n, p, r, c, t, "" if m is None else ("met" if m else "NOT met"))
                         for w, n, p, r, c, t, m in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    print()
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(widths[j]) if j == 0 else cell.rjust(widths[j])
                        for j, cell in enumerate(row)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    n_rounds = f"{args.repetitions} round{'s' if args.repetitions > 1 else ''}"
    print(f"\nmedians of {args.repetitions} repetition(s) (2-thread micro-benchmarks: at least 5); ratio = "
          "PyTorch time / nnlab time (> 1: nnlab faster). 1-thread rows: both pinned to one CPU, measured "
          f"in {n_rounds} (each library's workloads once, taking turns at going first), ratio = the median of "
          "the rounds' ratios (their range in brackets), CPU ratio the same for CPU time (hardly moved by "
          "other load); 2-thread rows on both CPUs: the tiny step's in rounds too (against the faster of "
          "PyTorch's 1- and 2-thread runs in each round), the epoch's each library's repetitions in its own "
          "run; (c) at 1 thread; (f) ratio = speed-up over 1 rank × 1 thread (epochs of `nnlab train`'s default recipe, "
          "median of 3).")
    for label, (_, counters) in (("epoch at 1 thread", nn_epoch[1]), ("epoch at 2 threads", nn_epoch[2]),
                                 ("GELU epoch at 1 thread", nn_gelu_epoch)):
        if counters:
            print(f"nnlab {label}: loss {counters['loss']:.4f}, running accuracy "
                  f"{counters['running_accuracy']:.4f}")
    if python:
        for label, res, name in (("1 thread", t1, "epoch"), ("set_num_threads(2)", t2_omp, "epoch"),
                                 ("set_num_threads(2) passive", t2_passive, "epoch"),
                                 ("OpenBLAS 2 threads", t2_blas, "epoch"), ("GELU, 1 thread", t1, "gelu_epoch")):
            if name in res:
                e = res[name]
                print(f"PyTorch epoch, {label}: loss {e['loss']:.4f}, running accuracy "
                      f"{e['running_accuracy']:.4f}, {e['repetitions']} repetition(s)"
                      + (" (cut short by the time budget, time projected)" if e["projected"] else ""))
        blas = torch_info.get("blas", {})
        print(f"PyTorch {torch_info.get('torch_version')} BLAS: {blas.get('openblas_config') or blas.get('libraries')}")
        print("OpenBLAS core type probe (CPU seconds of one epoch, or of a probe step): "
              + ", ".join(f"{k} {v:.3g} s" for k, v in coretype_timings.items())
              + f" → {coretype_name}")
    elif args.no_torch:
        print("PyTorch skipped (--no-torch); nnlab's numbers only.")
    else:
        print("PyTorch is not installed (optional: apt install python3-torch libopenblas0); "
              "nnlab's numbers only.")
    load_after = load_average()
    clocks_after = core_clocks(args.build)
    print(f"effective clock after: {fmt_clocks(clocks_after)}")
    print(f"load average after: {load_after}; total {time.time() - start:.0f} s")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine,
                       "clock_ghz_before": clocks_before, "clock_ghz_after": clocks_after,
                       "load_before": load_before,
                       "load_after": load_after, "cores": os.cpu_count(),
                       "rows": [dict(zip(headers, row)) for row in table[1:]],
                       "nnlab": {"epoch": {str(t): nn_epoch[t] for t in (1, 2)}, "gelu_epoch": nn_gelu_epoch,
                                 "micro": micro, "hessian": {str(t): lanczos.get(t) for t in (1, 2)},
                                 "data_parallel_epoch": dp_epochs,
                                 "sweep": sweep},
                       "torch": {"info": torch_info, "coretype_probe": coretype_timings,
                                 "threads1": t1, "set_num_threads2": t2_omp,
                                 "set_num_threads2_passive": t2_passive, "openblas2": t2_blas,
                                 "tiny_set_num_threads2": t2_tiny},
                       "paired_rounds": {"nnlab": nn_rounds, "torch": pt_rounds,
                                         "tiny_2_threads": {"nnlab": nn2_rounds, "torch_best": pt2_best_rounds}}},
                      f, indent=1)


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as e:
        sys.exit(f"compare: {e}")
