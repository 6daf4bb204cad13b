"""Speed, side by side: this project against the article's program as published, and PyTorch.

    python tests/benchmark.py                         # everything (a few minutes)
    python tests/benchmark.py --quick                 # shorter rounds, about a minute
    python tests/benchmark.py --original DIR          # where the published program is
                                                      # (default ../shared/original_program)

Not collected by pytest (its name does not start with test_).  It reports; it never fails.

1. The default training loop (the article's workload: [1, 25, 1], batch 90, 200 points) of this
   project and of the published program, each in a process of its own (both packages are named
   ``code``), taking turns: round after round of the same number of epochs, each process going on
   from where its last round stopped, stdout silenced.  Reported: the ratio project / original,
   the median of the rounds' ratios and the ratio of the fastest rounds; the floor is 0.5.
2. The cost of the measurements (gradient norms and saturation over every batch of the measured
   epochs): the same loop with them and without them, in turns.
3. The default run's phases: imports, training, each figure, the GIF; and figures / training.
4. With PyTorch installed: larger nets, this project against torch float64 on the CPU.
5. The cost of the progress line and (with a display) of the live window, against the plain loop.
"""

import argparse
import contextlib
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
# The published program, beside the repository on the team's machines (.ci/run, which tests a copy
# of the tree elsewhere, passes where it is in HJLNET_ORIGINAL).
ORIGINAL = os.environ.get("HJLNET_ORIGINAL") or os.path.join(os.path.dirname(ROOT), "shared", "original_program")

# A contender: a process that trains on command.  "train N" trains N more epochs and prints the
# seconds; "weights" prints the weights (repr of every float, in order).  argv: kind, folder.
WORKER = r"""
import contextlib, io, os, sys, tempfile, time
kind, folder = sys.argv[1], sys.argv[2]
os.environ["MPLBACKEND"] = "Agg"                       # the original draws in Trainer.__init__
sys.path.insert(0, folder)
import numpy as np
from code.config.default_config import _C
from code.scripts.trainer import Trainer
if kind == "original":
    _C.resume = False
    np.random.seed(0)                                  # its weights come from the global np.random
    with contextlib.redirect_stdout(io.StringIO()):
        trainer = Trainer(cfg=_C)
    def train(n):
        trainer.total_epochs = n                       # its train() runs epochs 0 .. n - 1 again
        trainer.train()
else:
    from easydict import EasyDict
    import atexit, shutil
    work = tempfile.mkdtemp(prefix="hjlnet-bench-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    cfg = EasyDict(dict(_C, resume=False, show=False, animation_path="", total_epochs=0,
                        ckpt_path=os.path.join(work, "ckpt.npy"), metrics_path=os.path.join(work, "metrics.csv")))
    trainer = Trainer(cfg)
    if kind == "unmeasured":
        from code.run import metrics
        metrics.measured = lambda epoch: False
    if kind == "progress":                             # the line, drawn into a terminal-like sink
        from code.see.progress import ProgressLine
        class Terminal(io.StringIO):
            def isatty(self):
                return True
        ProgressLine(trainer, stream=Terminal()).__enter__()
    if kind == "live":                                 # a real window (DISPLAY), opened once
        import matplotlib
        matplotlib.use("TkAgg")
        from code.see.live import LiveWindow
        LiveWindow(trainer).__enter__()
    def train(n):
        cfg.total_epochs = trainer.epoch + n
        trainer.train()
for line in sys.stdin:
    command = line.split()
    if command[0] == "train":
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            start = time.perf_counter()
            train(int(command[1]))
            seconds = time.perf_counter() - start
        print(seconds, flush=True)
    elif command[0] == "weights":
        print(" ".join(repr(float(v)) for layer in trainer.net.linear_list for v in layer.weight.ravel()), flush=True)
"""


class Contender:
    """A worker process of one kind ("project", "unmeasured", "original") from ``folder``."""

    def __init__(self, kind: str, folder: str):
        hidden = () if kind == "live" else ("DISPLAY", "WAYLAND_DISPLAY")   # only the live window needs one
        env = {k: v for k, v in os.environ.items() if k not in hidden}
        self.process = subprocess.Popen([sys.executable, "-c", WORKER, kind, folder], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=env, cwd=tempfile.gettempdir())

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def train(self, epochs: int) -> float:
        return float(self.ask(f"train {epochs}"))

    def weights(self) -> list:
        return [float(v) for v in self.ask("weights").split()]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def in_turns(contenders: dict, epochs: int, rounds: int) -> dict:
    """{name: [seconds of each round]}: every round, each contender trains ``epochs`` more epochs,
    the order turning round by round (a b, b a, ...)."""
    times = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(contenders[name].train(epochs))
    return times


def ratio_report(label: str, times: dict, numerator: str, denominator: str) -> tuple:
    """Print and return (median of the rounds' ratios, ratio of the fastest rounds)."""
    ratios = [a / b for a, b in zip(times[numerator], times[denominator])]
    median, fastest = statistics.median(ratios), min(times[numerator]) / min(times[denominator])
    print(f"  {label}: median of the rounds {median:.3f}, fastest rounds {fastest:.3f}  "
          f"({numerator} {min(times[numerator]):.3f} s, {denominator} {min(times[denominator]):.3f} s a round)")
    return median, fastest


def against_original(original: str, epochs: int, rounds: int) -> None:
    print(f"\n## 1. the default training loop against the published program ({original})")
    print(f"   {rounds} rounds of {epochs} epochs each, in turns, each in its own process")
    contenders = {"project": Contender("project", ROOT), "original": Contender("original", original)}
    try:
        times = in_turns(contenders, epochs, rounds)
        median, fastest = ratio_report("project / original", times, "project", "original")
        same = contenders["project"].weights() == contenders["original"].weights()
        print(f"  weights after {epochs * rounds} epochs: {'equal (==)' if same else 'DIFFERENT'}")
        print(f"  [{'ok' if max(median, fastest) <= 0.5 else 'MISSED'}] floor: project / original <= 0.5")
    finally:
        for contender in contenders.values():
            contender.close()


def measurement_cost(epochs: int, rounds: int) -> None:
    print("\n## 2. the cost of the measurements (gradient norms and saturation over every batch)")
    contenders = {"project": Contender("project", ROOT), "unmeasured": Contender("unmeasured", ROOT)}
    try:
        times = in_turns(contenders, epochs, rounds)
        median, fastest = ratio_report("with / without them", times, "project", "unmeasured")
        print(f"  [{'ok' if min(median, fastest) <= 1.03 else 'MISSED'}] cost at most 3 %: "
              f"{100 * (min(median, fastest) - 1):+.1f} %")
    finally:
        for contender in contenders.values():
            contender.close()


PHASES = r"""
import contextlib, io, os, sys, tempfile, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import demo
from code.config.default_config import _C
from code.scripts.trainer import Trainer
from code.see import animation, output, report
from easydict import EasyDict
phases = {"imports": time.perf_counter() - start}
import atexit, shutil
work = tempfile.mkdtemp(prefix="hjlnet-bench-")
atexit.register(shutil.rmtree, work, ignore_errors=True)
os.chdir(work)
cfg = EasyDict(dict(_C, resume=False, show=False, total_epochs=int(sys.argv[2])))
with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
    trainer = Trainer(cfg)
    t = time.perf_counter(); trainer.train(); phases["training"] = time.perf_counter() - t
    t = time.perf_counter(); prediction = trainer.predict(); found = trainer.scores(prediction=prediction)
    made = report.make_figures(trainer, prediction, found); phases["making the figures"] = time.perf_counter() - t
    for path, fig in made:
        t = time.perf_counter(); output.save_figure(fig, path); phases[os.path.basename(path)] = time.perf_counter() - t
    t = time.perf_counter(); animation.write_animation(trainer, cfg.animation_path, cfg.animation_frames)
    phases["training.gif"] = time.perf_counter() - t
print(repr(phases))
"""


def hook_costs(epochs: int, rounds: int) -> None:
    print("\n## 5. the progress line and the live window, against the plain loop")
    kinds = ["progress"] + (["live"] if os.environ.get("DISPLAY") else [])
    if "live" not in kinds:
        print("  (the live window: skipped, no DISPLAY; run under xvfb-run to measure it)")
    for kind in kinds:
        contenders = {kind: Contender(kind, ROOT), "plain": Contender("project", ROOT)}
        try:
            times = in_turns(contenders, epochs, rounds)
            median, fastest = ratio_report(f"{kind} / plain", times, kind, "plain")
            limit = 1.01 if kind == "progress" else 1.10
            print(f"  [{'ok' if min(median, fastest) <= limit else 'MISSED'}] cost at most "
                  f"{round(100 * (limit - 1))} %: {100 * (min(median, fastest) - 1):+.1f} %")
        finally:
            for contender in contenders.values():
                contender.close()


def default_run_phases(epochs: int, runs: int) -> None:
    print(f"\n## 3. the default run's phases ({epochs} epochs; the fastest of {runs} runs, each a new process)")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    best = {}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", PHASES, ROOT, str(epochs)], capture_output=True, text=True,
                             env=env, check=True).stdout
        for name, seconds in eval(out.strip().splitlines()[-1]).items():  # noqa: S307 -- our own dict's repr
            best[name] = min(best.get(name, seconds), seconds)
    for name, seconds in best.items():
        print(f"  {name:>22s}: {seconds:6.3f} s")
    drawing = sum(seconds for name, seconds in best.items() if name not in ("imports", "training"))
    ratio = drawing / best["training"]
    print(f"  figures and GIF together: {drawing:.3f} s, {ratio:.2f} of the training")
    print(f"  [{'ok' if ratio <= 1 / 3 else 'MISSED'}] figures / training <= 1/3")


def against_torch(quick: bool) -> None:
    print("\n## 4. larger nets: this project against PyTorch (float64, CPU), seconds per epoch")
    try:
        import torch
    except ImportError:
        print("  skipped: torch is not installed (pip install torch, a CPU build is enough)")
        return
    sys.path.insert(0, ROOT)
    import numpy as np

    from code.lib.Data.DataLoader import DataLoader
    from code.lib.Optim import SGD
    from code.scripts.Dataset import Dataset
    from code.scripts.network import network
    for width, step, batch in ((256, 0.0001, 1000), (1024, 0.0001, 1000)):
        net = network([1, width, 1], rng=np.random.RandomState(0))
        loader, optimizer = DataLoader(Dataset(step=step), batch), SGD(net.parameters(), 0.03)
        model = torch.nn.Sequential(torch.nn.Linear(1, width), torch.nn.Sigmoid(), torch.nn.Linear(width, 1)).double()
        with torch.no_grad():
            for linear, layer in zip((model[0], model[2]), net.linear_list):
                linear.weight.copy_(torch.from_numpy(layer.weight))
                linear.bias.copy_(torch.from_numpy(layer.bias[:, 0]))
        torch_optimizer = torch.optim.SGD(model.parameters(), lr=0.03)
        batches = [(torch.from_numpy(b["x"].T.copy()), torch.from_numpy(b["y"].T.copy())) for b in loader]

        def ours():
            for b in loader:
                caches, output = net.forward(b["x"])
                optimizer.step(net.backward(caches, output, b["y"]))

        def theirs():
            for x, y in batches:
                torch_optimizer.zero_grad()
                (0.5 * ((model(x) - y) ** 2).mean()).backward()
                torch_optimizer.step()
        times = {"project": [], "torch": []}
        for _ in range(3 if quick else 7):
            for name, epoch in (("project", ours), ("torch", theirs)):
                start = time.perf_counter()
                epoch()
                times[name].append(time.perf_counter() - start)
        print(f"  [1, {width}, 1], {len(loader.x[0])} points, batch {batch}: project {min(times['project']):.4f} s, "
              f"torch {min(times['torch']):.4f} s, torch / project {min(times['torch']) / min(times['project']):.2f}")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    import numpy as np
    return f"{os.cpu_count()} cores, {cpu}; NumPy {np.__version__}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter rounds: about a minute")
    parser.add_argument("--original", default=ORIGINAL if os.path.isdir(ORIGINAL) else None, metavar="DIR",
                        help="the published program's folder (default: ../shared/original_program when it exists)")
    args = parser.parse_args()
    epochs, rounds = (1000, 5) if args.quick else (4000, 5)
    print(f"# benchmark on {machine()}")
    if args.original:
        against_original(os.path.abspath(args.original), epochs, rounds)
    else:
        print("\n## 1. skipped: no --original DIR, and ../shared/original_program does not exist")
    measurement_cost(epochs, rounds)
    hook_costs(epochs, rounds)
    default_run_phases(10000 if args.quick else 40000, 1 if args.quick else 3)
    against_torch(args.quick)


if __name__ == "__main__":
    main()
