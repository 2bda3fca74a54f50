"""Helpers that several test files share: synthetic data, a server, the two ways to run a script.

The suite passes however it is started: from any folder, with SIGINT ignored
(nohup), proxy variables set, no stdin, ``python -X dev -m pytest -W error``.
"""

import gzip
import hashlib
import http.server
import os
import pickle
import runpy
import signal
import socket
import subprocess
import sys
import threading

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

# Windows sends only SIGTERM (which kills outright) to one process.
POSIX_SIGNALS = pytest.mark.skipif(
    os.name == "nt", reason="Windows cannot send SIGINT to one process")


def user_env(env=None):
    """Return the tests' environment plus ``env``, stdout buffered as in a shell."""
    env = dict(os.environ, **(env or {}))
    env.pop("PYTHONUNBUFFERED", None)
    return env


def synthetic_mnist(sizes=(200, 50, 50)):
    """Return three (x, y) pairs shaped like MNIST's: noise, and a band per digit."""
    rng = np.random.default_rng(0)
    parts = []
    for n in sizes:
        y = rng.integers(0, 10, size=n).astype(np.int64)
        x = (rng.random((n, 784)) * 0.3).astype(np.float32)
        for i, digit in enumerate(y):
            x[i, digit * 78:(digit + 1) * 78] += np.float32(0.6)
        parts.append((x, y))
    return tuple(parts)


def classic_gzip(data):
    """Return ``data`` as the classic mnist.pkl.gz holds it: gzipped, with numpy 1's names."""
    raw = pickle.dumps(data, protocol=2)
    return gzip.compress(raw.replace(b"numpy._core.", b"numpy.core."))


def md5_of(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def trust(monkeypatch, *paths):
    """Trust the files at ``paths`` in MNIST_MD5, which the scripts started inherit."""
    monkeypatch.setenv("MNIST_MD5", " ".join(md5_of(p) for p in paths))


@pytest.fixture
def run_script(monkeypatch, capsys):
    """Run a script here as its command line does: (status or None, stdout, stderr).

    In this process a test can change what the script meets: the platform,
    a library, the file system.
    """
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def call(script, args=()):
        path = os.path.join(ROOT, script)
        monkeypatch.setattr(sys, "argv", [path] + list(args))
        try:
            runpy.run_path(path, run_name="__main__")
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
    """Return the path of a small synthetic mnist.pkl.gz, trusted."""
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(classic_gzip(synthetic_mnist()))
    trust(monkeypatch, path)
    return str(path)


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Reach the loopback server directly, in the scripts started too."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(scope="session")
def payload():
    return classic_gzip(synthetic_mnist((30, 10, 10)))


@pytest.fixture(scope="session")
def server(payload):
    """Serve ``payload`` on 127.0.0.1 and return the base URL; a query is ignored.

    /good serves it whole; /half closes half way, /cut too without a length,
    /stall waits there until the server stops; /page is a captive portal's
    sign-in page, /missing a 404.
    """
    release = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            route = self.path.split("?")[0]
            if route == "/missing":
                return self.send_error(404)
            body = b"<!DOCTYPE html><title>Sign in</title>" if route == "/page" else payload
            self.send_response(200)
            if route != "/cut":
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if route not in ("/half", "/cut", "/stall"):
                return self.wfile.write(body)
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            if route == "/stall":
                release.wait(60)
            self.connection.shutdown(socket.SHUT_RDWR)

        log_message = lambda *args: None  # no log lines among the tests

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:{}".format(httpd.server_address[1])
    release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


# Runs a script, with Ctrl-C as a fresh Python handles it even if the tests
# ignore it (nohup), after {setup}: code that plays another machine.
RUN_SCRIPT = """
import os, runpy, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
{setup}
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(sys.argv[0])
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.fixture
def launch():
    """Start a script in a process of its own, as a shell does; each is ended with the test.

    For what only a process shows: signals, pipes, a Python without numpy.
    """
    processes = []

    def start(script, *args, env=None, setup=""):
        processes.append(subprocess.Popen(
            [sys.executable, "-c", RUN_SCRIPT.format(setup=setup),
             os.path.join(ROOT, script)] + list(args), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=user_env(env)))
        return processes[-1]

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate()
