"""The scripts as a user runs them: here, or in a process of their own."""

import gzip
import os
import pickle
import re
import signal
import sys
import time

import pytest

import mnist_loader
import network_matrix
from conftest import POSIX_SIGNALS, md5_of

LINE = re.compile(r"^Epoch (\d+): (\d+) / 50, elapsed time: \d+\.\d\ds$")
SCRIPTS = ["exec_normal.py", "exec_matrix.py", "compare.py", "bench.py"]


def test_a_drawn_seed_is_named_and_repeats_the_run_in_both_scripts_and_compare(
        mnist_file, run_script):
    flags = ["--data", mnist_file, "--epochs", "3"]
    status, out, err = run_script("exec_normal.py", flags)
    seed = re.fullmatch(r"exec_normal.py: seed (\d+); add --seed \1 to repeat this run\n", err)
    assert status is None and seed, err
    flags += ["--seed", seed.group(1)]
    runs = [out]
    for script in ("exec_normal.py", "exec_matrix.py"):
        status, out, err = run_script(script, flags)
        assert (status, err) == (None, "")
        runs.append(out)
    counts = []
    for out in runs:
        epochs = [LINE.match(line) for line in out.splitlines()]
        assert all(epochs) and [int(e.group(1)) for e in epochs] == [0, 1, 2]
        counts.append([int(e.group(2)) for e in epochs])
    assert counts[0] == counts[1] == counts[2]
    status, out, err = run_script("compare.py", flags)
    rows = [line.split() for line in out.splitlines()[2:5]]  # under the two headers
    assert [[int(row[1]), int(row[3])] for row in rows] == [list(c) for c in zip(*counts[1:])]
    live = [LINE.match(line) for line in err.splitlines()]  # each under its heading
    assert [int(m.group(2)) for m in live if m] == counts[1] + counts[2]
    assert [line for line in err.splitlines() if not LINE.match(line)] == [
        "exec_normal.py, mini-batch 10:", "exec_matrix.py, mini-batch 10:"]


def test_float32_trains_in_float32(mnist_file, run_script, monkeypatch):
    """Every array of every step has the type --dtype names, the book's data too."""
    seen = set()
    backprop = network_matrix.Network.backprop

    def watched(self, X, Y):
        seen.update(a.dtype.name for a in [X, Y] + self.weights + self.biases)
        return backprop(self, X, Y)
    monkeypatch.setattr(network_matrix.Network, "backprop", watched)
    for dtype in ("float32", "float64"):
        seen.clear()
        status, _, err = run_script("exec_matrix.py", [
            "--data", mnist_file, "--epochs", "1", "--seed", "1", "--dtype", dtype])
        assert status is None and seen == {dtype}, err
        seen.clear()
        batch = mnist_loader.load_data_wrapper(mnist_file)[0][:10]  # float64 y
        network_matrix.Network([784, 30, 10], dtype).update_mini_batch(batch, 3.0)
        assert seen == {dtype}


# A reader gone away, as Windows reports it: EINVAL where POSIX says EPIPE.
ON_WINDOWS_WITH_STDOUT_CLOSED = """
import errno
def closed(text):
    sys.platform = "win32"  # only now: modules that load on POSIX look at it too
    raise OSError(errno.EINVAL, "Invalid argument")
sys.stdout.write = closed
"""


@pytest.mark.parametrize("setup", ["", ON_WINDOWS_WITH_STDOUT_CLOSED], ids=["posix", "windows"])
def test_a_closed_pipe_stops_quietly(setup, mnist_file, launch):
    """As ``| head -1`` does."""
    process = launch("exec_normal.py", "--data", mnist_file, "--epochs", "500", "--seed",
                     "1", setup=setup)
    if not setup:
        assert LINE.match(process.stdout.readline().strip())
        process.stdout.close()
    err = process.stderr.read()
    assert (process.wait(timeout=60), err) == (0, "")


@POSIX_SIGNALS
@pytest.mark.parametrize("script, name, status, last_line", [
    ("exec_matrix.py", "SIGINT", 130, "interrupted"),
    ("exec_normal.py", "SIGTERM", 143, "downloading MNIST from '127.0.0.1'"),
])
def test_a_stop_during_the_first_download_leaves_nothing(script, name, status, last_line,
                                                         server, tmp_path, launch):
    """Ctrl-C says so, SIGTERM ends silently; no part file or new folder is left."""
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
    assert err.splitlines()[-1] == last_line
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_names_the_environment_too(run_script, script):
    status, out, _ = run_script(script, ["--help"])
    assert status == 0 and "--data PATH" in out
    assert all(variable in out for variable in ("MNIST_PATH", "MNIST_MD5", "MNIST_URL"))


@pytest.mark.parametrize("flags", [
    ["--epochs", "0"], ["--mini-batch-size", "ten"], ["--eta", "nan"],
    ["--sizes", "783,30,10"], ["--sizes", "784,0,10"], ["--seed", "-1"],
    ["--dtype", "float16"], ["--no-such-flag"],
], ids=" ".join)
def test_bad_flags_exit_2_with_one_line_before_training(flags, mnist_file, run_script):
    """The scripts share these flags (cli.FLAG_SETTINGS); exec_matrix.py takes them all."""
    status, out, err = run_script("exec_matrix.py", ["--data", mnist_file] + flags)
    assert status == 2 and out == ""
    last = err.splitlines()[-1]
    assert last.startswith("exec_matrix.py: error: ") and (
        "argument {}".format(flags[0]) in last or "unrecognized" in last)


@pytest.mark.parametrize("name, platform, listed, named", [
    ("typo.pkl.gz", "linux", "", ["No such file or directory"]),
    ("folder", "linux", "", ["is a folder", "{folder!r}"]),
    ("empty", "linux", "", ["it is empty", "still gzipped"]),
    ("page.html", "linux", "", ["b'<!DOCTYPE html>\\n'", "still gzipped"]),  # saved by hand
    ("cut.pkl.gz", "linux", "", ["{size:,} bytes", "17,051,982", "export MNIST_MD5={md5}"]),
    ("cut.pkl.gz", "linux", "{cut}", ["cut short", "download it again"]),  # then trusted
    ("damaged.pkl.gz", "linux", "{damaged}", ["cut short", "download it again"]),
    ("runs-code.pkl.gz", "linux", "", ["not the classic file's", "export MNIST_MD5={md5}"]),
    ("runs-code.pkl.gz", "win32", "", ["set MNIST_MD5={md5} (cmd)",
                                       '$env:MNIST_MD5 = "{md5}" (PowerShell)']),
    ("runs-code.pkl.gz", "linux", "{cut},{damaged}", ["MNIST_MD5 ('{listed}')",
                                                      "export MNIST_MD5={md5}"]),
])
def test_bad_data_exits_2_with_one_line(name, platform, listed, named, tmp_path,
                                        monkeypatch, run_script, payload):
    """The line names the file and what to do; an unknown md5 runs nothing.

    Its size beside the classic file's shows a copy cut short before it is
    trusted; a trusted file that is not whole is called so, and kept as it was.
    """
    (tmp_path / "folder").mkdir()
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "page.html").write_bytes(b"<!DOCTYPE html>\n<html><title>Sign in")
    (tmp_path / "cut.pkl.gz").write_bytes(payload[:len(payload) // 2])
    (tmp_path / "damaged.pkl.gz").write_bytes(payload[:100] + b"junk" + payload[104:])

    class RunsCode:  # as any pickle may
        def __reduce__(self):
            return exec, ("open({!r}, 'w').close()".format(str(tmp_path / "ran")),)
    (tmp_path / "runs-code.pkl.gz").write_bytes(gzip.compress(pickle.dumps(RunsCode())))
    listed = listed.format(cut=md5_of(tmp_path / "cut.pkl.gz"),
                           damaged=md5_of(tmp_path / "damaged.pkl.gz"))
    monkeypatch.setenv("MNIST_MD5", listed)
    monkeypatch.setattr(sys, "platform", platform)
    path = tmp_path / name
    status, out, err = run_script("exec_matrix.py", ["--data", str(path)])
    assert (status, out) == (2, "")
    assert err.startswith("exec_matrix.py: error: {!r}".format(str(path)))
    assert err.count("\n") == 1 and err.endswith("\n")
    for text in named:
        assert text.format(folder=str(path / "mnist.pkl.gz"), listed=listed,
                           **({"md5": md5_of(path), "size": path.stat().st_size}
                              if path.is_file() else {})) in err
    assert not (tmp_path / "ran").exists()
    assert (tmp_path / "cut.pkl.gz").read_bytes() == payload[:len(payload) // 2]


AS_PYTHON_3_8 = 'sys.version_info = (3, 8, 18, "final", 0); sys.version = "3.8.18 (sim)"'
WITHOUT_NUMPY = 'sys.modules["numpy"] = None  # a new terminal, without the virtual environment'


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("setup, named", [
    (AS_PYTHON_3_8, ["needs Python 3.9 or later, not 3.8.18"]),
    (WITHOUT_NUMPY, ["numpy is not installed for {python!r}", ".venv/bin/python {script}",
                     ".venv\\Scripts\\python {script}", "pip install -r requirements.txt"]),
], ids=["python 3.8", "no numpy"])
def test_a_python_that_cannot_run_them_gets_one_line(setup, named, script, launch):
    process = launch(script, setup=setup)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (2, "")
    assert err.startswith(script + ": error: ") and err.count("\n") == 1
    assert all(text.format(python=sys.executable, script=script) in err for text in named)


# Reports the BLAS thread limit in force when numpy is first imported.
WATCH_NUMPY = """
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            print([os.environ.get(v) for v in {}])
            sys.meta_path.remove(self)
sys.meta_path.insert(0, Watch())
"""
BLAS_VARIABLES = ["OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
                  "VECLIB_MAXIMUM_THREADS"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_limits_blas_to_one_thread_before_numpy_loads(script, monkeypatch,
                                                                   launch):
    """Both networks run alike, and none waits for a busy core's second thread."""
    for variable in BLAS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "4")  # what a user sets is kept
    out, _ = launch(script, "--help", setup=WATCH_NUMPY.format(BLAS_VARIABLES)).communicate(
        timeout=60)
    assert out.splitlines()[0] == "['1', '4', '1', '1']"
