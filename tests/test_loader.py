"""mnist_loader: the layout it returns, where it looks, and everything it
refuses.  Every file here is synthetic and written by the test."""

import gzip
import os
import pickle
import struct
import sys

import numpy as np
import pytest

import mnist_loader
from conftest import synthetic_mnist, write_pickle


def test_load_data_shapes_and_types(mnist_file):
    parts = mnist_loader.load_data(mnist_file)
    assert len(parts) == 3
    for (x, y), n in zip(parts, (200, 50, 50)):
        assert x.shape == (n, 784) and x.dtype == np.float32
        assert y.shape == (n,) and y.dtype == np.int64
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


def test_vectorized_result():
    e = mnist_loader.vectorized_result(7)
    assert e.shape == (10, 1)
    assert e[7, 0] == 1.0 and e.sum() == 1.0
    E = mnist_loader.vectorized_result(np.array([2, 0, 9]))
    assert E.shape == (10, 3)
    assert np.array_equal(np.argmax(E, axis=0), [2, 0, 9])
    assert np.array_equal(E.sum(axis=0), [1.0, 1.0, 1.0])


def test_default_path_is_beside_the_module_not_the_working_directory():
    here = os.path.dirname(os.path.abspath(mnist_loader.__file__))
    assert mnist_loader.DEFAULT_PATH == os.path.join(here, "data", "mnist.pkl.gz")


def test_mnist_path_overrides_the_default(mnist_file, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", mnist_file)
    assert len(mnist_loader.load_data()[0][0]) == 200


def test_explicit_path_overrides_mnist_path(tmp_path, monkeypatch):
    small = write_pickle(tmp_path / "small.pkl.gz", synthetic_mnist((30, 10, 10)))
    other = write_pickle(tmp_path / "other.pkl.gz", synthetic_mnist((40, 10, 10)))
    monkeypatch.setenv("MNIST_PATH", other)
    assert len(mnist_loader.load_data(small)[0][0]) == 30


def test_missing_explicit_path_is_an_error_not_a_download(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_URL", "http://127.0.0.1:9/never-asked")
    missing = tmp_path / "typo.pkl.gz"
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(str(missing))
    assert str(missing) in str(e.value) and "MNIST_PATH" in str(e.value)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("make", [
    lambda tmp: str(tmp),                      # a directory
    lambda tmp: os.devnull,                    # not a regular file
])
def test_paths_that_are_not_files_are_refused(tmp_path, make):
    path = make(tmp_path)
    with pytest.raises(mnist_loader.MNISTError, match="not a regular file"):
        mnist_loader.load_data(path)


def broken(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_file_that_is_not_gzip_is_refused(tmp_path):
    path = broken(tmp_path, "plain.pkl.gz", b"this is not gzip at all")
    with pytest.raises(mnist_loader.MNISTError, match="not a readable"):
        mnist_loader.load_data(path)


def test_a_truncated_gzip_is_refused(tmp_path, mnist_file):
    with open(mnist_file, "rb") as f:
        whole = f.read()
    path = broken(tmp_path, "cut.pkl.gz", whole[:len(whole) // 2])
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(path)
    assert path in str(e.value)


class Payload:
    """Unpickling this calls ``func(*args)``: the classic pickle exploit."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


# A shell command that creates a file, in any shell: Windows has no touch.
CREATE = "\"{}\" -c \"open(r'{}', 'w').close()\""


@pytest.mark.parametrize("func, code", [
    (os.system, CREATE.format(sys.executable, "{marker}")),
    (eval, "open({marker!r}, 'w').close()"),
])
def test_a_pickle_that_would_run_code_is_refused_before_it_runs(tmp_path, func, code):
    marker = str(tmp_path / "pwned")
    evil = write_pickle(tmp_path / "evil.pkl.gz",
                        (Payload(func, code.format(marker=marker)), None, None))
    # The payload does work when unpickled without the loader's guard:
    with gzip.open(evil, "rb") as f:
        pickle.load(f)
    assert os.path.exists(marker)
    os.remove(marker)
    with pytest.raises(mnist_loader.MNISTError, match="only numpy arrays"):
        mnist_loader.load_data(evil)
    assert not os.path.exists(marker)


def with_part(index, x=None, y=None):
    parts = [list(p) for p in synthetic_mnist((30, 10, 10))]
    if x is not None:
        parts[index][0] = x
    if y is not None:
        parts[index][1] = y
    return tuple(tuple(p) for p in parts)


@pytest.mark.parametrize("data, problem", [
    (("just", "two"), "expected (training, validation, test)"),
    ([1, 2, 3], "not a pair"),
    (with_part(0, x=np.zeros((30, 28, 28), np.float32)), "shape"),
    (with_part(1, x=np.zeros((10, 100), np.float32)), "shape"),
    (with_part(2, x=np.zeros((10, 784), np.int64)), "expected floats"),
    (with_part(0, y=np.zeros(29, np.int64)), "labels have shape"),
    (with_part(0, y=np.zeros(30, np.float64)), "expected integers"),
    (with_part(1, x=np.full((10, 784), 255.0, np.float32)), "pixels range"),
    (with_part(1, x=np.full((10, 784), -0.5, np.float32)), "pixels range"),
    (with_part(2, x=np.full((10, 784), np.nan, np.float32)), "pixels range"),
    (with_part(2, y=np.full(10, 10, np.int64)), "labels range"),
    (with_part(0, y=np.full(30, -1, np.int64)), "labels range"),
])
def test_wrong_structure_is_refused_with_the_problem_named(tmp_path, data, problem):
    path = write_pickle(tmp_path / "odd.pkl.gz", data)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(path)
    assert path in str(e.value) and problem in str(e.value)


@pytest.mark.parametrize("damage", [b"\x80\x02garbage", b"\x80\x02]q\x00(K\x01",
                                    b"not a pickle at all"])
def test_a_damaged_pickle_in_a_good_gzip_is_unreadable_not_refused(tmp_path, damage):
    path = tmp_path / "damaged.pkl.gz"
    with gzip.open(path, "wb") as f:
        f.write(damage)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(str(path))
    assert "not a readable mnist.pkl.gz (" in str(e.value)
    assert "refused" not in str(e.value)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_numpy_arrays_pickled_at_any_protocol_load(tmp_path, protocol):
    data = synthetic_mnist((20, 5, 5))
    path = write_pickle(tmp_path / "p.pkl.gz", data, protocol=protocol)
    loaded = mnist_loader.load_data(path)
    for (x, y), (want_x, want_y) in zip(loaded, data):
        assert np.array_equal(x, want_x) and np.array_equal(y, want_y)


def test_a_tilde_in_an_explicit_path_is_the_home_folder(mnist_file, monkeypatch):
    home, name = os.path.split(mnist_file)
    monkeypatch.setenv("HOME", home)
    monkeypatch.setenv("USERPROFILE", home)  # Windows' home
    assert len(mnist_loader.load_data(os.path.join("~", name))[0][0]) == 200


def test_real_layout_pickled_by_numpy_loads(tmp_path):
    """The protocol-2 pickle that the classic file is, made by this numpy."""
    path = write_pickle(tmp_path / "p2.pkl.gz", synthetic_mnist((20, 5, 5)), protocol=2)
    with gzip.open(path, "rb") as f:
        raw = f.read()
    assert b"_codecs" in raw and b"_reconstruct" in raw
    assert len(mnist_loader.load_data(path)[2][1]) == 5


def test_a_file_that_unpacks_too_far_is_refused(mnist_file, monkeypatch):
    """A gzip bomb is refused once it has unpacked MAX_UNPACKED_BYTES, not
    when memory runs out; a smaller cap stands in for the real one here."""
    monkeypatch.setattr(mnist_loader, "MAX_UNPACKED_BYTES", 100000)
    with pytest.raises(mnist_loader.MNISTError, match="unpacks to more than 100000 bytes"):
        mnist_loader.load_data(mnist_file)


def test_a_pickle_announcing_a_huge_string_is_refused_before_reading_it(tmp_path):
    path = tmp_path / "huge.pkl.gz"
    with gzip.open(path, "wb") as f:  # protocol 2, then a 2 GiB unicode string
        f.write(b"\x80\x02X" + struct.pack("<I", 2 ** 31) + b"only this much")
    with pytest.raises(mnist_loader.MNISTError, match="unpacks to more than"):
        mnist_loader.load_data(str(path))
