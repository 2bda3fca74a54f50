"""cli.py: how a command ends, on each platform.  cli.run is called here in
this process, with the stop signals left alone so that pytest's own
handlers stay as they are; the scripts' own tests stop them for real."""

import errno
import io
import os
import signal
import subprocess
import sys

import pytest

import cli
from conftest import POSIX_SIGNALS, ROOT


def raising(error):
    def main():
        raise error
    return main


@pytest.mark.parametrize("platform, error, err", [
    ("linux", BrokenPipeError(errno.EPIPE, "Broken pipe"), ""),
    ("win32", OSError(errno.EINVAL, "Invalid argument"), ""),  # Windows' broken pipe
    ("linux", OSError(errno.EINVAL, "Invalid \x1b[2J argument"),
     "exec_matrix.py: error: [Errno 22] Invalid \\x1b[2J argument\n"),
    ("darwin", OSError(errno.EINVAL, "Invalid argument"),
     "exec_matrix.py: error: [Errno 22] Invalid argument\n"),
])
def test_a_gone_reader_is_quiet_and_other_os_errors_are_one_line(
        run_main, monkeypatch, platform, error, err):
    monkeypatch.setattr(sys, "platform", platform)
    assert run_main(raising(error)) == (1, "", err)


@pytest.mark.parametrize("signum, message, status", [
    (signal.SIGTERM, "stopped by SIGTERM", 143), (signal.SIGINT, "interrupted", 130)])
def test_a_stop_is_one_line(run_main, signum, message, status):
    assert run_main(raising(cli.Stopped(signum))) == (status, "", message + "\n")
    assert run_main(raising(KeyboardInterrupt())) == (130, "", "interrupted\n")


def test_a_name_the_console_cannot_encode_is_escaped(run_main, monkeypatch):
    """As on a Windows console whose code page lacks a character."""
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    assert run_main(lambda: print("plot written to caf\u00e9.png"))[0] is None
    assert raw.getvalue() == b"plot written to caf\\xe9.png\n"


def test_a_closed_stdout_is_refused_before_any_work(run_main, monkeypatch):
    """As with >&-: nothing could be printed, so nothing is trained."""
    monkeypatch.setattr(sys, "stdout", None)
    called = []
    status, _, err = run_main(lambda: called.append(True))
    assert (status, called) == (2, [])
    assert err == "exec_matrix.py: error: standard output is closed, so nothing could be printed\n"


# Runs a script as the given Python version would: the check comes before
# any import that an old Python would fail on.
AS_VERSION = """
import runpy, sys
sys.version_info = (3, 8, 18, "final", 0)
sys.version = "3.8.18 (simulated)"
sys.argv = sys.argv[1:]
sys.path[0] = {root!r}
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("script", ["exec_normal.py", "exec_matrix.py", "compare.py",
                                    "bench.py"])
def test_an_old_python_gets_one_line(script):
    result = subprocess.run(
        [sys.executable, "-c", AS_VERSION.format(root=ROOT), os.path.join(ROOT, script)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == "{}: error: needs Python 3.9 or later, not 3.8.18\n".format(script)


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


@pytest.mark.parametrize("script", ["exec_normal", "exec_matrix", "compare", "bench"])
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


# A command whose clean-up gets a second Ctrl-C, as a download's does when
# Ctrl-C comes twice: the clean-up still runs to its end.
CLEAN_UP = """
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, {root!r})
import cli
def main():
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(60)
    finally:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)
        print("cleaned up", file=sys.stderr)
cli.run(main)
"""


@POSIX_SIGNALS
def test_a_second_stop_cannot_cut_the_clean_up_short():
    result = subprocess.run([sys.executable, "-c", CLEAN_UP.format(root=ROOT)],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL,
                            timeout=60)
    assert (result.returncode, result.stderr) == (130, "cleaned up\ninterrupted\n")
