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
   the median of the rounds' ratios and the ratio of the fastest rounds; the target is at most 0.5.
2. The cost of the measurements (gradient norms and saturation over every batch of the measured
   epochs): the same loop with them and without them, in turns.
3. The default run's phases: imports, training, each figure, the GIF; and figures / training.
4. With PyTorch installed: larger nets, this project against torch float64 on the CPU.
5. The cost of the progress line and (with a display) of the live window, against the plain loop.
6. MNIST-sized data (10,000 random 28 x 28 images, IDX files written here), [784, 30, 10] and
   [784, 100, 10], batches of 10 and 100, float64, cross-entropy, plain SGD; each contender in its
   own process, two epochs a round, in turns: the project's classes (the bare loop), PyTorch's eager
   loop from the same initial weights on the same batches, a per-example loop (the method of
   Nielsen's network.py), the Trainer's whole epoch (measurements, held-out evaluation, progress
   line, checkpoint), and the bare loop on batches taken from row-ordered data (strided views).
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


def in_turns(contenders: dict, epochs: int, rounds: int, pause: float = 0.0) -> dict:
    """{name: [seconds of each round]}: every round, each contender trains ``epochs`` more epochs,
    the order turning round by round (a b, b a, ...).  ``pause``: seconds of rest before each turn,
    so the last contender's BLAS threads, which spin a while after their work, have gone to sleep."""
    times = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            time.sleep(pause)
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
        print(f"  [{'ok' if max(median, fastest) <= 0.5 else 'MISSED'}] target: project / original <= 0.5")
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


# A contender on MNIST-sized data.  argv: kind, hidden units, batch size, IDX folder, repository.
# "train N" trains N epochs over the 10,000 training images and prints the seconds.
MNIST_WORKER = r"""
import contextlib, io, os, sys, tempfile, time
kind, width, batch, folder, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
sys.path.insert(0, root)
import numpy as np
from code.lib.Data.mnist import MNIST
from code.lib.Optim import SGD
from code.scripts.network import network
LR, LAYERS = 0.1, [784, width, 10]
data = MNIST(folder)
x, y = data.x[:, ~data.held_out], data.y[:, ~data.held_out]          # (784, N) row-ordered, (1, N)
if kind == "columns":                                                 # each image's pixels side by side
    x, y = np.asfortranarray(x), np.asfortranarray(y)
starts = range(0, x.shape[1], batch)
net = network(LAYERS, init="xavier", rng=np.random.RandomState(0), loss="cross_entropy")

def project_classes():
    optimizer = SGD(net.parameters(), LR)
    batches = [(x[:, s:s + batch], y[:, s:s + batch]) for s in starts]
    def epoch():
        for xb, yb in batches:
            caches, output = net.forward(xb)
            optimizer.step(net.backward(caches, output, yb))
    return epoch

def torch_loop():
    import torch
    torch.set_num_threads(os.cpu_count())
    layers = [torch.nn.Linear(LAYERS[0], width), torch.nn.Sigmoid(), torch.nn.Linear(width, 10)]
    model = torch.nn.Sequential(*layers).double()
    with torch.no_grad():
        for linear, ours in zip((model[0], model[2]), net.linear_list):
            linear.weight.copy_(torch.from_numpy(ours.weight))
            linear.bias.copy_(torch.from_numpy(ours.bias[:, 0]))
    optimizer, loss = torch.optim.SGD(model.parameters(), lr=LR), torch.nn.CrossEntropyLoss()
    batches = [(torch.from_numpy(x[:, s:s + batch].T.copy()), torch.from_numpy(y[0, s:s + batch].astype(np.int64)))
               for s in starts]
    def epoch():
        for xb, yb in batches:
            optimizer.zero_grad()
            loss(model(xb), yb).backward()
            optimizer.step()
    return epoch

def per_example():
    w = [layer.weight for layer in net.linear_list]
    b = [layer.bias for layer in net.linear_list]
    targets = np.eye(10)[y[0].astype(np.int64)].T                      # (10, N) one-hot
    def epoch():
        for s in starts:                                               # one mini-batch
            nabla_w, nabla_b = [np.zeros_like(v) for v in w], [np.zeros_like(v) for v in b]
            for j in range(s, min(s + batch, x.shape[1])):             # one image at a time
                a0 = x[:, j:j + 1]                                     # (784, 1)
                a1 = 1 / (1 + np.exp(-(w[0] @ a0 + b[0])))             # (width, 1)
                z2 = w[1] @ a1 + b[1]                                  # (10, 1)
                p = np.exp(z2 - z2.max())
                dz1 = p / p.sum() - targets[:, j:j + 1]                # softmax - onehot
                dz0 = (w[1].T @ dz1) * a1 * (1 - a1)
                nabla_w[1] += dz1 @ a1.T
                nabla_b[1] += dz1
                nabla_w[0] += dz0 @ a0.T
                nabla_b[0] += dz0
            m = min(s + batch, x.shape[1]) - s
            for v, dv in zip(w + b, nabla_w + nabla_b):
                v -= (LR / m) * dv
    return epoch

def trainer_epoch():
    import atexit, shutil
    from easydict import EasyDict
    from code.config.default_config import _C
    from code.scripts.trainer import Trainer
    from code.see.progress import ProgressLine
    work = tempfile.mkdtemp(prefix="hjlnet-bench-")
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    paths = {key: "" for key in _C if key.endswith("_img_path")}
    cfg = EasyDict(dict(_C, **paths, dataset="mnist", data_path=folder, layers_dim=LAYERS, loss="cross_entropy",
                        init="xavier", learning_rate=LR, batch_size=batch, resume=False, show=False, quiet=True,
                        animation_path="", total_epochs=0, ckpt_path=os.path.join(work, "ckpt.npy"),
                        metrics_path=os.path.join(work, "metrics.csv")))
    trainer = Trainer(cfg)
    class Terminal(io.StringIO):
        def isatty(self):
            return True
    ProgressLine(trainer, stream=Terminal()).__enter__()
    def epochs(n):                                                     # one train() a round, as a run is one
        cfg.total_epochs = trainer.epoch + n
        trainer.train()
    return epochs

def repeated(epoch):
    def epochs(n):
        for _ in range(n):
            epoch()
    return epochs

loops = {"project": project_classes, "columns": project_classes, "torch": torch_loop, "per_example": per_example}
train = trainer_epoch() if kind == "trainer" else repeated(loops[kind]())
for line in sys.stdin:
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        start = time.perf_counter()
        train(int(line.split()[1]))
        seconds = time.perf_counter() - start
    print(seconds, flush=True)
"""


def idx_folder(folder: str, train: int = 10_000, test: int = 1_000) -> str:
    """Random MNIST-sized IDX files (the four standard names) in ``folder``."""
    import struct

    import numpy as np
    rng = np.random.default_rng(0)
    for prefix, n in (("train", train), ("t10k", test)):
        with open(os.path.join(folder, f"{prefix}-images-idx3-ubyte"), "wb") as f:
            f.write(struct.pack(">4I", 2051, n, 28, 28) + rng.integers(0, 256, n * 784, dtype=np.uint8).tobytes())
        with open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"), "wb") as f:
            f.write(struct.pack(">2I", 2049, n) + rng.integers(0, 10, n, dtype=np.uint8).tobytes())
    return folder


class MnistContender(Contender):
    """A worker process training one kind of loop on the IDX files of ``folder``."""

    def __init__(self, kind: str, width: int, batch: int, folder: str):
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        self.process = subprocess.Popen([sys.executable, "-c", MNIST_WORKER, kind, str(width), str(batch), folder, ROOT],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                                        cwd=tempfile.gettempdir())


def mnist_sized(quick: bool) -> None:
    print("\n## 6. MNIST-sized data: 10,000 images of 784 pixels, float64, two epochs a round, in turns")
    try:
        import torch  # noqa: F401
        kinds = ["project", "torch", "per_example", "trainer", "columns"]
    except ImportError:
        print("  torch: skipped, it is not installed (pip install torch==2.13.0, the CPU build)")
        kinds = ["project", "per_example", "trainer", "columns"]
    targets = {10: 1.5, 100: 1.25}                                     # the Trainer's epoch / the bare loop
    with tempfile.TemporaryDirectory(prefix="hjlnet-mnist-") as folder:
        idx_folder(folder)
        for width in (30, 100):
            for batch in (10, 100):
                print(f"  [784, {width}, 10], batch {batch}:")
                contenders = {kind: MnistContender(kind, width, batch, folder) for kind in kinds}
                try:
                    times = in_turns(contenders, 2, 3 if quick else 7, pause=0.5)
                finally:
                    for contender in contenders.values():
                        contender.close()
                if "torch" in times:
                    ratio_report("project / torch", times, "project", "torch")
                ratio_report("per-example loop / project", times, "per_example", "project")
                median, fastest = ratio_report("Trainer's epoch / bare loop", times, "trainer", "project")
                print(f"  [{'ok' if min(median, fastest) <= targets[batch] else 'MISSED'}] "
                      f"Trainer / bare loop <= {targets[batch]}")
                ratio_report("row-ordered / column-contiguous batches", times, "project", "columns")


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
    mnist_sized(args.quick)


if __name__ == "__main__":
    main()
