"""mnist_loader.download against a real HTTP server on 127.0.0.1 that the
tests start: what arrives is checked, and whatever fails leaves the data
folder exactly as it was."""

import hashlib
import http.server
import os
import socket
import threading

import pytest

import mnist_loader
from conftest import synthetic_mnist, write_pickle


@pytest.fixture(scope="module")
def payload(tmp_path_factory):
    path = write_pickle(tmp_path_factory.mktemp("served") / "mnist.pkl.gz",
                        synthetic_mnist((30, 10, 10)))
    with open(path, "rb") as f:
        return f.read()


@pytest.fixture(scope="module")
def server(payload):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/missing":
                self.send_error(404)
                return
            self.send_response(200)
            if self.path != "/no-length":
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.path == "/half":
                self.wfile.write(payload[:len(payload) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:{}".format(httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return "http://127.0.0.1:{}/mnist.pkl.gz".format(port)


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
    assert "{} / {} bytes (100%)".format(len(payload), len(payload)) in err


def test_download_without_content_length(server, payload, tmp_path, capsys):
    dest = tmp_path / "mnist.pkl.gz"
    mnist_loader.download(str(dest), url=server + "/no-length", md5=md5(payload))
    assert dest.read_bytes() == payload
    assert "{} bytes".format(len(payload)) in capsys.readouterr().err


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


def test_every_url_is_tried_in_turn(server, payload, tmp_path, closed_port_url,
                                    monkeypatch):
    monkeypatch.setenv("MNIST_URL", "{} {}/missing {}/good".format(
        closed_port_url, server, server))
    dest = tmp_path / "mnist.pkl.gz"
    mnist_loader.download(str(dest), md5=md5(payload))
    assert dest.read_bytes() == payload


def test_missing_default_file_is_downloaded_on_first_use(server, payload, tmp_path,
                                                         monkeypatch):
    """load_data with nothing at MNIST_PATH fetches it there; the md5 here
    is the classic file's, so the synthetic one is refused, and the message
    says what to do."""
    dest = tmp_path / "data" / "mnist.pkl.gz"
    monkeypatch.setenv("MNIST_PATH", str(dest))
    monkeypatch.setenv("MNIST_URL", server + "/good")
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data()
    message = str(e.value)
    assert "md5" in message and mnist_loader.MD5 in message
    assert "could not download MNIST to {}".format(dest) in message
    assert os.listdir(dest.parent) == []


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
    monkeypatch.setattr(mnist_loader, "_progress", interrupt)
    with pytest.raises(KeyboardInterrupt):
        mnist_loader.download(str(folder / "mnist.pkl.gz"), url=server + "/good",
                              md5=md5(payload))
    assert_untouched(folder, payload)
