"""The scripts as a user runs them: in a process of their own, or through cli.run."""

import gzip
import os
import pickle
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
import mnist_loader
import network_matrix
from conftest import POSIX_SIGNALS, ROOT, md5_of, user_env

LINE = re.compile(r"^Epoch (\d+): (\d+) / 50, elapsed time: \d+\.\d\ds$")


def test_a_drawn_seed_is_named_and_repeats_the_run_in_both_scripts_and_compare(
        mnist_file, run_main):
    flags = ["--data", mnist_file, "--epochs", "3"]
    status, out, err = run_main(exec_normal.main, "exec_normal.py", flags)
    seed = re.fullmatch(r"exec_normal.py: seed (\d+); add --seed \1 to repeat this run\n", err)
    assert status is None and seed, err
    flags += ["--seed", seed.group(1)]
    runs = [out]
    for script in (exec_normal, exec_matrix):
        status, out, err = run_main(script.main, script.__name__ + ".py", flags)
        assert (status, err) == (None, "")
        runs.append(out)
    counts = []
    for out in runs:
        epochs = [LINE.match(line) for line in out.splitlines()]
        assert all(epochs) and [int(e.group(1)) for e in epochs] == [0, 1, 2]
        counts.append([int(e.group(2)) for e in epochs])
    assert counts[0] == counts[1] == counts[2]
    status, out, err = run_main(compare.main, "compare.py", flags)
    rows = [line.split() for line in out.splitlines()[2:5]]
    assert [[int(row[1]), int(row[3])] for row in rows] == [list(c) for c in zip(*counts[1:])]
    live = [LINE.match(line) for line in err.splitlines()]  # each under its heading
    assert [int(m.group(2)) for m in live if m] == counts[1] + counts[2]
    assert [line for line in err.splitlines() if not LINE.match(line)] == [
        "exec_normal.py, mini-batch 10:", "exec_matrix.py, mini-batch 10:"]


def test_float32_trains_in_float32(mnist_file, run_main, monkeypatch):
    """Every array of every step has the type --dtype names, the book's data too."""
    seen = set()
    backprop = network_matrix.Network.backprop

    def watched(self, X, Y):
        seen.update(a.dtype.name for a in [X, Y] + self.weights + self.biases)
        return backprop(self, X, Y)
    monkeypatch.setattr(network_matrix.Network, "backprop", watched)
    for dtype in ("float32", "float64"):
        seen.clear()
        status, _, err = run_main(exec_matrix.main, args=[
            "--data", mnist_file, "--epochs", "1", "--seed", "1", "--dtype", dtype])
        assert status is None and seen == {dtype}, err
        seen.clear()
        batch = mnist_loader.load_data_wrapper(mnist_file)[0][:10]  # float64 y
        network_matrix.Network([784, 30, 10], dtype).update_mini_batch(batch, 3.0)
        assert seen == {dtype}


def test_a_closed_pipe_stops_quietly(mnist_file, launch):
    """As ``| head -1`` does."""
    process = launch("exec_normal.py", "--data", mnist_file, "--epochs", "500", "--seed", "1")
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
    assert err.decode().splitlines()[-1] == last_line
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("script", [exec_normal, exec_matrix, compare, bench])
def test_help_names_the_environment_too(run_main, script):
    status, out, _ = run_main(script.main, script.__name__ + ".py", ["--help"])
    assert status == 0 and "--data PATH" in out
    assert all(variable in out for variable in ("MNIST_PATH", "MNIST_MD5", "MNIST_URL"))


@pytest.mark.parametrize("flags", [
    ["--epochs", "0"], ["--mini-batch-size", "ten"], ["--eta", "nan"],
    ["--sizes", "783,30,10"], ["--sizes", "784,0,10"], ["--seed", "-1"],
    ["--dtype", "float16"], ["--no-such-flag"],
], ids=" ".join)
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
UNTRUSTED = (" has md5 {md5}, %s, and unpickling a file can run code in it, so it is "
             "not used. If you trust this copy, run %s and try again")
EXPORT = "export MNIST_MD5={md5}"


@pytest.mark.parametrize("name, platform, listed, problem", [
    ("typo.pkl.gz", "linux", "", ": No such file or directory"),
    ("folder", "linux", "", " is a folder; name the file itself, as in {folder!r}"),
    ("empty", "linux", "", ": not mnist.pkl.gz: it is empty" + GUNZIP),
    ("page.html", "linux", "",  # a captive portal's page, saved by hand
     ": not mnist.pkl.gz: it begins b'<!DOCTYPE html>\\n', and gzip data does not" + GUNZIP),
    ("cut.pkl.gz", "linux", "{cut}", CUT),  # a download by hand, cut short, then trusted
    ("damaged.pkl.gz", "linux", "{damaged}", CUT),
    ("runs-code.pkl.gz", "linux", "", UNTRUSTED % ("not the classic file's", EXPORT)),
    ("runs-code.pkl.gz", "win32", "", UNTRUSTED % ("not the classic file's", (
        'set MNIST_MD5={md5} (cmd) or $env:MNIST_MD5 = "{md5}" (PowerShell)'))),
    ("runs-code.pkl.gz", "linux", "{cut},{damaged}", UNTRUSTED % (
        "neither the classic file's nor one in MNIST_MD5 ('{listed}')", EXPORT)),
])
def test_bad_data_exits_2_with_one_line(name, platform, listed, problem, tmp_path,
                                        monkeypatch, run_main, payload):
    """An unknown md5 runs nothing, the line shows MNIST_MD5 and how to trust the file.

    A trusted file that is not whole is named as such, and stays as it was.
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
    path = str(tmp_path / name)
    status, out, err = run_main(exec_matrix.main, args=["--data", path])
    assert (status, out) == (2, "")
    assert err == "exec_matrix.py: error: {!r}{}\n".format(path, problem.format(
        md5=md5_of(tmp_path / "runs-code.pkl.gz"), listed=listed,
        folder=os.path.join(path, "mnist.pkl.gz")))
    assert not (tmp_path / "ran").exists()
    assert (tmp_path / "cut.pkl.gz").read_bytes() == payload[:len(payload) // 2]


SCRIPTS = ["exec_normal.py", "exec_matrix.py", "compare.py", "bench.py"]


def python(program, *args):
    return subprocess.run([sys.executable, "-c", program.format(root=ROOT)] + list(args),
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=60, env=user_env())


# Runs a script as Python 3.8 would, or a Python without numpy (a new
# terminal, without the virtual environment); {setup} is either's.
AS = """
import runpy, sys
{setup}
sys.argv = sys.argv[1:]
sys.path[0] = {root!r}
runpy.run_path(sys.argv[0], run_name="__main__")
"""
AS_PYTHON_3_8 = 'sys.version_info = (3, 8, 18, "final", 0); sys.version = "3.8.18 (sim)"'
WITHOUT_NUMPY = 'sys.modules["numpy"] = None  # import numpy: ModuleNotFoundError'


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("program, status, error", [
    (AS_PYTHON_3_8, 1, "needs Python 3.9 or later, not 3.8.18"),
    (WITHOUT_NUMPY, 2, "numpy is not installed for {python!r}; run .venv/bin/python "
     "{script} (Windows: .venv\\Scripts\\python {script}) to use the virtual "
     "environment, or install it: python -m pip install -r requirements.txt"),
], ids=["python 3.8", "no numpy"])
def test_a_python_that_cannot_run_them_gets_one_line(program, status, error, script):
    result = python(AS.replace("{setup}", program), os.path.join(ROOT, script))
    assert (result.returncode, result.stdout) == (status, "")
    assert result.stderr == "{}: error: {}\n".format(
        script, error.format(python=sys.executable, script=script))


# Reports the BLAS thread limit in force when numpy is first imported.
WATCH_NUMPY = """
import os, sys
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            print([os.environ.get(v) for v in sys.argv[2:]])
            sys.meta_path.remove(self)
sys.meta_path.insert(0, Watch())
sys.path.insert(0, {root!r})
__import__(sys.argv[1])
"""
BLAS_VARIABLES = ["OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
                  "VECLIB_MAXIMUM_THREADS"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_limits_blas_to_one_thread_before_numpy_loads(script, monkeypatch):
    """Both networks run alike, and none waits for a busy core's second thread."""
    for variable in BLAS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "4")  # what a user sets is kept
    result = python(WATCH_NUMPY, script[:-3], *BLAS_VARIABLES)
    assert result.stdout == "['1', '4', '1', '1']\n"


# A command whose reader has gone away, as Windows reports it.
CLOSED_PIPE_ON_WINDOWS = """
import errno, sys
sys.path.insert(0, {root!r})
import cli
sys.platform = "win32"
def main():
    print("Epoch 0: ...")
    raise OSError(errno.EINVAL, "Invalid argument")
cli.run(main)
"""


def test_a_closed_pipe_on_windows_stops_quietly_too():
    """Windows says EINVAL where POSIX says EPIPE, which test_exec tests."""
    result = python(CLOSED_PIPE_ON_WINDOWS)
    assert (result.returncode, result.stderr) == (0, "")
