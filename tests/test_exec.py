"""The scripts as a user runs them, on a small synthetic data set: in a
subprocess where what matters is the process (its signals, its pipes), and
in this process through cli.run where it is only what they print."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

import bench
import compare
import exec_matrix
import exec_normal
import network_matrix
from conftest import POSIX_SIGNALS, ROOT, run_script as run, vouch, write_pickle

LINE = re.compile(r"^Epoch (\d+): (\d+) / 50, elapsed time: \d+\.\d\ds$")


def test_both_scripts_and_compare_print_the_same_counts_from_one_seed(mnist_file):
    counts = []
    for script in ("exec_normal.py", "exec_matrix.py"):
        result = run(script, "--data", mnist_file, "--epochs", "3", "--seed", "4")
        assert result.returncode == 0, result.stderr
        epochs = [LINE.match(line) for line in result.stdout.splitlines()]
        assert all(epochs) and [int(e.group(1)) for e in epochs] == [0, 1, 2]
        counts.append([int(e.group(2)) for e in epochs])
    assert counts[0] == counts[1]
    result = run("compare.py", "--data", mnist_file, "--epochs", "3", "--seed", "4")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()[2:5]]
    assert [[int(row[1]), int(row[3])] for row in rows] == [list(c) for c in zip(*counts)]
    # Both networks' epoch lines went to stderr too.
    live = [LINE.match(line) for line in result.stderr.splitlines()]
    assert [int(m.group(2)) for m in live if m] == counts[0] + counts[1]


def test_float32_trains_in_float32(mnist_file, run_main, monkeypatch):
    """Every array of every step has the type --dtype names."""
    seen = set()
    backprop = network_matrix.Network.backprop

    def watched(self, X, Y):
        seen.update(a.dtype.name for a in [X, Y] + self.weights + self.biases)
        return backprop(self, X, Y)
    monkeypatch.setattr(network_matrix.Network, "backprop", watched)
    for dtype in ("float32", "float64"):
        seen.clear()
        status, _, err = run_main(exec_matrix.main, args=[
            "--data", mnist_file, "--epochs", "1", "--dtype", dtype])
        assert status is None, err
        assert seen == {dtype}


def started(launch, script, mnist_file, ignore=()):
    """A long run of ``script``, once it has printed its first epoch."""
    process = launch(script, "--data", mnist_file, "--epochs", "500", ignore=ignore)
    assert LINE.match(process.stdout.readline().decode().strip())
    return process


def test_a_closed_pipe_stops_quietly(mnist_file, launch):
    process = started(launch, "exec_normal.py", mnist_file)
    process.stdout.close()  # as `| head -1` does
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert err == ""


@POSIX_SIGNALS
@pytest.mark.parametrize("first, second, gap", [
    ("SIGINT", None, None), ("SIGINT", "SIGINT", 0), ("SIGINT", "SIGINT", 0.001),
    ("SIGINT", "SIGINT", 0.005), ("SIGINT", "SIGINT", 0.02),
    ("SIGINT", "SIGTERM", 0.001), ("SIGTERM", "SIGTERM", 0.001)])
def test_a_stop_once_or_twice_ends_with_one_line(first, second, gap, mnist_file, launch):
    """As Ctrl-C under `timeout` does, or an impatient second Ctrl-C:
    whatever the gap, the first stop is the only one."""
    process = started(launch, "exec_matrix.py", mnist_file)
    process.send_signal(getattr(signal, first))
    if second:
        time.sleep(gap)
        process.send_signal(getattr(signal, second))
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err.decode()) == (
        (130, "interrupted\n") if first == "SIGINT" else (143, "stopped by SIGTERM\n"))


@POSIX_SIGNALS
@pytest.mark.parametrize("script, name, status, message", [
    ("exec_matrix.py", "SIGTERM", 143, "stopped by SIGTERM"),
    ("exec_matrix.py", "SIGHUP", 129, "stopped by SIGHUP"),
    ("compare.py", "SIGINT", 130, "interrupted"),
])
def test_a_stop_during_the_first_download_leaves_nothing(script, name, status, message,
                                                         server, tmp_path, launch):
    dest = tmp_path / "new" / "data" / "mnist.pkl.gz"
    process = launch(script, env={"MNIST_PATH": str(dest), "MNIST_URL": server + "/stall"})
    for _ in range(600):  # wait until the download is under way
        if dest.parent.exists() and os.listdir(dest.parent):
            break
        time.sleep(0.05)
    assert os.listdir(dest.parent)[0].endswith(".part")
    process.send_signal(getattr(signal, name))
    _, err = process.communicate(timeout=60)
    assert process.returncode == status
    assert err.decode().splitlines()[-1] == message
    assert os.listdir(dest.parent) == []


@POSIX_SIGNALS
def test_an_ignored_sighup_stays_ignored_as_under_nohup(mnist_file, launch):
    process = started(launch, "exec_normal.py", mnist_file, ignore=["SIGHUP"])
    process.send_signal(signal.SIGHUP)
    assert LINE.match(process.stdout.readline().decode().strip())  # still training
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert err.decode() == "stopped by SIGTERM\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk_ends_with_one_line(mnist_file):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, os.path.join(ROOT, "exec_matrix.py"), "--data", mnist_file,
             "--epochs", "1"], stdout=full, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == "exec_matrix.py: error: [Errno 28] No space left on device\n"


@pytest.mark.parametrize("main, prog", [(exec_normal.main, "exec_normal.py"),
                                        (exec_matrix.main, "exec_matrix.py"),
                                        (compare.main, "compare.py"),
                                        (bench.main, "bench.py")])
def test_help_names_the_environment_too(run_main, main, prog):
    status, out, _ = run_main(main, prog, ["--help"])
    assert status == 0 and "--data PATH" in out
    for variable in ("MNIST_PATH", "MNIST_MD5", "MNIST_URL"):
        assert variable in out


BAD_FLAGS = [
    ["--epochs", "0"], ["--epochs", "-3"], ["--epochs", "2.5"], ["--epochs", "x"],
    ["--mini-batch-size", "0"], ["--mini-batch-size", "-1"], ["--mini-batch-size", "ten"],
    ["--eta", "0"], ["--eta", "-1.5"], ["--eta", "nan"], ["--eta", "inf"], ["--eta", "fast"],
    ["--sizes", "783,30,10"], ["--sizes", "784,30,9"], ["--sizes", "784,0,10"],
    ["--sizes", "784,-5,10"], ["--sizes", "784,30.5,10"], ["--sizes", "784"],
    ["--sizes", "784,,10"], ["--sizes", ""],
    ["--seed", "1.5"], ["--seed", "-1"], ["--seed", str(2 ** 32)], ["--seed", "abc"],
    ["--dtype", "float16"], ["--no-such-flag"],
]


@pytest.mark.parametrize("flags", BAD_FLAGS, ids=" ".join)
def test_bad_values_exit_2_before_training(flags, mnist_file, run_main):
    """The scripts share these flags (cli.FLAGS); exec_matrix.py takes them all."""
    status, out, err = run_main(exec_matrix.main, args=["--data", mnist_file] + flags)
    assert status == 2 and out == ""
    assert "error: argument {}".format(flags[0]) in err or "unrecognized" in err


def test_a_bad_value_gets_one_error_line_and_no_traceback(mnist_file):
    result = run("exec_normal.py", "--data", mnist_file, "--eta", "-1")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        "exec_normal.py: error: argument --eta: '-1' is not a finite number above 0")


def bad_file(kind, tmp_path, monkeypatch):
    if kind == "escape codes in a missing path":
        return str(tmp_path / "a\x1b[2Jb\r.pkl.gz"), "a\\x1b[2Jb\\r.pkl.gz: no such file"
    if kind == "a folder":
        return str(tmp_path), "not a regular file"
    if kind == "unknown":
        return write_pickle(tmp_path / "u.pkl.gz", ("not", "vouched")), "To trust this copy"
    wrong = write_pickle(tmp_path / "wrong.pkl.gz", ("not", "mnist", "at all"))
    vouch(monkeypatch, wrong)
    return wrong, "not MNIST: expected three"


@pytest.mark.parametrize("kind", ["escape codes in a missing path", "a folder",
                                  "unknown", "not mnist"])
def test_bad_data_exits_2_with_one_line(kind, tmp_path, monkeypatch, run_main):
    path, problem = bad_file(kind, tmp_path, monkeypatch)
    status, out, err = run_main(exec_matrix.main, args=["--data", path])
    assert status == 2 and out == ""
    assert err.startswith("exec_matrix.py: error: ") and problem in err
    assert err.endswith("\n") and err[:-1].isprintable()  # one line, no control codes


def test_offline_first_run_explains_what_to_do(tmp_path, closed_port_url, monkeypatch,
                                               run_main):
    dest = tmp_path / "data" / "mnist.pkl.gz"
    monkeypatch.setenv("MNIST_PATH", str(dest))
    monkeypatch.setenv("MNIST_URL", closed_port_url)
    status, _, err = run_main(exec_normal.main, "exec_normal.py")
    progress, error = err.splitlines()
    assert status == 2 and progress.startswith("downloading " + closed_port_url)
    assert error.startswith("exec_normal.py: error: could not download MNIST to {}".format(dest))
    assert error.endswith("or point MNIST_PATH at a copy you have")
    assert os.listdir(dest.parent) == []


def test_a_network_too_large_for_memory_ends_with_one_line(mnist_file, run_main):
    status, out, err = run_main(exec_matrix.main, args=[
        "--data", mnist_file, "--sizes", "784,1000000000000,10"])
    assert status == 1 and out == ""
    assert err.startswith("exec_matrix.py: error: out of memory; try a smaller")
    assert err.count("\n") == 1
