"""Checkpoints and runs an engineer would trust (issue 10): generated damage, signals, one run per
checkpoint, paths that are not files, recorded settings, metrics.csv, config-file mistakes."""

import os
import random
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import DEMO, copy_project, headless_env, load_ckpt
from test_demo import config
from test_faults import assert_one_line_error

from code.run.checkpoint import load_checkpoint, save_checkpoint
from code.run.checks import FIELDS, CheckpointError
from code.scripts.trainer import Trainer


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> bytes:
    """A real checkpoint: 30 epochs of momentum SGD, with progress snapshots (every kind of field)."""
    folder = tmp_path_factory.mktemp("valid")
    trainer = Trainer(config(folder, total_epochs=30, progress_epochs=[10, 20], momentum=0.5))
    trainer.train()
    return (folder / "ckpt.npy").read_bytes()


def same_state(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


# ---- 1. damaged files: refused, never a traceback, never loaded with other contents ------------------------
def test_every_single_byte_flip_is_refused_or_harmless(valid, tmp_path):
    path = tmp_path / "ckpt.npy"
    path.write_bytes(valid)
    original = load_checkpoint(str(path))
    rng = random.Random(2024)
    positions = sorted(rng.sample(range(len(valid)), 400)) + list(range(128))   # data, and all of the header's start
    refused = 0
    for position in positions:
        damaged = bytearray(valid)
        damaged[position] ^= rng.randrange(1, 256)
        path.write_bytes(bytes(damaged))
        try:
            state = load_checkpoint(str(path))
        except CheckpointError:
            refused += 1
            continue
        assert same_state(state, original), position               # loaded: then with identical contents
    assert refused >= len(positions) - 10                            # only flips of header padding may pass


def test_every_truncation_is_refused(valid, tmp_path):
    path = tmp_path / "ckpt.npy"
    for length in list(range(0, 200, 7)) + list(range(200, len(valid), 97)) + [len(valid) - 1]:
        path.write_bytes(valid[:length])
        with pytest.raises(CheckpointError):
            load_checkpoint(str(path))


def header_edits(valid: bytes) -> dict:
    header_length = int.from_bytes(valid[8:10], "little")
    header = valid[10:10 + header_length].decode("latin1")
    body = valid[10 + header_length:]

    def with_header(text: str, length: int | None = None) -> bytes:
        raw = text.encode("latin1")
        return valid[:8] + (len(raw) if length is None else length).to_bytes(2, "little") + raw + body

    return {
        "huge shape": with_header(header.replace("(25, 1)", "(100000000000, 100000)", 1)),
        "flipped quote": with_header(header.replace("'", '"', 1)),
        "missing bracket": with_header(header.replace("]", " ", 1)),
        "length too short": with_header(header, header_length - 9),
        "length too long": with_header(header, header_length + 40),
        "fortran order": with_header(header.replace("False", "True ", 1)),
        "not a literal": with_header(header.replace("{", "__import__('os').system('x') or {", 1)),
        "object dtype": with_header(header.replace("'<f8'", "'|O'", 1)),
        "version 9": valid[:6] + b"\x09\x00" + valid[8:],
    }


@pytest.mark.parametrize("kind", ["huge shape", "flipped quote", "missing bracket", "length too short",
                                  "length too long", "fortran order", "not a literal", "object dtype", "version 9"])
def test_header_edits_are_refused_before_allocating(valid, tmp_path, kind):
    path = tmp_path / "ckpt.npy"
    path.write_bytes(header_edits(valid)[kind])
    start = time.perf_counter()
    with pytest.raises(CheckpointError):
        load_checkpoint(str(path))
    assert time.perf_counter() - start < 2                            # nothing like 800 GB was allocated


def wrong_kinds():
    """(field, bad value): every field of FIELDS as text, as inf and with one dimension too many."""
    cases = []
    for name, (kind, ndim) in FIELDS.items():
        cases.append((name, np.str_("x") if kind != "text" else np.int64(3)))
        cases.append((name, np.array(np.inf) if ndim == 0 else np.full(2, np.inf)))
        cases.append((name, np.zeros((1,) * (ndim + 1))))
    return cases + [("w0", np.full((25, 1), 1e300, dtype=np.longdouble) * 10), ("w0", np.zeros((25, 1), np.float32)),
                    ("epoch", np.int64(-1)), ("iteration", np.int64(5)), ("snapshot_epochs", np.array([10, 99])),
                    ("optim_momentum_buffer_w0", np.zeros((24, 1))), ("layers_dim", np.array([1, 0, 1]))]


@pytest.mark.parametrize("field,value", wrong_kinds(), ids=lambda v: v if isinstance(v, str) else None)
def test_fields_of_the_wrong_kind_are_refused_even_with_a_valid_checksum(valid, tmp_path, field, value):
    (tmp_path / "valid.npy").write_bytes(valid)
    state = load_checkpoint(str(tmp_path / "valid.npy"))
    state[field] = value
    save_checkpoint(str(tmp_path / "ckpt.npy"), state)               # a fresh, matching checksum
    with pytest.raises(CheckpointError):
        load_checkpoint(str(tmp_path / "ckpt.npy"))


@pytest.mark.parametrize("position", [500, 2000, -100])
def test_damaged_checkpoint_from_the_command_line(valid, run_demo, tmp_path, position):
    damaged = bytearray(valid)
    damaged[position] ^= 0x40
    (tmp_path / "ckpt.npy").write_bytes(bytes(damaged))
    result = run_demo("--total-epochs", 40, "--momentum", 0.5, "--progress-epochs", 10, 20)
    assert_one_line_error(result, "checkpoint ./ckpt.npy")
    assert (tmp_path / "ckpt.npy").read_bytes() == bytes(damaged)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.npy"]


# ---- 3. one run per checkpoint -------------------------------------------------------------------------------
def test_a_second_run_on_the_same_checkpoint_is_refused(tmp_path):
    first = subprocess.Popen([sys.executable, DEMO, "--total-epochs", "100000000", "--log-every", "1000"],
                             cwd=tmp_path, env=dict(headless_env(), PYTHONUNBUFFERED="1"),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in first.stdout:
            if line.startswith("Epoch: 1001/"):
                break
        second = subprocess.run([sys.executable, DEMO, "--total-epochs", "5", "--metrics-path", "other.csv"],
                                cwd=tmp_path, env=headless_env(), capture_output=True, text=True, check=False)
        assert_one_line_error(second, f"checkpoint ./ckpt.npy is in use by another run (pid {first.pid})")
        assert not (tmp_path / "other.csv").exists()
    finally:
        first.kill()
        first.wait()
    third = subprocess.run([sys.executable, DEMO, "--total-epochs", "3", "--no-show", "--animation-path", ""],
                           cwd=tmp_path,
                           env=headless_env(), capture_output=True, text=True, check=False)
    assert third.returncode == 0, third.stderr                       # a killed run's lock never blocks


# ---- 4. the checkpoint path is a file, or a clear error ------------------------------------------------------
def test_fifo_and_device_at_the_checkpoint_path_are_refused(run_demo, tmp_path):
    os.mkfifo(tmp_path / "ckpt.npy")
    assert_one_line_error(run_demo("--total-epochs", 2), "ckpt_path", "not a regular file")
    os.remove(tmp_path / "ckpt.npy")
    if os.geteuid() == 0:
        os.mknod(tmp_path / "ckpt.npy", 0o666 | 0o020000, os.makedev(1, 3))   # a copy of /dev/null
        assert_one_line_error(run_demo("--total-epochs", 2), "ckpt_path", "not a regular file")


def test_a_symlink_is_written_through_to_its_target(run_demo, tmp_path):
    (tmp_path / "store").mkdir()
    os.symlink("store/real.npy", tmp_path / "ckpt.npy")
    assert run_demo("--total-epochs", 3).returncode == 0
    assert os.path.islink(tmp_path / "ckpt.npy")
    assert int(load_ckpt(tmp_path / "store" / "real.npy")["epoch"]) == 3
    assert run_demo("--total-epochs", 5).returncode == 0
    assert os.path.islink(tmp_path / "ckpt.npy") and int(load_ckpt(tmp_path / "store" / "real.npy")["epoch"]) == 5


# ---- 5. settings recorded; resume says what changed ---------------------------------------------------------
def test_a_changed_setting_is_a_run_of_its_own_and_warm_start_goes_on_on_purpose(run_demo, tmp_path):
    assert run_demo("--total-epochs", 4).returncode == 0
    before = {name: (tmp_path / name).read_bytes() for name in ("ckpt.npy", "metrics.csv")}
    result = run_demo("--total-epochs", 6, "--learning-rate", 0.05)             # as after editing learning_rate
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "./ckpt.npy holds another run (learning_rate 0.03 -> 0.05): this run keeps its files in runs/learning_rate=0.05/ "
        "(--out chooses the folder; --warm-start goes on from its weights instead)",
        "no checkpoint at runs/learning_rate=0.05/ckpt.npy: training from scratch"]
    ckpt = load_ckpt(tmp_path / "runs" / "learning_rate=0.05" / "ckpt.npy")
    assert (int(ckpt["epoch"]), float(ckpt["learning_rate"])) == (6, 0.05)        # trained from its own weights
    assert before == {name: (tmp_path / name).read_bytes() for name in before}    # the finished run untouched
    warm = run_demo("--total-epochs", 6, "--learning-rate", 0.05, "--batch-size", 100, "--seed", 3, "--warm-start")
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.splitlines()[:3] == ["warm start: seed 0 -> 3, ignored: the weights come from the checkpoint",
                                            "warm start: learning_rate 0.03 -> 0.05, from this epoch on",
                                            "warm start: batch_size 90 -> 100, from this epoch on"]
    ckpt = load_ckpt(tmp_path / "ckpt.npy")
    assert int(ckpt["iteration"]) == 4 * 3 + 2 * 2 and float(ckpt["learning_rate"]) == 0.05
    rows = (tmp_path / "metrics.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["1", "2", "3", "4", "5", "6"]   # one history, on


def test_resume_with_another_optimizer_or_other_data_is_an_error(run_demo, tmp_path):
    assert run_demo("--total-epochs", 2).returncode == 0
    before = (tmp_path / "ckpt.npy").read_bytes()
    assert_one_line_error(run_demo("--total-epochs", 4, "--optimizer", "adam", "--ckpt-path", "ckpt.npy"),
                          "optimizer sgd -> adam")
    from code.scripts.Dataset import Dataset
    with pytest.raises(CheckpointError, match="another run's .data "):
        Trainer(config(tmp_path, resume=True, total_epochs=4), dataset=Dataset(amplitude=10.0))
    assert (tmp_path / "ckpt.npy").read_bytes() == before


# ---- 6. saves that do not grow with the run ---------------------------------------------------------------------
def test_checkpoint_size_does_not_grow_with_epochs(run_demo, tmp_path):
    # (without the animation: its snapshots, 20 per decade of epochs, grow with the logarithm)
    assert run_demo("--total-epochs", 5, "--ckpt-path", "a.npy", "--progress-epochs", 3).returncode == 0
    assert run_demo("--total-epochs", 500, "--ckpt-path", "b.npy", "--progress-epochs", 3).returncode == 0
    assert (tmp_path / "a.npy").stat().st_size == (tmp_path / "b.npy").stat().st_size
    assert len((tmp_path / "b.metrics.csv").read_text().splitlines()) == 501            # the header, 500 rows


def test_missing_or_damaged_metrics_cost_only_the_curve_and_are_never_written_over(run_demo, tmp_path):
    assert run_demo("--total-epochs", 20).returncode == 0
    os.remove(tmp_path / "metrics.csv")
    result = run_demo("--total-epochs", 25)
    assert result.returncode == 0, result.stderr
    assert "metrics: ./metrics.csv is missing; the curves start at epoch 21" in result.stdout
    rows = (tmp_path / "metrics.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["21", "22", "23", "24", "25"]
    assert "metrics:" not in run_demo("--total-epochs", 27).stdout                # a file that starts late is the run's
    for garbage in ("garbage\n", "garbage\x00,,\n1,2,3\n", rows[0] + "\n1,2,3\n"):
        (tmp_path / "metrics.csv").write_text(garbage)                        # not this run's: kept, never adopted
        kept = sorted(tmp_path.glob("metrics.*.csv"))
        result = run_demo("--total-epochs", 28 + len(kept), figures=True, animation=True)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        assert re.search(r"^metrics: \./metrics\.csv does not hold this run's epochs 1 to \d+ \(.*\); the next save "
                         r"keeps it as \./metrics\.\d\.csv, and the curves start at epoch \d+$", result.stdout, re.M)
        assert (tmp_path / f"metrics.{len(kept) + 1}.csv").read_text() == garbage
        assert "\x00" not in result.stdout


def test_rows_past_the_checkpoint_are_cut_by_a_new_file_never_in_place(run_demo, tmp_path):
    assert run_demo("--total-epochs", 5).returncode == 0
    straight = (tmp_path / "metrics.csv").read_bytes()
    with open(tmp_path / "metrics.csv", "a") as f:
        f.write("6,1.0,nan,nan,nan\n7,1.0")                                   # a crash after the rows, before the checkpoint
    inode = os.stat(tmp_path / "metrics.csv").st_ino
    from code.run import metrics
    history = metrics.History(str(tmp_path / "metrics.csv"), ["loss", "grad_norm_0", "grad_norm_1", "saturated_1"])
    assert history.load(5, "") == "" and history.rewrite and len(history.epochs) == 5
    assert run_demo("--total-epochs", 5).returncode == 0                         # nothing to train: nothing written
    assert os.stat(tmp_path / "metrics.csv").st_ino == inode
    assert run_demo("--total-epochs", 6).returncode == 0
    assert os.stat(tmp_path / "metrics.csv").st_ino != inode                     # a new file, renamed over
    assert (tmp_path / "metrics.csv").read_bytes().startswith(straight)
    assert len((tmp_path / "metrics.csv").read_text().splitlines()) == 1 + 6


def test_a_metrics_file_of_the_earlier_format_keeps_its_curves(run_demo, tmp_path):
    from code.run import state
    assert run_demo("--total-epochs", 5).returncode == 0
    plain = (tmp_path / "metrics.csv").read_bytes()
    ckpt = load_ckpt(tmp_path / "ckpt.npy")
    identity = state.run_identity({name: ckpt[name] for name in ckpt.dtype.names})
    (tmp_path / "metrics.csv").write_bytes(f"# run {identity}\n".encode() + plain)      # as the last version wrote it
    result = run_demo("--total-epochs", 7)
    assert "metrics:" not in result.stdout
    rows = (tmp_path / "metrics.csv").read_text().splitlines()
    assert rows[0].startswith("epoch,loss") and [r.split(",")[0] for r in rows[1:]] == [str(e) for e in range(1, 8)]


# ---- 7. default_config.py mistakes are one line too -------------------------------------------------------------
CONFIG_MISTAKES = [
    ({"_C.seed = 0 ": "_C.sed = 0 "}, ("default_config.py", "unknown key sed", "did you mean seed")),
    ({"_C.seed = 0 ": "_C.learnig_rate = 0.1 "}, ("unknown key learnig_rate", "did you mean learning_rate")),
    ({"_C.show = True": "_C.show = Tru"}, ("default_config.py line", "NameError", "Tru")),
    ({"_C.show = True": "_C.show = (True"}, ("default_config.py line",)),
    ({"_C.show = True": "del _C['log_every']\n_C.show = True"}, ("log_every", "missing")),
    ({'_C.ckpt_path = "./ckpt.npy"': "_C.ckpt_path = None"}, ("default_config.py line", "ckpt_path", "None")),
    ({"_C.batch_size = 90": "_C.batch_size = 90.5"}, ("default_config.py line", "batch_size", "90.5")),
    ({"_C.show = True": "_C.show = 1 / 0"}, ("ZeroDivisionError",)),
    ({"_C.show = True": "import sys\nsys.exit(0)\n_C.show = True"}, ("default_config.py line", "SystemExit")),
    ({"_C.learning_rate = 0.03": "from decimal import Decimal\n_C.learning_rate = Decimal('0.03')"},
     ("learning_rate must be a number", "Decimal")),
]


@pytest.mark.parametrize("edits,fragments", CONFIG_MISTAKES)
def test_config_file_mistakes_are_one_line(edited_config, tmp_path, edits, fragments):
    assert_one_line_error(edited_config(edits), *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["code"]                # nothing written


def test_one_real_config_mistake_on_a_real_command_line(tmp_path):
    assert_one_line_error(copy_project(tmp_path, CONFIG_MISTAKES[0][0]), *CONFIG_MISTAKES[0][1])


def test_numbers_of_other_types_are_taken_as_their_value(edited_config, tmp_path):
    edits = {"_C.batch_size = 90": "from fractions import Fraction\nimport numpy\n_C.batch_size = numpy.int64(90)",
             "_C.learning_rate = 0.03": "_C.learning_rate = Fraction(3, 100)", "_C.total_epochs = 40000": "_C.total_epochs = 3"}
    result = edited_config(edits, "--animation-path", "")
    assert result.returncode == 0, result.stderr
    ckpt = load_ckpt(tmp_path / "ckpt.npy")
    assert float(ckpt["learning_rate"]) == 0.03 and int(ckpt["batch_size"]) == 90


def test_config_kinds_are_the_programs_not_the_literals(edited_config, tmp_path):
    edits = {"_C.learning_rate = 0.03": "_C.learning_rate = 1", "_C.total_epochs = 40000": "_C.total_epochs = 2",
             '"./ckpt.npy"              # the checkpoint': '"./c#k.npy"  # the checkpoint, "quoted" # twice',
             "_C.progress_epochs = [400, 1000, 2000, 10000]": "_C.progress_epochs = [\n    400,  # first\n    1000]"}
    assert edited_config(edits, "--animation-path", "").returncode == 0
    result = edited_config(edits, "--learning-rate", "0.5", "--help")
    assert result.returncode == 0, result.stderr
    assert ("the checkpoint, \"quoted\" # twice: a plain .npy record, no pickle (default: ./c#k.npy)"
            in " ".join(result.stdout.split()))
    assert "(default: [400, 1000])" in result.stdout


def test_help_without_the_config_source(tmp_path):
    import py_compile
    assert copy_project(tmp_path, {"_C.total_epochs = 40000": "_C.total_epochs = 2"}).returncode == 0
    source = tmp_path / "code" / "config" / "default_config.py"
    py_compile.compile(str(source), cfile=str(source) + "c", doraise=True)   # default_config.pyc beside it
    os.remove(source)
    result = subprocess.run([sys.executable, "demo.py", "--help"], cwd=tmp_path, env=headless_env(),
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "--total-epochs TOTAL_EPOCHS" in result.stdout and "(default: 2)" in result.stdout


@pytest.mark.parametrize("flag", ["--result-img-path", "--loss-img-path", "--progress-img-path"])
def test_a_figure_format_matplotlib_cannot_write_is_refused(run_main, run_demo, tmp_path, flag):
    run = run_demo if flag == "--result-img-path" else run_main                # one on a real command line
    assert_one_line_error(run(flag, "out.xyz"), "out.xyz", "cannot write .xyz")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name,fragment", [("out.eps", ".eps (PostScript) cannot draw the figures' transparent parts"),
                                           ("out.PS", ".ps (PostScript) cannot draw"),
                                           ("out.pgf", ".pgf needs xelatex (LaTeX), which is not installed here")])
def test_a_figure_format_that_does_not_work_here_is_refused(run_main, tmp_path, monkeypatch, name, fragment):
    import shutil
    monkeypatch.setattr(shutil, "which", lambda program: None)                   # xelatex may be installed
    assert_one_line_error(run_main("--loss-img-path", name), f"loss_img_path {name!r}", fragment)
    assert list(tmp_path.iterdir()) == []


def test_a_figure_path_without_extension_is_reported_as_written(run_demo, tmp_path):
    result = run_demo("--total-epochs", 2, "--result-img-path", "fit", figures=True)
    assert result.returncode == 0 and "figures saved: fit.png," in result.stdout
    assert (tmp_path / "fit.png").exists()


def test_two_checkpoints_in_one_folder_keep_two_histories(run_main, tmp_path):
    assert run_main("--total-epochs", 6, "--ckpt-path", "a.npy").returncode == 0          # run a: seed 0
    first = (tmp_path / "a.metrics.csv").read_bytes()
    result = run_main("--total-epochs", 4, "--ckpt-path", "b.npy", "--seed", 1)            # run b, from scratch
    assert result.returncode == 0 and "metrics:" not in result.stdout
    assert (tmp_path / "a.metrics.csv").read_bytes() == first
    assert len((tmp_path / "b.metrics.csv").read_text().splitlines()) == 1 + 4
    resumed = run_main("--total-epochs", 8, "--ckpt-path", "a.npy")                        # a again: its own rows
    assert "metrics:" not in resumed.stdout
    assert [row.split(",")[0] for row in (tmp_path / "a.metrics.csv").read_text().splitlines()[1:]] == \
        [str(e) for e in range(1, 9)]


def test_a_run_from_scratch_keeps_a_file_already_there(run_main, tmp_path):
    (tmp_path / "metrics.csv").write_text("someone's notes\n")
    result = run_main("--total-epochs", 2)
    assert "metrics: ./metrics.csv was there before this run; kept as ./metrics.1.csv" in result.stdout
    assert (tmp_path / "metrics.1.csv").read_text() == "someone's notes\n"
