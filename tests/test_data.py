"""The loader's layout and rules, and the first run's download from 127.0.0.1."""

import errno
import gzip
import hashlib
import os
import socket
import ssl
import sys
import urllib.error
import warnings

import numpy as np
import pytest

import mnist_fetch
import mnist_loader
from conftest import classic_gzip, md5_of, synthetic_mnist, trust


def test_load_data_and_the_books_layout_from_a_file_as_numpy_1_wrote_it(mnist_file):
    """The classic file names numpy.core, which numpy 2 loads, as numpy._core, silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parts = mnist_loader.load_data(mnist_file)
    for (x, y), (want_x, want_y) in zip(parts, synthetic_mnist()):
        assert type(x) is np.ndarray and x.dtype == np.float32 and np.array_equal(x, want_x)
        assert type(y) is np.ndarray and y.dtype == np.int64 and np.array_equal(y, want_y)
    training, validation, test = mnist_loader.load_data_wrapper(mnist_file)
    (x_raw, y_raw), _, (test_x_raw, test_y_raw) = synthetic_mnist()
    assert (len(training), len(validation), len(test)) == (200, 50, 50)
    x, y = training[3]
    assert x.shape == (784, 1) and np.array_equal(x.ravel(), x_raw[3])
    assert y.shape == (10, 1) and y.sum() == 1.0 and y[y_raw[3], 0] == 1.0
    x, label = test[5]
    assert x.shape == (784, 1) and label == test_y_raw[5]


def test_where_the_file_is_looked_for(tmp_path, monkeypatch):
    """An explicit path comes first, then MNIST_PATH, then the default; ~ is home."""
    for n in (30, 40):
        data = classic_gzip(synthetic_mnist((n, 1, 1)))
        (tmp_path / "{}.pkl.gz".format(n)).write_bytes(data)
    trust(monkeypatch, tmp_path / "30.pkl.gz", tmp_path / "40.pkl.gz")
    monkeypatch.setattr(mnist_fetch, "DEFAULT_PATH", str(tmp_path / "nowhere"))
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "40.pkl.gz"))
    assert len(mnist_loader.load_data()[0][0]) == 40
    assert len(mnist_loader.load_data(str(tmp_path / "30.pkl.gz"))[0][0]) == 30
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # Windows' home
    assert len(mnist_loader.load_data(os.path.join("~", "30.pkl.gz"))[0][0]) == 30


def test_the_classic_md5_or_one_in_mnist_md5_is_opened(mnist_file, monkeypatch):
    """MNIST_MD5 may list md5s in either case, between spaces or commas."""
    md5 = md5_of(mnist_file)
    monkeypatch.delenv("MNIST_MD5")
    monkeypatch.setattr(mnist_fetch, "MD5", md5)
    assert len(mnist_loader.load_data(mnist_file)[0][0]) == 200
    monkeypatch.setattr(mnist_fetch, "MD5", "f" * 32)
    for listed in ("{} {}", "{},{}", "{}, {}"):
        monkeypatch.setenv("MNIST_MD5", listed.format("0" * 32, md5.upper()))
        assert len(mnist_loader.load_data(mnist_file)[0][0]) == 200


@pytest.fixture
def known(payload, monkeypatch):
    """Trust the served file's md5, and its first half's, as a user might."""
    monkeypatch.setenv("MNIST_MD5", " ".join(
        hashlib.md5(p).hexdigest() for p in (payload, payload[:len(payload) // 2])))


@pytest.fixture
def folder(tmp_path, payload, monkeypatch):
    """Return MNIST_PATH's folder, which holds a file that no failure may touch."""
    (tmp_path / "good.pkl.gz").write_bytes(payload)
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "mnist.pkl.gz"))
    return tmp_path


def assert_untouched(folder, payload):
    assert os.listdir(folder) == ["good.pkl.gz"]
    assert (folder / "good.pkl.gz").read_bytes() == payload


def test_progress_on_a_terminal_rewrites_one_line_that_ends_however_it_ends(
        server, known, tmp_path, monkeypatch, capsys):
    """A download cut off half way ends its line too."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("MNIST_URL", server + "/good")
    mnist_fetch.download(str(tmp_path / "mnist.pkl.gz"))
    first, progress, end = capsys.readouterr().err.split("\n")
    assert (first, end) == ("downloading MNIST from '127.0.0.1'", "")
    assert progress.startswith("\r") and progress.endswith("\r  0.2 of 0.2 MB")
    monkeypatch.setenv("MNIST_URL", "{0}/half {0}/half".format(server))
    with pytest.raises(mnist_fetch.MNISTError):
        mnist_fetch.download(str(tmp_path / "other.pkl.gz"))
    lines = capsys.readouterr().err.split("\n")
    assert lines[0::2] == ["downloading MNIST from '127.0.0.1'"] * 2 + [""]
    assert all(line.startswith("\r") and line.endswith("0.1 of 0.2 MB") for line in lines[1::2])


def test_an_unknown_download_is_not_kept_and_trains_after_the_export_even_under_fips(
        server, payload, folder, monkeypatch, run_script):
    """One line names the md5 to trust; after that, the next run downloads, keeps and trains.

    The md5 is not for security: FIPS, which refuses md5 otherwise, allows it.
    """
    real_md5 = hashlib.md5

    def fips_md5(*args, usedforsecurity=True):
        if usedforsecurity:
            raise ValueError("[digital envelope routines] unsupported")
        return real_md5(*args, usedforsecurity=False)
    monkeypatch.setattr(mnist_fetch.hashlib, "md5", fips_md5)
    md5 = real_md5(payload).hexdigest()
    monkeypatch.delenv("MNIST_MD5", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("MNIST_URL", server + "/good")
    status, out, err = run_script("exec_normal.py", ["--epochs", "1"])
    assert (status, out) == (2, "")
    error = err.splitlines()[-1]
    assert error.startswith("exec_normal.py: error: the download from '127.0.0.1' ")
    assert "{:,} bytes".format(len(payload)) in error and "export MNIST_MD5=" + md5 in error
    assert_untouched(folder, payload)
    monkeypatch.setenv("MNIST_MD5", md5)
    status, out, err = run_script("exec_normal.py", ["--epochs", "1", "--seed", "1"])
    assert status is None and out.startswith("Epoch 0: ")
    assert err == "downloading MNIST from '127.0.0.1'\n"
    assert (folder / "mnist.pkl.gz").read_bytes() == payload
    assert sorted(os.listdir(folder)) == ["good.pkl.gz", "mnist.pkl.gz"]


@pytest.mark.parametrize("mirror, problem", [
    ("{server}/missing?sig=t0k3n", "'127.0.0.1' (HTTP 404)"),
    ("{server}/half?sig=t0k3n", "'127.0.0.1' (the connection closed after"),
    ("http://user:s3cr3t@127.0.0.1/x", "MNIST_URL: the mirror at '127.0.0.1' has a user "
     "name or password in its URL"),
    ("{closed}", "could not download MNIST to {path!r}: '127.0.0.1' ("),  # as offline
    ("{server}/page?sig=t0k3n", "the download from '127.0.0.1': not mnist.pkl.gz: it "
     "begins b'<!DOCTYPE html><'"),  # a captive portal, or the mirror's folder
    ("{server}/cut?sig=t0k3n", "the download from '127.0.0.1' is cut short"),
] + [(url, "MNIST_URL: every mirror must be an http:// or https:// URL of the file "
      "itself") for url in ("mirror.example/m?sig=t0k3n", "http://a..b/m", "http://[::1/m",
                            "http://127.0.0.1:port/m")])
def test_a_failed_download_ends_in_one_line_and_leaves_the_folder_as_it_was(
        server, payload, known, folder, monkeypatch, run_script, mirror, problem):
    """It removes the folders it made, shows no secret, and offline names MNIST_URL."""
    path = os.path.join(str(folder), "new", "data", "mnist.pkl.gz")
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        closed = "http://127.0.0.1:{}/mnist.pkl.gz".format(s.getsockname()[1])
    monkeypatch.setenv("MNIST_PATH", path)
    monkeypatch.setenv("MNIST_URL", mirror.format(server=server, closed=closed))
    status, out, err = run_script("exec_normal.py")
    assert (status, out) == (2, "")
    error = err.splitlines()[-1]
    assert error.startswith("exec_normal.py: error: ") and problem.format(path=path) in error
    if "could not download" in error:
        assert "MNIST_URL at a mirror you can reach" in error
    assert "s3cr3t" not in err and "t0k3n" not in err
    assert_untouched(folder, payload)


FOLDER = "{path!r} is a folder; name the file itself, as in {inside!r}"
SAVE = ("cannot save the download as {path!r}: %s; point MNIST_PATH at a file in a "
        "folder you can write")


@pytest.mark.parametrize("place, problem", [
    ("new" + os.sep, FOLDER), (".", FOLDER),
    (os.path.join("good.pkl.gz", "mnist.pkl.gz"), SAVE % "Not a directory"),
    (os.path.join("locked", "mnist.pkl.gz"), SAVE % "Permission denied"),
])
def test_a_place_that_cannot_hold_the_file_starts_no_download(
        server, payload, known, folder, monkeypatch, run_script, place, problem):
    """A folder, a file in the way, or a folder that cannot be made (root can make all)."""
    path = os.path.join(str(folder), place)
    monkeypatch.setenv("MNIST_PATH", path)
    monkeypatch.setenv("MNIST_URL", server + "/good")
    if place.startswith("locked"):
        def refused(name, *args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", name)
        monkeypatch.setattr(mnist_fetch.os, "makedirs", refused)
    status, out, err = run_script("exec_normal.py")
    assert (status, out) == (2, "")
    assert err == "exec_normal.py: error: {}\n".format(problem.format(
        path=path, inside=os.path.join(path, "mnist.pkl.gz")))
    assert_untouched(folder, payload)


def test_the_size_cap_holds_for_a_file_and_a_download(server, payload, known, folder,
                                                      monkeypatch):
    monkeypatch.setattr(mnist_fetch, "MAX_BYTES", 1000)
    with pytest.raises(mnist_fetch.MNISTError, match="more than the 1000 bytes"):
        mnist_loader.load_data(str(folder / "good.pkl.gz"))
    gunzipped = folder / "mnist.pkl"  # is called what it is, whatever its size
    gunzipped.write_bytes(gzip.decompress(payload))
    with pytest.raises(mnist_fetch.MNISTError, match="not mnist.pkl.gz: it begins b'"):
        mnist_loader.load_data(str(gunzipped))
    gunzipped.unlink()
    monkeypatch.setenv("MNIST_URL", server + "/good")
    with pytest.raises(mnist_fetch.MNISTError, match="download .* more than the 1000 bytes"):
        mnist_loader.load_data()
    assert_untouched(folder, payload)


@pytest.mark.parametrize("platform", ["darwin", "linux"])
def test_a_certificate_failure_says_how_to_fix_it_on_macos_only(platform, tmp_path,
                                                                monkeypatch):
    """python.org's Python on macOS trusts no certificate until its script installs them."""
    def untrusted(url, timeout):
        raise urllib.error.URLError(ssl.SSLCertVerificationError(
            1, "certificate verify failed: self-signed certificate"))
    monkeypatch.setattr(mnist_fetch.urllib.request, "urlopen", untrusted)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setenv("MNIST_URL", "https://mirror.example/mnist.pkl.gz")
    with pytest.raises(mnist_fetch.MNISTError) as e:
        mnist_fetch.download(str(tmp_path / "mnist.pkl.gz"))
    assert "'mirror.example' (certificate verify failed" in str(e.value)
    assert ("Install Certificates.command" in str(e.value)) == (platform == "darwin")
    assert os.listdir(tmp_path) == []
