"""The first run's download, from a real HTTP server on 127.0.0.1 that the
tests start: the file takes its place only when whole and of a known md5,
and whatever fails ends in one line and leaves the data folder as it was."""

import errno
import gzip
import hashlib
import os
import ssl
import sys
import urllib.error

import pytest

import exec_normal
import mnist_fetch
import mnist_loader


@pytest.fixture
def known(payload, monkeypatch):
    """The served file's md5 trusted, and its first half's, as by a user who
    trusted a copy cut short."""
    monkeypatch.setenv("MNIST_MD5", " ".join(
        hashlib.md5(p).hexdigest() for p in (payload, payload[:len(payload) // 2])))


@pytest.fixture
def folder(tmp_path, payload, monkeypatch):
    """The data folder, MNIST_PATH's, already holding a file that no failure
    may touch."""
    (tmp_path / "good.pkl.gz").write_bytes(payload)
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "mnist.pkl.gz"))
    return tmp_path


def assert_untouched(folder, payload):
    assert os.listdir(folder) == ["good.pkl.gz"]
    assert (folder / "good.pkl.gz").read_bytes() == payload


def test_a_missing_file_is_downloaded_and_loaded_even_under_fips(
        server, payload, known, folder, monkeypatch, capsys):
    monkeypatch.setenv("MNIST_URL", server + "/good")
    real_md5 = hashlib.md5

    def fips_md5(*args, **kwargs):  # FIPS refuses md5 unless not for security
        if kwargs.get("usedforsecurity", True):
            raise ValueError("[digital envelope routines] unsupported")
        return real_md5(*args, **kwargs)
    monkeypatch.setattr(mnist_fetch.hashlib, "md5", fips_md5)
    assert len(mnist_loader.load_data()[0][0]) == 30
    assert (folder / "mnist.pkl.gz").read_bytes() == payload
    assert sorted(os.listdir(folder)) == ["good.pkl.gz", "mnist.pkl.gz"]
    assert capsys.readouterr().err == "downloading MNIST from '127.0.0.1'\n"


def test_progress_on_a_terminal_rewrites_one_line_that_ends_however_it_ends(
        server, known, tmp_path, monkeypatch, capsys):
    """A download cut off half way (here by the size cap) ends its line
    before the next mirror's, or the error, is written."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("MNIST_URL", server + "/good")
    mnist_fetch.download(str(tmp_path / "mnist.pkl.gz"))
    first, progress, end = capsys.readouterr().err.split("\n")
    assert (first, end) == ("downloading MNIST from '127.0.0.1'", "")
    assert progress.startswith("\r") and progress.endswith("\r  0.2 of 0.2 MB")
    monkeypatch.setattr(mnist_fetch, "MAX_BYTES", 100000)
    monkeypatch.setenv("MNIST_URL", "{0}/good {0}/good".format(server))
    with pytest.raises(mnist_fetch.MNISTError):
        mnist_fetch.download(str(tmp_path / "other.pkl.gz"))
    lines = capsys.readouterr().err.split("\n")
    assert lines[0::2] == ["downloading MNIST from '127.0.0.1'"] * 2 + [""]
    assert all(line.startswith("\r") and line.endswith(" of 0.2 MB") for line in lines[1::2])


def test_an_unknown_download_is_not_kept_and_trains_after_the_export(
        server, payload, folder, monkeypatch, run_main):
    """As from a mirror of the project's rebuild: one line names the md5 to
    trust; after that export, the next run downloads again and trains."""
    md5 = hashlib.md5(payload).hexdigest()
    monkeypatch.delenv("MNIST_MD5", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("MNIST_URL", server + "/good")
    status, out, err = run_main(exec_normal.main, "exec_normal.py", ["--epochs", "1"])
    assert (status, out) == (2, "")
    assert err.splitlines()[-1] == (
        "exec_normal.py: error: the download from '127.0.0.1' has md5 {0}, not the "
        "classic file's, and unpickling a file can run code in it, so it is not used. "
        "If you trust this copy, run export MNIST_MD5={0} and try again".format(md5))
    assert_untouched(folder, payload)
    monkeypatch.setenv("MNIST_MD5", md5)
    status, out, err = run_main(exec_normal.main, "exec_normal.py", ["--epochs", "1"])
    assert status is None and out.startswith("Epoch 0: ")


FOLDER = "{path!r} is a folder; name the file itself, as in {inside!r}"
SAVE = ("cannot save the download as {path!r}: %s; point MNIST_PATH at a file in a "
        "folder you can write")


@pytest.mark.parametrize("mirror, place, problem", [
    ("{server}/missing?sig=t0k3n", "mnist.pkl.gz", "'127.0.0.1' (HTTP 404)"),
    ("{server}/half?sig=t0k3n", "mnist.pkl.gz", "'127.0.0.1' (the connection closed after"),
    ("{closed}", "mnist.pkl.gz", "'127.0.0.1' ("),  # no network: nothing listens there
    ("http://user:s3cr3t@127.0.0.1/x", "mnist.pkl.gz", "'127.0.0.1' (InvalidURL)"),
    ("{server}/page?sig=t0k3n", "mnist.pkl.gz", "the download from '127.0.0.1': not "
     "mnist.pkl.gz: it begins b'<!DOCTYPE html><', and gzip data does not; each URL in "
     "MNIST_URL must name the file itself"),  # a captive portal, or the mirror's folder
    ("{server}/cut?sig=t0k3n", "mnist.pkl.gz", "the download from '127.0.0.1' is cut "
     "short or damaged: its gzip data does not decompress whole; it was not kept; try again"),
] + [(url, "mnist.pkl.gz", "MNIST_URL: every mirror must be an http:// or https:// URL "
      "of the file itself") for url in ("mirror.example/mnist.pkl.gz?sig=t0k3n",
                                        "http://a..b/mnist.pkl.gz", "http://[::1/m")]
  + [("{server}/good", place, problem) for place, problem in [
      ("new" + os.sep, FOLDER), (".", FOLDER),
      (os.path.join("good.pkl.gz", "mnist.pkl.gz"), SAVE % "Not a directory"),
      (os.path.join("locked", "mnist.pkl.gz"), SAVE % "Permission denied")]])
def test_a_failed_download_ends_in_one_line_and_leaves_the_folder_as_it_was(
        server, payload, known, folder, closed_port_url, monkeypatch, run_main,
        mirror, place, problem):
    """Each mirror is shown by its host: no password or token is printed.
    An MNIST_PATH that names a folder, or a place that cannot be made or
    written (locked: as a folder of another user's), starts no download."""
    path = os.path.join(str(folder), place)
    monkeypatch.setenv("MNIST_PATH", path)
    monkeypatch.setenv("MNIST_URL", mirror.format(server=server, closed=closed_port_url))
    if place.startswith("locked"):
        def refused(name, *args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", name)
        monkeypatch.setattr(mnist_fetch.os, "makedirs", refused)
    status, out, err = run_main(exec_normal.main, "exec_normal.py")
    assert (status, out) == (2, "")
    *before, error = err.splitlines()
    assert error.startswith("exec_normal.py: error: ") and problem.format(
        path=path, inside=os.path.join(path, "mnist.pkl.gz")) in error
    assert "s3cr3t" not in err and "t0k3n" not in err
    assert place == "mnist.pkl.gz" or not before  # no "downloading MNIST from"
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
    with pytest.raises(mnist_fetch.MNISTError, match="it sends more than the 1000 bytes"):
        mnist_loader.load_data()
    assert_untouched(folder, payload)


@pytest.mark.parametrize("platform", ["darwin", "linux"])
def test_a_certificate_failure_says_how_to_fix_it_on_macos_only(platform, tmp_path,
                                                                monkeypatch):
    """On macOS, python.org's Python trusts no certificate until a script
    of its own installs them; elsewhere the fix is not the user's."""
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
