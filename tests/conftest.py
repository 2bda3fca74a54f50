"""Shared helpers: the repository on sys.path, small synthetic data sets in
mnist.pkl.gz's layout, trusted by md5 as a user trusts a copy, a server of
one on 127.0.0.1, and ways to run the scripts as a user does.  The suite
passes however it is started: from any folder, with SIGINT ignored (nohup),
proxy variables set, no stdin, and ``python -X dev -m pytest -W error``.
"""

import gzip
import hashlib
import http.server
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SHARED_MNIST = os.path.join(ROOT, "..", "shared", "mnist", "mnist.pkl.gz")
SIZES = [6, 5, 4, 3]  # two hidden layers, so BP2 runs more than once


def assert_same_parameters(a, b, tolerance):
    for p, q in zip(a.biases + a.weights, b.biases + b.weights):
        assert np.max(np.abs(p - q)) <= tolerance


def user_env(env=None):
    """The environment of the tests, plus ``env``, with standard output
    buffered as in a user's shell, whatever the test run was given."""
    env = dict(os.environ, **(env or {}))
    env.pop("PYTHONUNBUFFERED", None)
    return env


def run_script(script, *args):
    """Run ``script`` as a user does, with no standard input."""
    return subprocess.run([sys.executable, os.path.join(ROOT, script)] + list(args),
                          capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env=user_env())


def synthetic_mnist(sizes=(200, 50, 50), seed=0):
    """Three (x, y) pairs shaped like MNIST's: random pixels in [0, 1) and
    random digits.  Each digit lights up its own band of pixels, so a
    network can learn something from the data."""
    rng = np.random.default_rng(seed)
    parts = []
    for n in sizes:
        y = rng.integers(0, 10, size=n).astype(np.int64)
        x = (rng.random((n, 784)) * 0.3).astype(np.float32)
        for i, digit in enumerate(y):
            x[i, digit * 78:(digit + 1) * 78] += np.float32(0.6)
        parts.append((x, y))
    return tuple(parts)


def write_pickle(path, obj):
    """Write ``obj`` as gzip(pickle(obj)), the way mnist.pkl.gz is made."""
    with gzip.open(path, "wb") as f:
        pickle.dump(obj, f, protocol=2)
    return str(path)


def code_running_file(path, marker):
    """Write at ``path`` a gzipped pickle that, unpickled, makes the file
    ``marker``: what any pickle may do."""
    class RunsCode:
        def __reduce__(self):
            return (exec, ("open({!r}, 'w').close()".format(str(marker)),))
    path.write_bytes(gzip.compress(pickle.dumps(RunsCode(), protocol=2)))
    return str(path)


def md5_of(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def trust(monkeypatch, *paths):
    """Trust the files at ``paths``: their md5s go in MNIST_MD5, which the
    scripts the test starts inherit."""
    monkeypatch.setenv("MNIST_MD5", " ".join(md5_of(p) for p in paths))


@pytest.fixture
def run_main(monkeypatch, capsys):
    """Run a script's ``main`` here through ``cli.run``: (exit status, or
    None, stdout, stderr).  The signal handlers cli.run sets are put back."""
    import cli
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def call(main, prog="exec_matrix.py", args=()):
        monkeypatch.setattr(sys, "argv", [prog] + list(args))
        try:
            cli.run(main)
            status = None
        except SystemExit as e:
            status = e.code
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
        out, err = capsys.readouterr()
        return status, out, err
    return call


@pytest.fixture
def mnist_file(tmp_path, monkeypatch):
    """The path of a small synthetic mnist.pkl.gz, trusted."""
    path = write_pickle(tmp_path / "mnist.pkl.gz", synthetic_mnist())
    trust(monkeypatch, path)
    return path


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """The loopback server is reached directly, whatever proxy the
    environment names; the scripts the tests start inherit this."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(scope="session")
def payload():
    """The bytes of a small synthetic mnist.pkl.gz."""
    return gzip.compress(pickle.dumps(synthetic_mnist((30, 10, 10)), protocol=2))


@pytest.fixture(scope="session")
def server(payload):
    """The base URL of a server of ``payload``, whatever the query: /good
    serves it whole, /half closes half way, /cut too but without saying its
    length, /stall sends half and then waits until the server stops, /page
    is a captive portal's sign-in page, and /missing is a 404."""
    release = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            route = self.path.split("?")[0]
            if route == "/missing":
                self.send_error(404)
                return
            body = b"<!DOCTYPE html><title>Sign in</title>" if route == "/page" else payload
            self.send_response(200)
            if route != "/cut":
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if route in ("/half", "/cut", "/stall"):
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
                if route == "/stall":
                    release.wait(60)
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:{}".format(httpd.server_address[1])
    release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return "http://127.0.0.1:{}/mnist.pkl.gz".format(port)


# Starts a script with Ctrl-C handled as a fresh Python handles it, even when
# the test run ignores SIGINT (a background job, nohup) and the child would
# inherit that.
WITH_CTRL_C = """
import os, runpy, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(sys.argv[0])
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.fixture
def launch():
    """Start scripts in the background; whatever the test does, each is
    stopped and its pipes closed when it ends."""
    processes = []

    def start(script, *args, env=None):
        process = subprocess.Popen(
            [sys.executable, "-c", WITH_CTRL_C, os.path.join(ROOT, script)] + list(args),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=user_env(env))
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate()


# Popen.send_signal on Windows sends only SIGTERM (which kills outright) and
# console events to whole process groups.
POSIX_SIGNALS = pytest.mark.skipif(
    os.name == "nt", reason="Windows cannot send SIGINT to one process")
