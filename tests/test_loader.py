"""mnist_loader: the layout it returns, where it looks, and the rule that
only a file whose md5 is known is ever unpickled.  Every file here is
synthetic and written by the test."""

import gzip
import os
import pickle
import warnings

import numpy as np
import pytest

import mnist_loader
from conftest import code_running_file, md5_of, synthetic_mnist, vouch, write_pickle


def test_load_data_shapes_and_types(mnist_file):
    parts = mnist_loader.load_data(mnist_file)
    assert len(parts) == 3
    for (x, y), n in zip(parts, (200, 50, 50)):
        assert type(x) is np.ndarray and x.shape == (n, 784) and x.dtype == np.float32
        assert type(y) is np.ndarray and y.shape == (n,) and y.dtype == np.int64
    assert np.array_equal(parts[0][1], synthetic_mnist()[0][1])


def test_load_data_wrapper_layout(mnist_file):
    training, validation, test = mnist_loader.load_data_wrapper(mnist_file)
    (x_raw, y_raw), _, (test_x_raw, test_y_raw) = synthetic_mnist()
    assert isinstance(training, list) and len(training) == 200
    assert len(validation) == 50 and len(test) == 50
    x, y = training[3]
    assert x.shape == (784, 1) and np.array_equal(x.ravel(), x_raw[3])
    assert y.shape == (10, 1) and y.sum() == 1.0 and y[y_raw[3], 0] == 1.0
    x, label = test[5]
    assert x.shape == (784, 1) and label == test_y_raw[5]


def test_where_the_file_is_looked_for(tmp_path, monkeypatch):
    """An explicit path before MNIST_PATH before the default; ~ is home."""
    small = write_pickle(tmp_path / "small.pkl.gz", synthetic_mnist((30, 10, 10)))
    other = write_pickle(tmp_path / "other.pkl.gz", synthetic_mnist((40, 10, 10)))
    vouch(monkeypatch, small, other)
    monkeypatch.setattr(mnist_loader, "DEFAULT_PATH", str(tmp_path / "nowhere"))
    monkeypatch.setenv("MNIST_PATH", other)
    assert len(mnist_loader.load_data()[0][0]) == 40
    assert len(mnist_loader.load_data(small)[0][0]) == 30
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # Windows' home
    assert len(mnist_loader.load_data(os.path.join("~", "small.pkl.gz"))[0][0]) == 30


@pytest.mark.parametrize("path, refused, problem", [
    ("typo.pkl.gz", None, "no such file"),   # given, so not downloaded
    ("folder", None, "not a regular file"),
    (os.devnull, None, "not a regular file"),
    ("mnist.pkl.gz", "open", "cannot read it (Permission denied)"),
    ("mnist.pkl.gz", "stat", "cannot read it (Permission denied)"),  # a folder on the way
])
def test_a_path_that_cannot_be_read_is_said_so(path, refused, problem, mnist_file,
                                               tmp_path, monkeypatch):
    """As root everything can be read: a refusing open or stat stands in
    for missing permission."""
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    if refused:
        monkeypatch.setattr(mnist_loader.os if refused == "stat" else mnist_loader,
                            refused, refuse, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MNIST_URL", "http://127.0.0.1:9/never-asked")
    os.mkdir("folder")
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(path)
    assert str(e.value) == "{}: {}".format(path, problem)
    assert sorted(os.listdir(tmp_path)) == ["folder", "mnist.pkl.gz"]


def test_only_a_known_md5_is_opened(mnist_file, monkeypatch):
    """The classic file's md5, or any of those in MNIST_MD5, in any case."""
    md5 = md5_of(mnist_file)
    monkeypatch.delenv("MNIST_MD5")
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(mnist_file)
    assert str(e.value) == (
        "{}: unknown file (md5 {}), not opened: unpickling a file can run code "
        "in it. To trust this copy, set MNIST_MD5={}".format(mnist_file, md5, md5))
    monkeypatch.setattr(mnist_loader, "MD5", md5)
    assert len(mnist_loader.load_data(mnist_file)[0][0]) == 200
    monkeypatch.setattr(mnist_loader, "MD5", "f" * 32)
    monkeypatch.setenv("MNIST_MD5", "{} {}".format("0" * 32, md5.upper()))
    assert len(mnist_loader.load_data(mnist_file)[0][0]) == 200


def test_a_file_that_would_run_code_is_refused_by_its_checksum(tmp_path):
    marker = tmp_path / "ran"
    path = code_running_file(tmp_path / "crafted.pkl.gz", marker)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(path)
    assert "unknown file (md5 {})".format(md5_of(path)) in str(e.value)
    assert not marker.exists()


@pytest.mark.parametrize("name, problem", [
    ("empty", "the file is empty"),
    ("html", "it is no gzip file (it begins b'<!DOCTYPE html>\\n<html><h')"),
    ("truncated", "its gzip data stops short, as an interrupted download's does"),
    ("flipped byte", "its gzip data is damaged (Error -3 while decompressing data"),
])
def test_what_could_not_be_mnist_is_not_offered_for_vouching(name, problem, mnist_file,
                                                             tmp_path):
    """A captive portal's sign-in page, a download cut short: said for what
    they are, so that nobody vouches for them."""
    with open(mnist_file, "rb") as f:
        good = f.read()
    content = {"empty": b"", "html": b"<!DOCTYPE html>\n<html><head><title>Sign in",
               "truncated": good[:len(good) // 2],
               "flipped byte": good[:100] + bytes([good[100] ^ 0xff]) + good[101:]}[name]
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(content)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(str(path))
    assert str(e.value).startswith("{}: not mnist.pkl.gz: {}".format(path, problem))
    assert "MNIST_MD5" not in str(e.value)


def test_a_file_over_the_size_cap_is_not_read(mnist_file, monkeypatch):
    monkeypatch.setattr(mnist_loader, "MAX_BYTES", 1000)
    with pytest.raises(mnist_loader.MNISTError, match="more than the 1000 bytes"):
        mnist_loader.load_data(mnist_file)


def test_the_classic_layout_loads_under_either_numpy_without_a_warning(tmp_path,
                                                                     monkeypatch):
    """The classic file and the project's rebuild name numpy.core, which
    numpy 2 renamed numpy._core but keeps for old pickles."""
    data = synthetic_mnist((20, 5, 5))
    raw = pickle.dumps(data, protocol=2).replace(b"numpy._core.", b"numpy.core.")
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in raw
    path = tmp_path / "classic.pkl.gz"
    path.write_bytes(gzip.compress(raw))
    vouch(monkeypatch, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = mnist_loader.load_data(str(path))
    for (x, y), (want_x, want_y) in zip(loaded, data):
        assert np.array_equal(x, want_x) and np.array_equal(y, want_y)


def with_part(index, x=None, y=None):
    parts = [list(p) for p in synthetic_mnist((30, 10, 10))]
    parts[index] = [parts[index][0] if x is None else x, parts[index][1] if y is None else y]
    return tuple(tuple(p) for p in parts)


@pytest.mark.parametrize("data, problem", [
    (("not", "mnist", "at all"), "expected three (images, digits) pairs of plain numpy arrays"),
    ("matrix", "plain numpy arrays"),  # what scipy's .todense() returns
    (with_part(2, x=np.ma.masked_invalid(np.full((10, 784), np.nan, np.float32))),
     "plain numpy arrays"),
    (with_part(0, x=np.zeros((30, 28, 28), np.float32)),
     "the training images are not rows of 784 pixels in [0, 1] (found float32 (30, 28, 28))"),
    (with_part(1, x=np.full((10, 784), 255.0, np.float32)), "the validation images"),
    (with_part(2, x=np.full((10, 784), np.nan, np.float32)), "the test images"),
    (with_part(0, y=np.zeros(30, np.float64)),
     "the training labels are not one digit from 0 to 9 per image (found float64 (30,))"),
    (with_part(2, y=np.full(10, 10, np.int64)), "the test labels"),
])
def test_a_vouched_file_of_something_else_is_named_for_what_it_is(tmp_path, monkeypatch,
                                                                  data, problem):
    if data == "matrix":
        with warnings.catch_warnings():  # numpy advises against np.matrix
            warnings.simplefilter("ignore", PendingDeprecationWarning)
            data = with_part(0, x=np.matrix(np.zeros((30, 784), np.float32)))
    path = write_pickle(tmp_path / "odd.pkl.gz", data)
    vouch(monkeypatch, path)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(path)
    assert str(e.value).startswith("{}: not MNIST: ".format(path))
    assert problem in str(e.value)


@pytest.mark.parametrize("content", [b"not gzip at all", gzip.compress(b"no pickle")])
def test_a_vouched_file_that_is_no_pickle_is_unreadable(tmp_path, monkeypatch, content):
    path = tmp_path / "odd.pkl.gz"
    path.write_bytes(content)
    vouch(monkeypatch, path)
    with pytest.raises(mnist_loader.MNISTError, match="not a readable mnist.pkl.gz"):
        mnist_loader.load_data(str(path))


@pytest.mark.parametrize("text, shown", [
    ("data/a\x1b[2Jb\r", "data/a\\x1b[2Jb\\r"),
    ("Not \x1b]0;title\x07Found \u202e", "Not \\x1b]0;title\\x07Found \\u202e"),
    ("caf\u00e9 C:\\Users\\me", "caf\u00e9 C:\\Users\\me"),  # printable stays
    ("https://user:secret@example.org/mnist.pkl.gz?X-Amz-Signature=token#part",
     "https://example.org/mnist.pkl.gz"),
    ("unknown url type: 'foo://u:secret@h/x?token'", "unknown url type: 'foo://h/x'"),
    ("x" * 1000, "x" * 100 + "..." + "x" * 100),
])
def test_outside_text_is_printable_on_one_line(text, shown):
    assert mnist_loader.printable(text) == shown
