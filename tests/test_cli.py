"""cli.py: what stops a command, on each platform, and networks too large to
train.  cli.run is called here in this process, with the stop signals left
alone so that pytest's own handlers stay as they are."""

import errno
import io
import signal
import subprocess
import sys

import pytest

import cli
from conftest import ROOT


@pytest.fixture
def run(monkeypatch, capsys):
    """cli.run(main) without touching signals; returns (exit status, or
    None when it returned, stdout, stderr)."""
    monkeypatch.setattr(cli, "STOP_SIGNALS", ())
    monkeypatch.setattr(sys, "argv", ["exec_matrix.py"])

    def call(main):
        try:
            cli.run(main)
            status = None
        except SystemExit as e:
            status = e.code
        out, err = capsys.readouterr()
        return status, out, err
    return call


def raising(error):
    def main():
        raise error
    return main


def test_a_broken_pipe_is_quiet(run):
    assert run(raising(BrokenPipeError(errno.EPIPE, "Broken pipe"))) == (1, "", "")


@pytest.mark.parametrize("platform, err", [
    ("win32", ""),  # how Windows says that the reader went away
    ("linux", "exec_matrix.py: error: [Errno 22] Invalid argument\n"),
    ("darwin", "exec_matrix.py: error: [Errno 22] Invalid argument\n"),
])
def test_einval_is_a_gone_reader_only_on_windows(run, monkeypatch, platform, err):
    monkeypatch.setattr(sys, "platform", platform)
    assert run(raising(OSError(errno.EINVAL, "Invalid argument"))) == (1, "", err)


def test_a_full_disk_is_one_line(run):
    status, out, err = run(raising(OSError(errno.ENOSPC, "No space left on device")))
    assert status == 1
    assert err == "exec_matrix.py: error: [Errno 28] No space left on device\n"


def test_running_out_of_memory_is_one_line(run):
    status, _, err = run(raising(MemoryError()))
    assert status == 1
    assert err.startswith("exec_matrix.py: error: out of memory; try a smaller")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("signum, name, status", [
    (signal.SIGTERM, "SIGTERM", 143), (signal.SIGINT, "SIGINT", 130)])
def test_a_stop_signal_is_one_line(run, signum, name, status):
    assert run(raising(cli.Stopped(signum))) == (status, "", "stopped by {}\n".format(name))


def test_a_name_the_console_cannot_encode_is_escaped(run, monkeypatch):
    """As on a Windows console whose code page lacks a character."""
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    assert run(lambda: print("plot written to caf\u00e9.png"))[0] is None
    assert raw.getvalue() == b"plot written to caf\\xe9.png\n"


def test_stop_signals_are_installed_where_they_exist_and_are_not_ignored(monkeypatch):
    """Windows has no SIGHUP; under nohup SIGHUP is ignored and stays so."""
    installed = {}
    monkeypatch.setattr(signal, "getsignal", lambda s: {
        signal.SIGTERM: signal.SIG_DFL}.get(s, signal.SIG_IGN))
    monkeypatch.setattr(signal, "signal", lambda s, h: installed.setdefault(s, h))
    monkeypatch.setattr(sys, "argv", ["exec_matrix.py"])
    cli.run(lambda: None)
    assert installed == {signal.SIGTERM: cli._stop}
    installed.clear()
    monkeypatch.delattr(signal, "SIGHUP", raising=False)
    cli.run(lambda: None)
    assert installed == {signal.SIGTERM: cli._stop}


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


@pytest.mark.parametrize("script", ["exec_normal", "exec_matrix", "compare"])
def test_every_script_limits_blas_to_one_thread_before_numpy_loads(script, monkeypatch):
    """So that both networks run under the same threading, and a busy
    machine does not make the matrix network wait for a second thread."""
    for variable in BLAS_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "4")  # what a user sets is kept
    out = subprocess.run([sys.executable, "-c", WATCH_NUMPY.format(root=ROOT), script]
                         + BLAS_VARIABLES, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=60).stdout
    assert out == "['1', '4', '1', '1']\n"


def test_a_closed_stdout_is_refused_before_any_work(run, monkeypatch):
    """As with >&-: nothing could be printed, so nothing is trained."""
    monkeypatch.setattr(sys, "stdout", None)
    called = []
    status, _, err = run(lambda: called.append(True))
    assert (status, called) == (2, [])
    assert err == "exec_matrix.py: error: standard output is closed, so nothing could be printed\n"
