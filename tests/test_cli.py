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
