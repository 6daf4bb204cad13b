"""Speed, side by side: this project, the article's program, and PyTorch (issue 5).

    python tests/benchmark.py            # the full run (a few minutes)
    python tests/benchmark.py --quick    # under a minute
    python tests/benchmark.py --profile  # where the default run's time goes (cProfile)

Not collected by pytest (its name does not start with test_).  It reports; it never fails.
(a) the project's Trainer.train, (b) the article's program restated in
tests/seed_reference.py (per-sample collation, sigmoid recomputed in backward),
(c) PyTorch on the CPU in float64, when torch can be imported: all three from
the same initial weights, on the same batches, taking turns in short rounds
(a b c, b c a, c a b, ...), each going on from where its last round stopped.
"""

import argparse
import atexit
import contextlib
import cProfile
import io
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
sys.path[:0] = [ROOT, TESTS]

import numpy as np
from easydict import EasyDict
from seed_reference import SeedDataLoader, SeedDataset, seed_net_like, seed_train

from code.config.default_config import _C
from code.lib.Data.DataLoader import DataLoader
from code.scripts.Dataset import Dataset
from code.scripts.trainer import Trainer

try:
    import torch
except ImportError:
    torch = None

WORKDIR = tempfile.mkdtemp(prefix="hjlnet-bench-")
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)   # leaves no temp folder behind
TORCH_HINT = "pip install torch  (a CPU build is enough)"


def make_trainer(width: int = 25, step: float = 0.01, batch_size: int = 90, epochs: int = 0) -> Trainer:
    cfg = EasyDict(dict(_C))
    cfg.update(layers_dim=[1, width, 1], batch_size=batch_size, total_epochs=epochs, resume=False,
               log_every=10**9, ckpt_every=10**9, show=False, ckpt_path=os.path.join(WORKDIR, "ckpt.npy"),
               metrics_path=os.path.join(WORKDIR, "metrics.csv"))
    return Trainer(cfg, dataset=Dataset(step=step))


def initial_weights(width: int = 25) -> tuple:
    net = make_trainer(width).net
    return [la.weight.copy() for la in net.linear_list], [la.bias.copy() for la in net.linear_list]


# ---- the three contenders, on the default workload ------------------------------------------------
# Each is a runner: ``run(epochs)`` trains that many more epochs, going on from where its last
# call stopped, and returns the seconds; ``weights()`` gives its weights as they are now.
def project_runner() -> tuple:
    trainer = make_trainer()
    trainer.cfg.log_every = 100                           # as the article: a loss line every 100 epochs

    def run(epochs: int) -> float:
        trainer.cfg.total_epochs = trainer.epoch + epochs
        with contextlib.redirect_stdout(io.StringIO()):
            start = time.perf_counter()
            trainer.train()                               # ends with a checkpoint write, as a run every ckpt_every
            return time.perf_counter() - start
    return run, lambda: [la.weight for la in trainer.net.linear_list]


def seed_runner() -> tuple:
    weights, biases = initial_weights()
    net, loader = seed_net_like(weights, biases), SeedDataLoader(SeedDataset(), 90)

    def run(epochs: int) -> float:
        start = time.perf_counter()
        seed_train(net, loader, epochs, log_every=100)    # the article computes the loss every 100 epochs
        return time.perf_counter() - start
    return run, lambda: [la.weight for la in net.linear_list]


def torch_model(weights: list, biases: list):
    layers = []
    for i, (w, b) in enumerate(zip(weights, biases)):
        linear = torch.nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b[:, 0]))
        layers += [linear] if i == len(weights) - 1 else [linear, torch.nn.Sigmoid()]
    return torch.nn.Sequential(*layers)


def torch_batches(step: float, batch_size: int) -> list:
    data = Dataset(step=step)
    x, y = torch.from_numpy(data.x.T.copy()), torch.from_numpy(data.y.T.copy())   # (N, 1): rows, torch's way
    return [(x[i:i + batch_size], y[i:i + batch_size]) for i in range(0, len(x), batch_size)]


def torch_epochs(model, batches: list, epochs: int) -> float:
    """Seconds for ``epochs`` of SGD on 0.5 * mean((out - y)^2): the article's loss and step."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.03)
    start = time.perf_counter()
    for _ in range(epochs):
        for x, y in batches:
            optimizer.zero_grad()
            loss = 0.5 * ((model(x) - y) ** 2).mean()
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start


def torch_runner() -> tuple:
    model, batches = torch_model(*initial_weights()), torch_batches(0.01, 90)
    return (lambda epochs: torch_epochs(model, batches, epochs),
            lambda: [m.weight.detach().numpy() for m in model if isinstance(m, torch.nn.Linear)])


def default_workload(epochs: int, rounds: int) -> dict:
    """Time the contenders in ``rounds`` rounds of ``epochs`` epochs each, taking turns inside a
    round (a b c, then b c a, then c a b, ...).  This machine's speed swings by a third over
    seconds, and the swings only ever add time.  So two figures: each contender's fastest
    round (timeit's rule: the lower bound of its own speed), and the median of the rounds'
    ratios (within a round, all three meet the same swing).  Returns {"a": fastest seconds,
    ..., "b/a": fastest ratio, "b/a median": median ratio, ...}."""
    runners = {"a": project_runner(), "b": seed_runner()}
    if torch is not None:
        runners["c"] = torch_runner()
    names = list(runners)
    times = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(runners[name][0](epochs))
    result = {name: min(t) for name, t in times.items()}
    updates = epochs * len(DataLoader(Dataset(), 90))
    labels = {"a": "project (Trainer.train)", "b": "the article's program", "c": "PyTorch float64 CPU"}
    print(f"\n## default workload: [1, 25, 1], 200 points, batch 90, lr 0.03; {rounds} rounds of {epochs} "
          f"epochs ({rounds * epochs} in all), taking turns")
    print(f"{'':28s} {'fastest round':>25s}   {'time / (a), median of rounds':>30s}")
    print(f"{'':28s} {'us / update':>12s} {'time / (a)':>12s}   {'(quartiles)':>30s}")
    for name in names:
        ratios = [t / a for t, a in zip(times[name], times["a"])]
        quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
        result[f"{name}/a"] = result[name] / result["a"]
        result[f"{name}/a median"] = statistics.median(ratios)
        print(f"({name}) {labels[name]:23s} {result[name] / updates * 1e6:12.1f} {result[name + '/a']:11.2f}x   "
              f"{result[name + '/a median']:13.2f}x ({quartiles[0]:.2f}x to {quartiles[2]:.2f}x)")
    weights = {name: runner[1]() for name, runner in runners.items()}
    same = all(np.array_equal(p, q) for p, q in zip(weights["a"], weights["b"]))
    print(f"(a) and (b) end with {'the same weights, bit for bit' if same else 'DIFFERENT weights'}")
    if "c" in weights:
        diff = max(float(np.max(np.abs(p - q) / np.abs(q))) for p, q in zip(weights["a"], weights["c"]))
        print(f"(a) and (c) weights agree to {diff:.1e} relative (float64 rounding, not bit for bit)")
    else:
        print(f"(c) skipped: torch is not installed; to compare, {TORCH_HINT}")
    return result


# ---- how cost grows ---------------------------------------------------------------------------------
def seconds_per_epoch(run_epochs, budget: float, repeats: int = 3) -> float:
    """Median seconds per epoch of run_epochs(n), with n chosen so one run takes about ``budget`` s."""
    n = max(1, int(budget / max(run_epochs(1), 1e-6)))
    return statistics.median(run_epochs(n) / n for _ in range(repeats))


def project_epochs(width: int, step: float, batch_size: int):
    trainer = make_trainer(width, step, batch_size)

    def run(n: int) -> float:
        start = time.perf_counter()
        with np.errstate(over="ignore"):
            for epoch in range(1, n + 1):                  # not epoch 0, which would log
                trainer.train_one_epoch(epoch)
        return time.perf_counter() - start
    return run


def torch_epochs_runner(width: int, step: float, batch_size: int):
    model, batches = torch_model(*initial_weights(width)), torch_batches(step, batch_size)
    return lambda n: torch_epochs(model, batches, n)


def scale_series(quick: bool) -> list:
    budget = 0.05 if quick else 0.4
    rows = []
    print(f"\n## seconds per epoch (median of 3{', quick' if quick else ''})")
    print(f"{'width':>6s} {'points':>7s} {'batch':>6s} {'project':>10s} {'PyTorch':>10s} {'PyTorch/project':>16s}")
    for width in (25, 256, 1024):
        for step, points in ((0.01, 200), (0.0001, 20000)):
            for batch_size in (90, 1000):
                ours = seconds_per_epoch(project_epochs(width, step, batch_size), budget)
                theirs = (seconds_per_epoch(torch_epochs_runner(width, step, batch_size), budget)
                          if torch is not None else float("nan"))
                rows.append((width, points, batch_size, ours, theirs))
                print(f"{width:6d} {points:7d} {batch_size:6d} {ours:10.2e} {theirs:10.2e} {theirs / ours:15.2f}x")
    return rows


def plot_series(rows: list, path: str) -> None:
    from matplotlib.figure import Figure
    fig = Figure(figsize=(8, 5))
    ax = fig.add_subplot()
    for batch_size, style in ((90, "-"), (1000, "--")):
        chosen = sorted((r for r in rows if r[2] == batch_size), key=lambda r: r[0] * r[1])
        size = [r[0] * r[1] for r in chosen]
        ax.plot(size, [r[3] for r in chosen], "o" + style, color="C0", label=f"project, batch {batch_size}")
        if torch is not None:
            ax.plot(size, [r[4] for r in chosen], "s" + style, color="C3", label=f"PyTorch float64, batch {batch_size}")
    ax.set(xscale="log", yscale="log", xlabel="problem size: hidden width x data points",
           ylabel="seconds per epoch", title="time per epoch against problem size (CPU)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)
    print(f"plot saved to {path}")


# ---- memory, targets, machine ----------------------------------------------------------------------------
PEAK_PROBE = """
import os, runpy, sys
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(sys.argv[0]))
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    with open("/proc/self/status") as f:   # VmHWM: this process's own peak, not its parent's
        print(next(line for line in f if line.startswith("VmHWM")), file=sys.stderr)
"""


def peak_memory(epochs: int) -> None:
    """Wall time and peak memory of ``python demo.py``, measured inside that process (Linux)."""
    flags = ["--no-show", "--no-resume"] + ([] if epochs == _C.total_epochs else ["--total-epochs", str(epochs)])
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PEAK_PROBE, os.path.join(ROOT, "demo.py"), *flags],
                            cwd=WORKDIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, check=False)
    seconds = time.perf_counter() - start
    peak = [line.split()[1] for line in result.stderr.splitlines() if line.startswith("VmHWM")]
    peak_text = f"peak memory {int(peak[0]) / 1024:.0f} MiB (VmHWM)" if peak else "peak memory unknown"
    print(f"\n## python demo.py {' '.join(flags)}: {seconds:.1f} s wall, {peak_text}")


def check(label: str, ok: bool) -> None:
    print(f"  [{'ok' if ok else 'MISSED'}] {label}")


def targets(speed: dict, rows: list) -> None:
    print("\n## targets (fastest rounds; the median of the rounds' ratios in brackets)")
    check(f"default workload at least 2x faster than the article's program (aim 2.5x): {speed['b/a']:.2f}x "
          f"({speed['b/a median']:.2f}x)", speed["b/a"] >= 2)
    if torch is None:
        print("  [skipped] PyTorch targets: torch is not installed")
        return
    check(f"default workload at least 5x faster than PyTorch: {speed['c/a']:.2f}x ({speed['c/a median']:.2f}x)",
          speed["c/a"] >= 5)
    for width, points, batch_size, ours, theirs in rows:
        if width == 1024 and points == 20000:
            check(f"largest size (width 1024, 20000 points, batch {batch_size}) no slower than PyTorch: "
                  f"{theirs / ours:.2f}x", ours <= theirs)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    blas = "?"
    with contextlib.suppress(Exception):
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{config['name']} {config.get('version', '')}".strip()
    versions = f"NumPy {np.__version__} ({blas}), Python {platform.python_version()}"
    if torch is not None:
        versions += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
    return f"{os.cpu_count()} cores, {cpu}; {versions}"


def profile_default(epochs: int) -> None:
    trainer = make_trainer(epochs=epochs)
    profiler = cProfile.Profile()
    with contextlib.redirect_stdout(io.StringIO()):
        profiler.runcall(trainer.train)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs and repeats: under a minute")
    parser.add_argument("--profile", action="store_true", help="profile the default run and exit")
    parser.add_argument("--plot", default=None, help="where to save the scale plot (PNG)")
    args = parser.parse_args()
    if args.profile:
        profile_default(5000)
        return
    print(f"# HJLNet benchmark on {machine()}")
    # Rounds of ckpt_every epochs: the project writes its checkpoint as often as a real run does
    # (--quick: rounds half as long, so it writes twice as often).
    speed = default_workload(epochs=_C.ckpt_every // (2 if args.quick else 1), rounds=8 if args.quick else 20)
    rows = scale_series(args.quick)
    peak_memory(2000 if args.quick else _C.total_epochs)
    targets(speed, rows)
    if args.plot:
        plot_series(rows, args.plot)


if __name__ == "__main__":
    main()
