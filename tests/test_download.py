"""mnist_loader.download against a real HTTP server on 127.0.0.1 that the
tests start: a download takes its place only when whole and of a known md5,
and whatever fails leaves the data folder as it was."""

import hashlib
import os
import ssl
import sys
import urllib.error

import pytest

import mnist_loader


@pytest.fixture
def known(payload, monkeypatch):
    """The served file's md5, trusted in MNIST_MD5."""
    md5 = hashlib.md5(payload).hexdigest()
    monkeypatch.setenv("MNIST_MD5", md5)
    return md5


@pytest.fixture
def folder(tmp_path, payload):
    """A data folder that already holds a file, which no failure may touch."""
    (tmp_path / "good.pkl.gz").write_bytes(payload)
    return tmp_path


def test_a_missing_file_is_downloaded_and_loaded_even_under_fips(
        server, payload, known, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "data" / "mnist.pkl.gz"))
    monkeypatch.setenv("MNIST_URL", server + "/good")
    real_md5 = hashlib.md5

    def fips_md5(*args, **kwargs):  # FIPS refuses md5 unless not for security
        if kwargs.get("usedforsecurity", True):
            raise ValueError("[digital envelope routines] unsupported")
        return real_md5(*args, **kwargs)
    monkeypatch.setattr(mnist_loader.hashlib, "md5", fips_md5)
    assert len(mnist_loader.load_data()[0][0]) == 30
    assert os.listdir(tmp_path / "data") == ["mnist.pkl.gz"]
    assert (tmp_path / "data" / "mnist.pkl.gz").read_bytes() == payload
    assert capsys.readouterr().err == "downloading MNIST from '127.0.0.1'\n"


def test_progress_on_a_terminal_rewrites_one_line(server, known, tmp_path, monkeypatch,
                                                  capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setenv("MNIST_URL", server + "/good")
    mnist_loader.download(str(tmp_path / "mnist.pkl.gz"))
    first, progress, end = capsys.readouterr().err.split("\n")
    assert (first, end) == ("downloading MNIST from '127.0.0.1'", "")
    assert progress.startswith("\r") and progress.endswith("\r  0.2 of 0.2 MB")


def test_an_unknown_download_is_not_kept_and_trusted_downloads_again(
        server, payload, folder, monkeypatch):
    """The error names the md5 to trust; after that export, the next run
    downloads and loads."""
    md5 = hashlib.md5(payload).hexdigest()
    monkeypatch.delenv("MNIST_MD5", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("MNIST_URL", "{}/good?X-Amz-Signature=t0k3n".format(server))
    monkeypatch.setenv("MNIST_PATH", str(folder / "mnist.pkl.gz"))
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data()
    assert str(e.value).startswith(
        "the download from '127.0.0.1' has md5 {}, not the classic file's".format(md5))
    assert str(e.value).endswith("run export MNIST_MD5={} and try again".format(md5))
    assert os.listdir(folder) == ["good.pkl.gz"]
    monkeypatch.setenv("MNIST_MD5", md5)
    assert len(mnist_loader.load_data()[0][0]) == 30


@pytest.mark.parametrize("route, problem", [
    ("/missing", "HTTP 404"),
    ("/half", "the connection closed after"),
    ("/endless", "it sends more than the 1048576 bytes that MNIST takes"),
    ("closed", "refused"),  # nothing listens there
])
def test_a_failed_download_leaves_the_folder_as_it_was(server, payload, known, folder,
                                                       closed_port_url, monkeypatch,
                                                       route, problem):
    """Each mirror is shown by its host: no password or token in its URL."""
    url = closed_port_url if route == "closed" else server + route
    monkeypatch.setattr(mnist_loader, "MAX_BYTES", 1 << 20)
    monkeypatch.setenv("MNIST_URL", "http://user:s3cr3t@127.0.0.1/x {}?sig=t0k3n".format(url))
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(folder / "mnist.pkl.gz"))
    message = str(e.value)
    assert message.startswith("could not download MNIST to {!r}: '127.0.0.1' "
                              "(InvalidURL); '127.0.0.1' (".format(str(folder / "mnist.pkl.gz")))
    assert problem in message
    assert message.endswith("Point --data or MNIST_PATH at a copy you have")
    assert "s3cr3t" not in message and "t0k3n" not in message
    assert os.listdir(folder) == ["good.pkl.gz"]
    assert (folder / "good.pkl.gz").read_bytes() == payload


def test_a_captive_portals_page_is_not_offered_for_trusting(server, folder, monkeypatch):
    monkeypatch.setenv("MNIST_URL", server + "/page")
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(folder / "mnist.pkl.gz"))
    assert str(e.value) == ("the download from '127.0.0.1': not mnist.pkl.gz: it begins "
                            "b'<!DOCTYPE html><', and gzip data does not")
    assert os.listdir(folder) == ["good.pkl.gz"]


@pytest.mark.parametrize("url", ["mirror.example/mnist.pkl.gz", "file:///tmp/mnist.pkl.gz"])
def test_a_mirror_that_is_no_web_address_is_refused(url, tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_URL", url)
    with pytest.raises(mnist_loader.MNISTError, match="every mirror must be an http://"):
        mnist_loader.download(str(tmp_path / "mnist.pkl.gz"))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("platform", ["darwin", "linux"])
def test_a_certificate_failure_says_how_to_fix_it_on_macos_only(platform, tmp_path,
                                                                monkeypatch):
    """On macOS, python.org's Python trusts no certificate until a script
    of its own installs them; elsewhere the fix is not the user's."""
    def untrusted(url, timeout):
        raise urllib.error.URLError(ssl.SSLCertVerificationError(
            1, "certificate verify failed: self-signed certificate"))
    monkeypatch.setattr(mnist_loader.urllib.request, "urlopen", untrusted)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setenv("MNIST_URL", "https://mirror.example/mnist.pkl.gz")
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(tmp_path / "mnist.pkl.gz"))
    assert "'mirror.example' (certificate verify failed" in str(e.value)
    assert ("Install Certificates.command" in str(e.value)) == (platform == "darwin")
    assert os.listdir(tmp_path) == []
