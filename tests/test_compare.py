"""compare.py on a tiny synthetic data set: its options, its output and its
errors.  Speed itself is measured by running compare.py on the real data,
never here."""

import os
import re
import signal
import subprocess
import sys
import types

import pytest

import cli
import compare as compare_module
from conftest import POSIX_SIGNALS, run_script, synthetic_mnist, vouch, write_pickle

ROW = re.compile(r"^\s+(\d+)\s+(\d+\.\d\d)%\s+(\d+\.\d\d)\s+(\d+\.\d\d)%\s+(\d+\.\d\d)\s+(\d+\.\dx|n/a)$")


@pytest.fixture
def small_data(tmp_path, monkeypatch):
    path = write_pickle(tmp_path / "mnist.pkl.gz", synthetic_mnist((100, 10, 50)))
    vouch(monkeypatch, path)
    return path


def compare(*args, env=None):
    return run_script("compare.py", *args, env=env)


def test_table_of_epochs_and_speedups(small_data):
    result = compare("--data", small_data, "--epochs", "2", "--seed", "3", "--eta", "2.5",
                     "--sizes", "784,12,10", "--mini-batch-size", "7")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("mini-batch 7, eta 2.5, sizes 784,12,10, seed 3, "
                        "float64, 2 epochs")
    rows = [ROW.match(line) for line in lines[2:4]]
    assert all(rows), lines
    assert [int(r.group(1)) for r in rows] == [0, 1]
    for r in rows:
        assert r.group(2) == r.group(4)  # same seed, same accuracy
    assert re.match(r"^median epoch: normal \d+\.\d\d s, matrix \d+\.\d\d s, "
                    r"speedup (\d+\.\dx|n/a)$", lines[4])
    assert re.match(r"^fastest epoch: normal \d+\.\d\d s, matrix \d+\.\d\d s, "
                    r"speedup (\d+\.\dx|n/a)$", lines[5])
    assert len(lines) == 6
    # The scripts' epoch lines went to stderr as they arrived.
    assert re.search(r"^exec_normal.py: Epoch 1: \d+ / 50, elapsed", result.stderr, re.M)
    assert re.search(r"^exec_matrix.py: Epoch 1: \d+ / 50, elapsed", result.stderr, re.M)


def test_the_numbers_in_the_table(capsys):
    """Epoch times are differences of the cumulative times the scripts
    print; the summary lines compare medians and minimums of each side."""
    normal = compare_module.Run(correct=[50, 60, 70], n_test=100,
                                elapsed=[4.0, 9.0, 12.0])
    matrix = compare_module.Run(correct=[50, 61, 70], n_test=100,
                                elapsed=[1.0, 1.5, 2.5])
    assert normal.epoch_times == [4.0, 5.0, 3.0]
    assert matrix.epoch_times == [1.0, 0.5, 1.0]
    compare_module.print_table(normal, matrix)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["0", "50.00%", "4.00", "50.00%", "1.00", "4.0x"]
    assert lines[2].split() == ["1", "60.00%", "5.00", "61.00%", "0.50", "10.0x"]
    assert lines[4] == "median epoch: normal 4.00 s, matrix 1.00 s, speedup 4.0x"
    assert lines[5] == "fastest epoch: normal 3.00 s, matrix 0.50 s, speedup 6.0x"
    compare_module.print_sweep([(10, normal, matrix), (100, matrix, matrix)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["10", "4.00", "1.00", "4.0x", "70.00%", "70.00%"]
    assert lines[2].split() == ["100", "1.00", "1.00", "1.0x", "70.00%", "70.00%"]


def test_mini_batch_sweep(small_data):
    result = compare("--data", small_data, "--epochs", "1", "--seed", "1",
                     "--mini-batch-sizes", "5,20")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("mini-batch 5,20, eta 3.0,")
    assert lines[1].split() == ["mini-batch", "normal", "s/epoch", "matrix",
                                "s/epoch", "speedup", "normal", "acc", "matrix", "acc"]
    assert [line.split()[0] for line in lines[2:]] == ["5", "20"]


def test_plot_is_written(small_data, tmp_path):
    pytest.importorskip("matplotlib")
    (tmp_path / "plots").mkdir()
    target = tmp_path / "plots" / "SPEED.PNG"  # any case of .png
    result = compare("--data", small_data, "--epochs", "2", "--seed", "1",
                     "--mini-batch-sizes", "5,10", "--plot", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(target.parent) == ["SPEED.PNG"]


def test_plot_without_matplotlib_stops_before_training(small_data, tmp_path):
    """A matplotlib that fails to import stands in for one not installed."""
    fake = tmp_path / "fake"
    (fake / "matplotlib").mkdir(parents=True)
    (fake / "matplotlib" / "__init__.py").write_text("raise ImportError('no')\n")
    result = compare("--data", small_data, "--plot", str(tmp_path / "p.png"),
                     env={"PYTHONPATH": str(fake)})
    assert result.returncode == 2
    assert "python -m pip install matplotlib" in result.stderr
    assert "running" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("flags, message", [
    (["--mini-batch-sizes", "0,10"], "is not a whole number of at least 1"),
    (["--mini-batch-sizes", "a,b"], "is not a whole number"),
    (["--mini-batch-sizes", ""], "is not a whole number"),
    (["--epochs", "0"], "is not a whole number of at least 1"),
    (["--plot", "out.jpg"], "does not end in .png"),
    (["--plot", ""], "'' does not end in .png"),
    (["--steps", "0"], "is not a whole number of at least 1"),
    (["--rounds", "0"], "is not a whole number of at least 1"),
    (["--steps", "5", "--plot", "x.png"], "--plot is not used with --steps; leave it out"),
    (["--steps", "5", "--mini-batch-sizes", "1,2"], "--mini-batch-sizes is not used with"),
    (["--steps", "5", "--epochs", "3"], "--epochs is not used with --steps"),  # the default
    (["--steps", "5", "--dtype", "float64"], "--dtype is not used with --steps"),
    (["--rounds", "5"], "--rounds is not used without --steps; leave it out"),
    (["--mini-batch-sizes", "1,2", "--mini-batch-size", "10", "--rounds", "2"],
     "--rounds is not used without --steps"),
    (["--mini-batch-sizes", "1,2", "--mini-batch-size", "10"],
     "--mini-batch-size is not used with --mini-batch-sizes; leave it out"),
    (["--plot", "{tmp}/no/such/out.png"], "does not exist"),
    (["--plot", "{tmp}/folder.png"], "is a folder"),
    (["--dtype", "int8"], "invalid choice"),
    (["--steps", "2", "--mini-batch-size", "101"],
     "--mini-batch-size 101 is more than the 100 training images"),
])
def test_bad_flags_exit_2_before_training(small_data, flags, message, tmp_path,
                                         monkeypatch, capsys):
    (tmp_path / "folder.png").mkdir()
    flags = [flag.format(tmp=tmp_path) for flag in flags]
    monkeypatch.setattr(sys, "argv", ["compare.py", "--data", small_data] + flags)
    with pytest.raises(SystemExit) as e:
        compare_module.main()
    out, err = capsys.readouterr()
    assert e.value.code == 2
    assert message in err and out == ""


@pytest.mark.parametrize("content", [b"not gzip", None])
def test_bad_data_exits_2_with_the_scripts_message(tmp_path, content):
    path = tmp_path / "bad.pkl.gz"
    if content is not None:
        path.write_bytes(content)
    result = compare("--data", str(path), "--epochs", "1")
    assert result.returncode == 2
    assert "error: {}".format(path) in result.stderr
    assert "Traceback" not in result.stderr


STEP_ROW = re.compile(r"^(network\.py|network_matrix\.py) +(float64|float32) +"
                      r"(\d+\.\d) +(\d+\.\d) +(\d+\.\dx) +(\d+\.\d) +(\d+\.\dx)$")


def test_steps_times_each_network_in_turn(small_data):
    result = compare("--data", small_data, "--steps", "30", "--rounds", "3",
                     "--seed", "2", "--mini-batch-size", "5")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("30 steps of mini-batch size 5, eta 3.0, sizes 784,30,10, "
                        "seed 2; 3 rounds, the networks taking turns")
    rows = [STEP_ROW.match(line) for line in lines[2:5]]
    assert all(rows), lines
    assert [(r.group(1), r.group(2)) for r in rows] == [
        ("network.py", "float64"), ("network_matrix.py", "float64"),
        ("network_matrix.py", "float32")]
    assert rows[0].group(5) == rows[0].group(7) == "1.0x"
    for r in rows:
        assert float(r.group(3)) <= float(r.group(4))  # fastest <= median
    assert "the 50 test images" in lines[5]


def contestant(name, dtype, step_us, evaluate_ms):
    c = compare_module.Contestant(name, dtype, None, [], [])
    c.step_seconds = [t / 1e6 for t in step_us]
    c.evaluate_seconds = [t / 1e3 for t in evaluate_ms]
    return c


def test_the_numbers_of_steps(capsys):
    """Fastest and median of the rounds, speedups of the medians."""
    contestants = [
        contestant("network.py", "float64", [700, 600, 650, 900, 640], [150, 160, 155]),
        contestant("network_matrix.py", "float64", [60, 65, 80, 62, 61], [30, 31, 29]),
        contestant("network_matrix.py", "float32", [40, 52, 41], [10, 12, 11]),
    ]
    compare_module.print_steps(contestants, 10000)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["network.py", "float64", "600.0", "650.0", "1.0x",
                                "155.0", "1.0x"]
    assert lines[2].split() == ["network_matrix.py", "float64", "60.0", "62.0",
                                "10.5x", "30.0", "5.2x"]
    assert lines[3].split() == ["network_matrix.py", "float32", "40.0", "41.0",
                                "15.9x", "11.0", "14.1x"]
    assert "the 10,000 test images" in lines[4]


def test_a_turn_runs_every_step_and_evaluation_is_a_turn_of_its_own():
    calls = []
    net = types.SimpleNamespace(update_mini_batch=lambda b, eta: calls.append((b, eta)),
                                evaluate=lambda data: calls.append(data))
    c = compare_module.Contestant("network.py", "float64", net, [1, 2, 3], "test")
    c.take_turn(0.5)
    assert calls == [(1, 0.5), (2, 0.5), (3, 0.5)]
    c.evaluate()
    assert calls[3:] == ["test"]
    assert len(c.step_seconds) == len(c.evaluate_seconds) == 1


def test_a_plot_folder_that_cannot_be_written_stops_before_training(
        small_data, tmp_path, monkeypatch, capsys):
    """As root every folder is writable, so a refusing TemporaryFile stands
    in for a read-only folder."""
    def refuse(**kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(compare_module.tempfile, "TemporaryFile", refuse)
    monkeypatch.setattr(sys, "argv", ["compare.py", "--data", small_data,
                                      "--plot", str(tmp_path / "p.png")])
    with pytest.raises(SystemExit) as e:
        compare_module.main()
    out, err = capsys.readouterr()
    assert e.value.code == 2 and out == ""
    assert "cannot write to folder {} (Permission denied)".format(tmp_path) in err
    assert "running" not in err


@pytest.mark.skipif(os.name == "nt", reason="Windows processes end by no signal")
def test_a_script_killed_by_a_signal_is_reported(tmp_path, monkeypatch, capsys):
    (tmp_path / "exec_normal.py").write_text(
        "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    monkeypatch.setattr(compare_module, "HERE", str(tmp_path))
    p = cli.parser("test")
    p.prog = "compare.py"
    with pytest.raises(SystemExit) as e:
        compare_module.run_script(p, "exec_normal.py", [])
    assert e.value.code == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "compare.py: error: exec_normal.py was killed by signal 9 (SIGKILL)")


@POSIX_SIGNALS
def test_ctrl_c_stops_compare_and_its_script_with_one_message(small_data, launch):
    process = launch("compare.py", "--data", small_data, "--epochs", "500")
    for line in process.stderr:  # wait until a script is training
        if b"Epoch 0:" in line:
            break
    process.send_signal(signal.SIGINT)
    # communicate() returns only once every writer of the pipes has gone:
    # a script left training would hold them open.
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    # Epoch lines the script printed before it was stopped may follow.
    lines = [line for line in err.decode().splitlines()
             if not re.match(r"^exec_normal\.py: Epoch \d+: ", line)]
    assert lines == ["interrupted"]


@pytest.mark.parametrize("platform", ["win32", "linux", "darwin"])
def test_scripts_start_in_a_group_of_their_own(monkeypatch, platform):
    monkeypatch.setattr(compare_module.sys, "platform", platform)
    monkeypatch.setattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200, raising=False)
    want = ({"creationflags": 0x200} if platform == "win32"
            else {"start_new_session": True})
    assert compare_module.own_process_group() == want


def test_the_time_axis_is_readable_within_a_decade():
    """Times from 0.4 s to 4 s: every tick label shown is a plain number,
    and no two of them overlap."""
    pytest.importorskip("matplotlib")
    run = compare_module.Run(correct=[80, 90], n_test=100, elapsed=[2.2, 4.5])
    fast = compare_module.Run(correct=[80, 91], n_test=100, elapsed=[0.4, 0.8])
    fig = compare_module.draw([(10, run, fast)])
    fig.canvas.draw()
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    labels = [t for t in ax.get_xticklabels(which="both")
              if t.get_text() and low <= t.get_position()[0] <= high]
    texts = [t.get_text() for t in labels]
    assert len(texts) >= 3 and "1" in texts
    assert all(re.match(r"^\d+(\.\d+)?$", text) for text in texts), texts
    boxes = sorted((t.get_window_extent() for t in labels), key=lambda b: b.x0)
    for a, b in zip(boxes, boxes[1:]):
        assert a.x1 < b.x0
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_steps_rounds_start_with_each_network_in_turn(small_data, monkeypatch):
    """Every network steps in every round, each round starting with
    another; then the evaluations take turns the same way."""
    turns = []
    monkeypatch.setattr(compare_module.Contestant, "take_turn",
                        lambda self, eta: turns.append(("step", self.name, self.dtype)))
    monkeypatch.setattr(compare_module.Contestant, "evaluate",
                        lambda self: turns.append(("evaluate", self.name, self.dtype)))
    monkeypatch.setattr(compare_module, "print_steps", lambda *args: None)
    monkeypatch.setattr(sys, "argv", ["compare.py", "--data", small_data, "--steps",
                                      "2", "--rounds", "4", "--seed", "1"])
    compare_module.main()
    normal = ("network.py", "float64")
    matrix64, matrix32 = ("network_matrix.py", "float64"), ("network_matrix.py", "float32")
    order = [normal, matrix64, matrix32, matrix64, matrix32, normal,
             matrix32, normal, matrix64, normal, matrix64, matrix32]
    assert turns == [("step",) + c for c in order] + [("evaluate",) + c for c in order]
