"""mnist_loader.download against a real HTTP server on 127.0.0.1 that the
tests start: what arrives is checked, and whatever fails leaves the data
folder exactly as it was."""

import errno
import hashlib
import os
import ssl
import stat
import sys
import urllib.error

import pytest

import mnist_loader


@pytest.fixture
def folder(tmp_path, payload):
    """A data folder that already holds a good file, which no failure may
    touch."""
    (tmp_path / "good.pkl.gz").write_bytes(payload)
    return tmp_path


def assert_untouched(folder, payload):
    assert sorted(os.listdir(folder)) == ["good.pkl.gz"]
    assert (folder / "good.pkl.gz").read_bytes() == payload


def md5(data):
    return hashlib.md5(data).hexdigest()


def test_download_then_load(server, payload, tmp_path, capsys):
    dest = tmp_path / "new" / "mnist.pkl.gz"
    got = mnist_loader.download(str(dest), url=server + "/good", md5=md5(payload))
    assert got == str(dest)
    assert dest.read_bytes() == payload
    assert os.listdir(dest.parent) == ["mnist.pkl.gz"]
    assert len(mnist_loader.load_data(str(dest))[0][0]) == 30
    err = capsys.readouterr().err
    assert err.splitlines() == ["downloading {}/good".format(server),
                                "  {} bytes received".format(len(payload))]


def test_download_without_content_length(server, payload, tmp_path, capsys):
    dest = tmp_path / "mnist.pkl.gz"
    mnist_loader.download(str(dest), url=server + "/no-length", md5=md5(payload))
    assert dest.read_bytes() == payload
    assert "{} bytes".format(len(payload)) in capsys.readouterr().err


@pytest.mark.parametrize("route, status", [("/good", "0.2 MB of 0.2 MB (100%)"),
                                           ("/no-length", "  0.2 MB")])
def test_progress_on_a_terminal_rewrites_one_short_line(server, payload, tmp_path,
                                                        monkeypatch, capsys, route,
                                                        status):
    monkeypatch.setattr(mnist_loader, "MD5", md5(payload))
    monkeypatch.setattr(mnist_loader.sys.stderr, "isatty", lambda: True)
    mnist_loader.download(str(tmp_path / "mnist.pkl.gz"), url=server + route)
    err = capsys.readouterr().err
    lines = err.split("\n")
    assert lines[0] == "downloading {}{}".format(server, route)
    assert lines[1].startswith("\r") and lines[1].endswith(status)
    assert lines[2:] == [""]
    assert max(len(update) for update in lines[1].split("\r")) < 80


def test_the_file_gets_the_permissions_of_the_umask(server, payload, tmp_path):
    if os.name == "nt":
        pytest.skip("Windows files have no permission bits to set")
    old = os.umask(0o027)
    try:
        dest = tmp_path / "mnist.pkl.gz"
        mnist_loader.download(str(dest), url=server + "/good", md5=md5(payload))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o640


def test_md5_is_not_asked_for_security(server, payload, tmp_path, monkeypatch):
    """On a FIPS system md5 is refused unless usedforsecurity=False."""
    real, checksum = hashlib.md5, md5(payload)

    def fips_md5(*args, **kwargs):
        if kwargs.get("usedforsecurity", True):
            raise ValueError("[digital envelope routines] unsupported")
        return real(*args, **kwargs)
    monkeypatch.setattr(mnist_loader.hashlib, "md5", fips_md5)
    dest = tmp_path / "mnist.pkl.gz"
    mnist_loader.download(str(dest), url=server + "/good", md5=checksum)
    assert dest.read_bytes() == payload


def test_a_file_url_works(payload, tmp_path):
    source = tmp_path / "copy.pkl.gz"
    source.write_bytes(payload)
    dest = tmp_path / "data" / "mnist.pkl.gz"
    mnist_loader.download(str(dest), url=source.as_uri(), md5=md5(payload))
    assert dest.read_bytes() == payload


@pytest.mark.parametrize("url", [
    "file:///no/such/mnist.pkl.gz", "not-a-url", "foo://example", "http://[::1",
    "http://127.0.0.1:port/", "data:,short",
])
def test_any_url_fails_as_an_mnist_error_and_the_next_is_tried(
        url, server, payload, tmp_path, monkeypatch, capsys):
    dest = tmp_path / "mnist.pkl.gz"
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(dest), url=url, md5=md5(payload))
    assert url in str(e.value)
    monkeypatch.setenv("MNIST_URL", "{} {}/good".format(url, server))
    mnist_loader.download(str(dest), md5=md5(payload))
    assert dest.read_bytes() == payload


@pytest.mark.parametrize("route, problem", [("/huge", "announces 104857600 bytes, more than the"),
                                            ("/endless", "sends more than")])
def test_a_download_stops_at_the_size_cap(server, folder, payload, route, problem,
                                          monkeypatch):
    monkeypatch.setattr(mnist_loader, "MAX_DOWNLOAD_BYTES", 1 << 20)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(folder / "mnist.pkl.gz"), url=server + route,
                              md5=md5(payload))
    assert problem in str(e.value)
    assert "the {} bytes that".format(mnist_loader.MAX_DOWNLOAD_BYTES) in str(e.value)
    assert_untouched(folder, payload)


def test_a_certificate_failure_says_how_to_fix_it_on_macos(tmp_path, monkeypatch):
    def untrusted(url, timeout):
        raise urllib.error.URLError(ssl.SSLCertVerificationError(
            1, "certificate verify failed: unable to get local issuer"))
    monkeypatch.setattr(mnist_loader.urllib.request, "urlopen", untrusted)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(tmp_path / "mnist.pkl.gz"),
                              url="https://example.invalid/mnist.pkl.gz")
    assert "certificate verify failed" in str(e.value)
    assert "Install Certificates.command" in str(e.value)
    assert os.listdir(tmp_path) == []


def test_a_failed_download_removes_the_folders_it_made(server, tmp_path):
    dest = tmp_path / "a" / "b" / "mnist.pkl.gz"
    with pytest.raises(mnist_loader.MNISTError):
        mnist_loader.download(str(dest), url=server + "/missing")
    assert os.listdir(tmp_path) == []


def test_a_folder_that_cannot_be_made_is_reported_and_leaves_nothing(tmp_path,
                                                                      monkeypatch):
    """makedirs makes the outer folder, then fails on the inner one."""
    real = os.mkdir

    def mkdir(path, *args, **kwargs):
        if os.path.basename(path) == "inner":
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)
    monkeypatch.setattr(os, "mkdir", mkdir)
    folder = tmp_path / "outer" / "inner"
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(folder / "mnist.pkl.gz"), url="http://127.0.0.1:9/")
    assert str(e.value) == "{}: cannot create this folder (Permission denied)".format(
        folder)
    assert os.listdir(tmp_path) == []


def test_a_folder_that_cannot_be_written_is_reported_once(server, tmp_path,
                                                          monkeypatch):
    """As root every folder is writable, so a refusing mkstemp stands in
    for a read-only folder."""
    def refuse(**kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(mnist_loader.tempfile, "mkstemp", refuse)
    monkeypatch.setenv("MNIST_URL", "{0}/good {0}/no-length".format(server))
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(tmp_path / "mnist.pkl.gz"))
    assert str(e.value) == "{}: cannot write to this folder (Permission denied)".format(
        tmp_path)


def test_a_tilde_in_mnist_path_is_the_home_folder(server, payload, tmp_path,
                                                  monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # Windows' home
    monkeypatch.setenv("MNIST_PATH", os.path.join("~", "data", "mnist.pkl.gz"))
    monkeypatch.setenv("MNIST_URL", server + "/good")
    monkeypatch.setattr(mnist_loader, "MD5", md5(payload))
    assert len(mnist_loader.load_data()[0][0]) == 30
    assert (tmp_path / "data" / "mnist.pkl.gz").read_bytes() == payload


@pytest.mark.parametrize("route, checksum, problem", [
    ("/good", "0" * 32, "md5 "),
    ("/missing", None, "HTTP Error 404"),
    ("/half", None, "connection closed after"),
    (None, None, "refused"),  # nothing listens at the URL
])
def test_a_failed_download_leaves_the_folder_as_it_was(server, payload, folder,
                                                       closed_port_url, route,
                                                       checksum, problem):
    url = server + route if route else closed_port_url
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(folder / "mnist.pkl.gz"), url=url,
                              md5=checksum or md5(payload))
    message = str(e.value)
    assert url in message and problem in message
    assert "by hand" in message and "MNIST_PATH" in message
    assert_untouched(folder, payload)


def test_an_existing_file_is_never_downloaded_over(server, payload, folder):
    with pytest.raises(mnist_loader.MNISTError, match="already exists"):
        mnist_loader.download(str(folder / "good.pkl.gz"), url=server + "/good",
                              md5=md5(payload))
    assert_untouched(folder, payload)


def test_missing_default_file_downloads_and_loads(server, payload, tmp_path,
                                                  monkeypatch):
    dest = tmp_path / "data" / "mnist.pkl.gz"
    monkeypatch.setenv("MNIST_PATH", str(dest))
    monkeypatch.setenv("MNIST_URL", server + "/good")
    monkeypatch.setattr(mnist_loader, "MD5", md5(payload))
    assert len(mnist_loader.load_data()[1][0]) == 10
    assert dest.read_bytes() == payload


def test_an_interrupted_download_leaves_nothing(server, payload, folder, monkeypatch):
    def interrupt(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(mnist_loader._Progress, "show", interrupt)
    with pytest.raises(KeyboardInterrupt):
        mnist_loader.download(str(folder / "mnist.pkl.gz"), url=server + "/good",
                              md5=md5(payload))
    assert_untouched(folder, payload)


@pytest.mark.parametrize("name", ["newdir" + os.sep, "."])
def test_a_path_that_names_a_folder_is_refused_before_downloading(
        name, server, payload, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MNIST_PATH", name)
    monkeypatch.setenv("MNIST_URL", server + "/good")
    monkeypatch.setattr(mnist_loader, "_fetch", None)  # never reached
    with pytest.raises(mnist_loader.MNISTError, match="names a folder|not a regular file"):
        mnist_loader.load_data()
    assert os.listdir(tmp_path) == []


def appear_during_download(monkeypatch, dest):
    """Put a file at ``dest`` once the download has ended, before it is
    moved into place, as another program might."""
    real_end = mnist_loader._Progress.end

    def end(self, received):
        real_end(self, received)
        dest.write_bytes(b"someone else's")
    monkeypatch.setattr(mnist_loader._Progress, "end", end)


def no_hard_links(*args):
    raise PermissionError(errno.EPERM, "Operation not permitted")


@pytest.mark.parametrize("links", [True, False])
def test_a_file_that_appears_during_the_download_is_left_alone(
        links, server, payload, tmp_path, monkeypatch):
    dest = tmp_path / "mnist.pkl.gz"
    appear_during_download(monkeypatch, dest)
    if not links:  # FAT and some network drives
        monkeypatch.setattr(mnist_loader.os, "link", no_hard_links)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(dest), url=server + "/good", md5=md5(payload))
    assert str(e.value) == ("{}: a file appeared there while downloading; it was "
                            "left as it is and the download discarded".format(dest))
    assert os.listdir(tmp_path) == ["mnist.pkl.gz"]
    assert dest.read_bytes() == b"someone else's"


def test_without_hard_links_the_download_is_renamed_into_place(
        server, payload, tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_loader.os, "link", no_hard_links)
    dest = tmp_path / "mnist.pkl.gz"
    mnist_loader.download(str(dest), url=server + "/good", md5=md5(payload))
    assert os.listdir(tmp_path) == ["mnist.pkl.gz"]
    assert dest.read_bytes() == payload


def test_a_download_needs_no_stderr(server, payload, tmp_path, monkeypatch, capsys):
    """As under pythonw on Windows, or with 2>&-."""
    monkeypatch.setattr(sys, "stderr", None)
    dest = tmp_path / "mnist.pkl.gz"
    mnist_loader.download(str(dest), url=server + "/good", md5=md5(payload))
    assert dest.read_bytes() == payload
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("route, shown", [
    ("/rude", "HTTP Error 404: Not\\x1b[2J Found\\rLine"),
    ("/garbage", "\\x1b]0;pwned\\x07 garbage\\r\\n"),
])
def test_text_a_server_chose_is_shown_escaped_on_one_line(route, shown, server,
                                                         tmp_path):
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.download(str(tmp_path / "mnist.pkl.gz"), url=server + route)
    message = str(e.value)
    assert shown in message
    assert message.isprintable()
