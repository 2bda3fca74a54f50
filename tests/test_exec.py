"""The scripts as a user runs them, on a small synthetic data set: in a
subprocess where what matters is the process (its signals, its pipes), and
in this process through cli.run where it is only what they print."""

import os
import re
import signal
import time

import pytest

import bench
import compare
import exec_matrix
import exec_normal
import network_matrix
from conftest import POSIX_SIGNALS, run_script as run, write_pickle

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


def test_a_closed_pipe_stops_quietly(mnist_file, launch):
    """As ``| head -1`` does."""
    process = launch("exec_normal.py", "--data", mnist_file, "--epochs", "500")
    assert LINE.match(process.stdout.readline().decode().strip())
    process.stdout.close()
    err = process.stderr.read().decode()
    assert (process.wait(timeout=60), err) == (0, "")


@POSIX_SIGNALS
@pytest.mark.parametrize("script, name, status, last_line", [
    ("exec_matrix.py", "SIGINT", 130, "interrupted"),
    ("exec_normal.py", "SIGTERM", 143, "downloading MNIST from '127.0.0.1'"),
])
def test_a_stop_during_the_first_download_leaves_nothing(script, name, status, last_line,
                                                         server, tmp_path, launch):
    """Ctrl-C says so; SIGTERM (kill, timeout) ends silently."""
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
    assert err.decode().splitlines()[-1] == last_line
    assert os.listdir(dest.parent) == []


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
    ["--epochs", "0"], ["--mini-batch-size", "ten"], ["--eta", "nan"],
    ["--sizes", "783,30,10"], ["--sizes", "784,0,10"], ["--seed", "-1"],
    ["--dtype", "float16"], ["--no-such-flag"],
]


@pytest.mark.parametrize("flags", BAD_FLAGS, ids=" ".join)
def test_bad_flags_exit_2_with_one_line_before_training(flags, mnist_file, run_main):
    """The scripts share these flags (cli.FLAGS); exec_matrix.py takes them all."""
    status, out, err = run_main(exec_matrix.main, args=["--data", mnist_file] + flags)
    assert status == 2 and out == ""
    last = err.splitlines()[-1]
    assert last.startswith("exec_matrix.py: error: ") and (
        "argument {}".format(flags[0]) in last or "unrecognized" in last)


def bad_file(kind, tmp_path):
    if kind == "missing":
        return str(tmp_path / "typo.pkl.gz"), "No such file or directory"
    if kind == "a folder":
        return str(tmp_path), "is a folder, not mnist.pkl.gz"
    if kind == "a web page":
        (tmp_path / "page.pkl.gz").write_bytes(b"<html>")
        return str(tmp_path / "page.pkl.gz"), "not mnist.pkl.gz: it begins b'<html>'"
    return write_pickle(tmp_path / "u.pkl.gz", ("not", "trusted")), "If you trust this copy"


@pytest.mark.parametrize("kind", ["missing", "a folder", "a web page", "unknown"])
def test_bad_data_exits_2_with_one_line(kind, tmp_path, run_main):
    path, problem = bad_file(kind, tmp_path)
    status, out, err = run_main(exec_matrix.main, args=["--data", path])
    assert status == 2 and out == ""
    assert err.startswith("exec_matrix.py: error: {!r}".format(path)) and problem in err
    assert err.count("\n") == 1


def test_offline_first_run_explains_what_to_do(tmp_path, closed_port_url, monkeypatch,
                                               run_main):
    dest = tmp_path / "data" / "mnist.pkl.gz"
    monkeypatch.setenv("MNIST_PATH", str(dest))
    monkeypatch.setenv("MNIST_URL", closed_port_url)
    status, _, err = run_main(exec_normal.main, "exec_normal.py")
    assert status == 2
    progress, error = err.splitlines()
    assert progress == "downloading MNIST from '127.0.0.1'"
    assert error.startswith("exec_normal.py: error: could not download MNIST to {!r}: "
                            "'127.0.0.1' (".format(str(dest)))
    assert error.endswith("refused). Point --data or MNIST_PATH at a copy you have")
    assert os.listdir(dest.parent) == []
