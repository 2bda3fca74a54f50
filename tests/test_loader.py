"""mnist_loader: the layout it returns, where it looks, and which md5s it
opens; what it refuses is in test_exec, as a user sees it.  Every file here
is synthetic and written by the test."""

import gzip
import os
import pickle
import warnings

import numpy as np

import mnist_fetch
import mnist_loader
from conftest import md5_of, synthetic_mnist, trust, write_pickle


def test_load_data_and_the_books_layout(mnist_file):
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
    """An explicit path before MNIST_PATH before the default; ~ is home."""
    small = write_pickle(tmp_path / "small.pkl.gz", synthetic_mnist((30, 10, 10)))
    other = write_pickle(tmp_path / "other.pkl.gz", synthetic_mnist((40, 10, 10)))
    trust(monkeypatch, small, other)
    monkeypatch.setattr(mnist_fetch, "DEFAULT_PATH", str(tmp_path / "nowhere"))
    monkeypatch.setenv("MNIST_PATH", other)
    assert len(mnist_loader.load_data()[0][0]) == 40
    assert len(mnist_loader.load_data(small)[0][0]) == 30
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))  # Windows' home
    assert len(mnist_loader.load_data(os.path.join("~", "small.pkl.gz"))[0][0]) == 30


def test_the_classic_md5_or_one_in_mnist_md5_is_opened(mnist_file, monkeypatch):
    md5 = md5_of(mnist_file)
    monkeypatch.delenv("MNIST_MD5")
    monkeypatch.setattr(mnist_fetch, "MD5", md5)
    assert len(mnist_loader.load_data(mnist_file)[0][0]) == 200
    monkeypatch.setattr(mnist_fetch, "MD5", "f" * 32)
    monkeypatch.setenv("MNIST_MD5", "{} {}".format("0" * 32, md5.upper()))
    assert len(mnist_loader.load_data(mnist_file)[0][0]) == 200


def test_the_classic_layout_loads_under_either_numpy_without_a_warning(tmp_path,
                                                                     monkeypatch):
    """The classic file and the project's rebuild name numpy.core, which
    numpy 2 renamed numpy._core but keeps for old pickles."""
    data = synthetic_mnist((20, 5, 5))
    raw = pickle.dumps(data, protocol=2).replace(b"numpy._core.", b"numpy.core.")
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in raw
    path = tmp_path / "classic.pkl.gz"
    path.write_bytes(gzip.compress(raw))
    trust(monkeypatch, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = mnist_loader.load_data(str(path))
    for (x, y), (want_x, want_y) in zip(loaded, data):
        assert np.array_equal(x, want_x) and np.array_equal(y, want_y)
