"""The scripts as a user runs them, on a small synthetic data set: in a
subprocess where what matters is the process (its signals, its pipes), and
in this process through cli.run where it is only what they print."""

import os
import re
import signal
import sys
import time

import pytest

import bench
import compare
import exec_matrix
import exec_normal
import network_matrix
from conftest import POSIX_SIGNALS, code_running_file, md5_of, run_script as run, trust

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
    live = [LINE.match(line) for line in result.stderr.splitlines()]  # each under its heading
    assert [int(m.group(2)) for m in live if m] == counts[0] + counts[1]
    assert [line for line in result.stderr.splitlines() if not LINE.match(line)] == [
        "exec_normal.py, mini-batch 10:", "exec_matrix.py, mini-batch 10:"]


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
        assert status is None and seen == {dtype}, err


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


@pytest.mark.parametrize("script", [exec_normal, exec_matrix, compare, bench])
def test_help_names_the_environment_too(run_main, script):
    status, out, _ = run_main(script.main, script.__name__ + ".py", ["--help"])
    assert status == 0 and "--data PATH" in out
    assert all(variable in out for variable in ("MNIST_PATH", "MNIST_MD5", "MNIST_URL"))


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


GUNZIP = "; name mnist.pkl.gz itself, still gzipped"
CUT = (" is cut short or damaged: its gzip data does not decompress whole; delete it "
       "and download it again")
UNTRUSTED = (" has md5 {md5}, not the classic file's, and unpickling a file can run code "
             "in it, so it is not used. If you trust this copy, run %s and try again")


@pytest.mark.parametrize("name, platform, problem", [
    ("typo.pkl.gz", "linux", ": No such file or directory"),
    ("folder", "linux", " is a folder; name the file itself, as in {folder!r}"),
    ("empty", "linux", ": not mnist.pkl.gz: it is empty" + GUNZIP),
    ("page.html", "linux",  # a captive portal's page, saved by hand
     ": not mnist.pkl.gz: it begins b'<!DOCTYPE html>\\n', and gzip data does not" + GUNZIP),
    ("cut.pkl.gz", "linux", CUT),  # a download by hand, cut short, then trusted
    ("damaged.pkl.gz", "linux", CUT),
    ("runs-code.pkl.gz", "linux", UNTRUSTED % "export MNIST_MD5={md5}"),
    ("runs-code.pkl.gz", "win32",
     UNTRUSTED % 'set MNIST_MD5={md5} (cmd) or $env:MNIST_MD5 = "{md5}" (PowerShell)'),
])
def test_bad_data_exits_2_with_one_line(name, platform, problem, tmp_path, monkeypatch,
                                        run_main, payload):
    """Nothing of a file of unknown md5 is run, and the error says how to
    trust it in the user's shell.  A trusted file that is not whole is named
    as such, and stays as it was."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "page.html").write_bytes(b"<!DOCTYPE html>\n<html><title>Sign in")
    code_running_file(tmp_path / "runs-code.pkl.gz", tmp_path / "ran")
    (tmp_path / "cut.pkl.gz").write_bytes(payload[:len(payload) // 2])
    (tmp_path / "damaged.pkl.gz").write_bytes(payload[:100] + b"junk" + payload[104:])
    trust(monkeypatch, tmp_path / "cut.pkl.gz", tmp_path / "damaged.pkl.gz")
    monkeypatch.setattr(sys, "platform", platform)
    path = str(tmp_path / name)
    status, out, err = run_main(exec_matrix.main, args=["--data", path])
    assert (status, out) == (2, "")
    assert err == "exec_matrix.py: error: {!r}{}\n".format(path, problem.format(
        md5=md5_of(tmp_path / "runs-code.pkl.gz"), folder=os.path.join(path, "mnist.pkl.gz")))
    assert not (tmp_path / "ran").exists()
    assert (tmp_path / "cut.pkl.gz").read_bytes() == payload[:len(payload) // 2]
