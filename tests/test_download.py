"""mnist_loader.download against a real HTTP server on 127.0.0.1 that the
tests start: a download is kept only when whole and of a known md5, and
whatever fails leaves the data folder as it was."""

import errno
import hashlib
import io
import os
import re
import ssl
import stat
import subprocess
import sys
import urllib.error

import pytest

import mnist_loader
from conftest import ROOT


@pytest.fixture
def known(payload, monkeypatch):
    """The served file's md5, vouched for in MNIST_MD5."""
    md5 = hashlib.md5(payload).hexdigest()
    monkeypatch.setenv("MNIST_MD5", md5)
    return md5


@pytest.fixture
def folder(tmp_path, payload):
    """A data folder that already holds a file, which no failure may touch."""
    (tmp_path / "good.pkl.gz").write_bytes(payload)
    return tmp_path


def assert_untouched(folder, payload):
    assert os.listdir(folder) == ["good.pkl.gz"]
    assert (folder / "good.pkl.gz").read_bytes() == payload


def test_a_missing_file_is_downloaded_and_loaded_even_under_fips(
        server, payload, known, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # Windows' home
    monkeypatch.setenv("MNIST_PATH", os.path.join("~", "data", "mnist.pkl.gz"))
    monkeypatch.setenv("MNIST_URL", server + "/good")
    real_md5 = hashlib.md5

    def fips_md5(*args, **kwargs):  # FIPS refuses md5 unless not for security
        if kwargs.get("usedforsecurity", True):
            raise ValueError("[digital envelope routines] unsupported")
        return real_md5(*args, **kwargs)
    monkeypatch.setattr(mnist_loader.hashlib, "md5", fips_md5)
    old_umask = os.umask(0o027)
    try:
        assert len(mnist_loader.load_data()[0][0]) == 30
    finally:
        os.umask(old_umask)
    dest = tmp_path / "data" / "mnist.pkl.gz"
    assert os.listdir(dest.parent) == ["mnist.pkl.gz"] and dest.read_bytes() == payload
    if os.name != "nt":  # a new file's permissions, which Windows has not
        assert stat.S_IMODE(os.stat(dest).st_mode) == 0o640
    # Not on a terminal: one line, written once the download ends.
    assert capsys.readouterr().err == "downloading {}/good: {} bytes\n".format(
        server, len(payload))


@pytest.mark.parametrize("route, status", [("/good", "  0.2 of 0.2 MB"),
                                           ("/no-length", "  0.2 of ? MB"),
                                           ("/bad-length", "  0.2 of ? MB"),
                                           ("/huge-length", "  0.2 of ? MB")])
def test_progress_on_a_terminal_rewrites_one_short_line(server, payload, known, tmp_path,
                                                        monkeypatch, capsys, route, status):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("MNIST_URL", server + route)
    mnist_loader.download(str(tmp_path / "mnist.pkl.gz"))
    lines = capsys.readouterr().err.split("\n")
    assert lines[0] == "downloading {}{}".format(server, route)
    assert lines[1].startswith("\r") and lines[1].endswith(status)
    assert lines[2:] == [""]
    assert (tmp_path / "mnist.pkl.gz").read_bytes() == payload


@pytest.mark.parametrize("url, problem", [
    ("{server}/good", "md5 {md5} is not a known one"),   # nothing vouches for it
    ("{server}/missing", "HTTP Error 404: Not Found"),
    ("{server}/rude", "HTTP Error 404: Not \\x1b[2J\\x1b]0;pwned\\x07Found"),
    ("{server}/half", "connection closed after"),
    ("{server}/endless", "it sends more than the 1048576 bytes that MNIST takes"),
    ("{closed}", "refused"),                              # nothing listens there
    ("not-a-url", "unknown url type"), ("foo://example", "unknown url type"),
    ("http://[::1", "Invalid IPv6 URL"), ("file:///no/such/mnist.pkl.gz", "No such file"),
])
def test_a_failed_download_leaves_the_folder_as_it_was(server, payload, folder,
                                                       closed_port_url, monkeypatch,
                                                       url, problem):
    url = url.format(server=server, closed=closed_port_url)
    monkeypatch.setattr(mnist_loader, "MAX_BYTES", 1 << 20)
    monkeypatch.setenv("MNIST_URL", url)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(folder / "mnist.pkl.gz"))
    message = str(e.value)
    assert problem.format(md5=hashlib.md5(payload).hexdigest()) in message
    assert message.startswith("could not download MNIST to {}: tried {} (".format(
        folder / "mnist.pkl.gz", url))
    assert message.endswith("Download mnist.pkl.gz by hand and put it there, or "
                            "point MNIST_PATH at a copy you have")
    assert message.isprintable()
    assert_untouched(folder, payload)


@pytest.mark.parametrize("platform", ["darwin", "linux", "win32"])
def test_a_certificate_failure_says_how_to_fix_it_on_macos_only(platform, tmp_path,
                                                                monkeypatch):
    """On macOS, python.org's Python trusts no certificate until a script
    of its own installs them; elsewhere the fix is not the user's."""
    def untrusted(url, timeout):
        raise urllib.error.URLError(ssl.SSLCertVerificationError(
            1, "certificate verify failed: self-signed certificate"))
    monkeypatch.setattr(mnist_loader.urllib.request, "urlopen", untrusted)
    monkeypatch.setattr(sys, "platform", platform)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(tmp_path / "mnist.pkl.gz"))
    assert "certificate verify failed" in str(e.value)
    assert ("Install Certificates.command" in str(e.value)) == (platform == "darwin")
    assert os.listdir(tmp_path) == []


def test_a_path_that_names_a_folder_is_refused_before_downloading(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "new") + os.sep)
    monkeypatch.setattr(mnist_loader, "_fetch", None)  # never reached
    with pytest.raises(mnist_loader.MNISTError, match="names a folder, not a file"):
        mnist_loader.load_data()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("fails, problem", [("open", "Permission denied"),
                                            ("write", "No space left on device")])
def test_a_part_file_that_cannot_be_written_is_said_so_once(fails, problem, server, known,
                                                            folder, monkeypatch):
    """A read-only folder, a full disk: as root neither happens, so a
    refusing stand-in for the part file does.  No mirror is to blame."""
    part = "{}.{}.part".format(folder / "mnist.pkl.gz", os.getpid())

    class Refusing(io.BytesIO):
        name = part

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def refusing_open(*args):
        if fails == "open":
            raise PermissionError(errno.EACCES, "Permission denied")
        return Refusing()
    monkeypatch.setattr(mnist_loader, "open", refusing_open, raising=False)
    monkeypatch.setenv("MNIST_URL", "{0}/good {0}/never-asked".format(server))
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(folder / "mnist.pkl.gz"))
    assert str(e.value) == "cannot write {} ({})".format(part, problem)


def test_no_password_or_token_is_shown_and_a_signed_url_downloads(
        server, payload, known, tmp_path, closed_port_url, monkeypatch, capsys):
    """urllib takes no password in a URL: that mirror fails, unseen; the
    signed one serves the file, its token unseen too.  A thousand dead
    mirrors make one short line."""
    dest = tmp_path / "mnist.pkl.gz"
    monkeypatch.setenv("MNIST_URL", "http://user:s3cr3t@127.0.0.1:9/good "
                       "{}/good?X-Amz-Signature=t0k3n".format(server))
    mnist_loader.download(str(dest))
    assert dest.read_bytes() == payload
    err = capsys.readouterr().err
    assert "downloading {}/good: ".format(server) in err
    monkeypatch.setenv("MNIST_URL", "http://user:s3cr3t@127.0.0.1:9/x?sig=t0k3n "
                       + (closed_port_url + " ") * 999)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(tmp_path / "other.pkl.gz"))
    message = str(e.value)
    assert "; and 998 more. " in message and len(message) < 1000
    assert not re.search("s3cr3t|t0k3n", err + capsys.readouterr().err + message)


def test_a_download_needs_no_stderr(server, payload, known, tmp_path, monkeypatch):
    """pythonw, and a script started with 2>&-, have sys.stderr None."""
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setenv("MNIST_URL", server + "/good")
    mnist_loader.download(str(tmp_path / "mnist.pkl.gz"))
    assert (tmp_path / "mnist.pkl.gz").read_bytes() == payload


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_first_run_with_stderr_full_still_downloads_and_trains(server, payload, known,
                                                                tmp_path):
    dest = tmp_path / "mnist.pkl.gz"
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, os.path.join(ROOT, "exec_matrix.py"), "--epochs", "1"],
            stdout=subprocess.PIPE, stderr=full, stdin=subprocess.DEVNULL, text=True,
            timeout=120, env=dict(os.environ, MNIST_PATH=str(dest),
                                  MNIST_URL=server + "/good"))
    assert result.returncode == 0
    assert result.stdout.startswith("Epoch 0: ")
    assert dest.read_bytes() == payload
