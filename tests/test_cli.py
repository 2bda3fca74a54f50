"""cli.py: what every script does before its own work, and how a command
ends where that differs by platform."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, user_env

SCRIPTS = ["exec_normal.py", "exec_matrix.py", "compare.py", "bench.py"]


def python(program, *args):
    return subprocess.run([sys.executable, "-c", program.format(root=ROOT)] + list(args),
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=60, env=user_env())


# Runs a script as Python 3.8 would: the check comes before any import that
# an old Python would fail on.
AS_PYTHON_3_8 = """
import runpy, sys
sys.version_info = (3, 8, 18, "final", 0)
sys.version = "3.8.18 (simulated)"
sys.argv = sys.argv[1:]
sys.path[0] = {root!r}
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("script", SCRIPTS)
def test_an_old_python_gets_one_line(script):
    result = python(AS_PYTHON_3_8, os.path.join(ROOT, script))
    assert (result.returncode, result.stdout) == (1, "")
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


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_limits_blas_to_one_thread_before_numpy_loads(script, monkeypatch):
    """So that both networks run under the same threading, and a busy
    machine does not make the matrix network wait for a second thread."""
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
    """Windows says EINVAL where a POSIX system says EPIPE; test_exec
    closes a real pipe."""
    result = python(CLOSED_PIPE_ON_WINDOWS)
    assert (result.returncode, result.stderr) == (0, "")
