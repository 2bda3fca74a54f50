"""mnist_loader: the layout it returns, where it looks, and everything it
refuses.  Every file here is synthetic and written by the test."""

import _codecs
import gzip
import os
import pickle
import struct
import sys
import time
import tracemalloc

import numpy as np
import pytest

import mnist_loader
from conftest import Call, synthetic_mnist, write_pickle

try:
    from numpy._core.multiarray import _reconstruct  # numpy 2
    from numpy._core.numeric import _frombuffer
except ImportError:
    from numpy.core.multiarray import _reconstruct  # numpy 1
    from numpy.core.numeric import _frombuffer


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


def test_vectorized_result():
    e = mnist_loader.vectorized_result(7)
    assert e.shape == (10, 1)
    assert e[7, 0] == 1.0 and e.sum() == 1.0
    E = mnist_loader.vectorized_result(np.array([2, 0, 9]))
    assert E.shape == (10, 3)
    assert np.array_equal(np.argmax(E, axis=0), [2, 0, 9])
    assert np.array_equal(E.sum(axis=0), [1.0, 1.0, 1.0])


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


def test_a_tilde_in_an_explicit_path_is_the_home_folder(mnist_file, monkeypatch):
    home, name = os.path.split(mnist_file)
    monkeypatch.setenv("HOME", home)
    monkeypatch.setenv("USERPROFILE", home)  # Windows' home
    assert len(mnist_loader.load_data(os.path.join("~", name))[0][0]) == 200


@pytest.mark.parametrize("content", [
    b"this is not gzip at all",
    b"",
    "half",                                    # a good file cut in half
    gzip.compress(b"\x80\x02garbage"),
    gzip.compress(b"\x80\x02]q\x00(K\x01"),
    gzip.compress(b"not a pickle at all"),
])
def test_a_damaged_file_is_unreadable_not_refused(tmp_path, mnist_file, content):
    if content == "half":
        with open(mnist_file, "rb") as f:
            whole = f.read()
        content = whole[:len(whole) // 2]
    path = tmp_path / "damaged.pkl.gz"
    path.write_bytes(content)
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(str(path))
    assert str(e.value).startswith("{}: not a readable mnist.pkl.gz (".format(path))


# A shell command that creates a file, in any shell: Windows has no touch.
CREATE = "\"{}\" -c \"open(r'{}', 'w').close()\""


@pytest.mark.parametrize("func, code", [
    (os.system, CREATE.format(sys.executable, "{marker}")),
    (eval, "open({marker!r}, 'w').close()"),
])
def test_a_pickle_that_would_run_code_is_refused_before_it_runs(tmp_path, func, code):
    marker = str(tmp_path / "pwned")
    evil = write_pickle(tmp_path / "evil.pkl.gz",
                        (Call(func, code.format(marker=marker)), None, None))
    # The payload does work when unpickled without the loader's guard:
    with gzip.open(evil, "rb") as f:
        pickle.load(f)
    assert os.path.exists(marker)
    os.remove(marker)
    with pytest.raises(mnist_loader.MNISTError, match="refused: it refers to "):
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
    (with_part(0, y=np.zeros(30, np.bool_)), "expected integers"),
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
    assert str(e.value).startswith("{}: not MNIST: ".format(path))
    assert problem in str(e.value)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_numpy_arrays_pickled_at_any_protocol_load(tmp_path, protocol):
    """Just as numpy's own unpickler loads them, in Fortran order and
    big-endian too, and an empty test set: at protocol 2 its bytes pickle
    as bytes()."""
    (images, digits), validation, test = synthetic_mnist((20, 5, 0))
    data = ((np.asfortranarray(images), digits.astype(">i8")), validation, test)
    path = write_pickle(tmp_path / "p.pkl.gz", data, protocol=protocol)
    with gzip.open(path, "rb") as f:
        names = {2: [b"_reconstruct", b"_codecs", b"__builtin__\nbytes"],
                 5: [b"_frombuffer"]}.get(protocol, [b"_reconstruct"])
        raw = f.read()
        assert all(name in raw for name in names)
    unrestricted = pickle.loads(raw)
    loaded = mnist_loader.load_data(path)
    for (x, y), (want_x, want_y) in zip(loaded, unrestricted):
        assert x.dtype == want_x.dtype and y.dtype == want_y.dtype
        assert np.array_equal(x, want_x) and np.array_equal(y, want_y)
        assert x.flags.f_contiguous == want_x.flags.f_contiguous
    assert np.array_equal(loaded[0][1], digits) and loaded[2][0].shape == (0, 784)


def python_2_array(a):
    """``a`` as a Python 2 numpy pickled it, which the classic file is:
    the type code and the bytes are byte strings, which Python 3 reads as
    text with encoding="latin1", and the dtype's flags are whole numbers."""
    dtype = Call(np.dtype, a.dtype.str[1:], 0, 1,
                 state=(3, a.dtype.str[0], None, None, None, -1, -1, 0))
    return Call(_reconstruct, np.ndarray, (0,), "b",
                state=(1, a.shape, dtype, False, a.tobytes().decode("latin1")))


def test_the_classic_python_2_layout_loads(tmp_path):
    data = synthetic_mnist((20, 5, 5))
    crafted = tuple((python_2_array(x), python_2_array(y)) for x, y in data)
    path = write_pickle(tmp_path / "py2.pkl.gz", crafted)
    for (x, y), (want_x, want_y) in zip(mnist_loader.load_data(path), data):
        assert x.dtype == np.float32 and np.array_equal(x, want_x)
        assert y.dtype == np.int64 and np.array_equal(y, want_y)


def labels(n):
    return np.zeros(n, np.int64)


def images(n):
    return np.zeros((n, 784), np.float32)


def crafted_array(shape, dtype, raw):
    return Call(_reconstruct, np.ndarray, (0,), b"b",
                state=(1, shape, np.dtype(dtype), False, raw))


FLOAT32 = np.dtype(np.float32)
# Small files that would cost far more than their bytes (time, memory, or
# a traceback later on), and why each is refused.  None may get as far as
# allocating.
CRAFTED = {
    "zero strides": (Call(np.ndarray, (10 ** 7, 784), FLOAT32, b"\0" * 4, 0, (0, 0)),
                     "refused: it calls numpy.ndarray"),
    "ndarray called": (Call(np.ndarray, (500000, 784), FLOAT32),
                       "refused: it calls numpy.ndarray"),
    "objects": (Call(np.ndarray, (3 * 10 ** 7,), np.dtype(object)),
                "refused: it asks for the dtype 'O8'"),
    "object array": (np.array([1, 2, 3], dtype=object),
                     "refused: it asks for the dtype 'O8'"),
    "structured": (np.zeros(3, dtype=[("a", "f4")]),
                   "refused: it asks for the dtype 'V4'"),
    "other shape": (Call(_reconstruct, np.ndarray, (10 ** 8,), b"b"),
                    "refused: it calls _reconstruct with"),
    "unpaid state": (crafted_array((10 ** 6, 784), np.float32, b"\0" * 4),
                     "refused: it gives an array of shape .* data that does not fill it"),
    "unpaid buffer": (Call(_frombuffer, b"\0" * 4, FLOAT32, (10 ** 6, 784), "C"),
                      "refused: it gives an array of shape .* data that does not fill it"),
    "another codec": (Call(_codecs.encode, "x", "utf-32"),
                      "refused: it calls _codecs.encode with 'utf-32'"),
    "bytes of a size": (Call(bytes, 10 ** 9), r"not a readable mnist.pkl.gz \(TypeError"),
}


def refused_quickly(path, match):
    """load_data refuses ``path`` within half a second, allocating less
    than a megabyte as it does."""
    tracemalloc.start()
    try:
        start = time.perf_counter()
        with pytest.raises(mnist_loader.MNISTError, match=match):
            mnist_loader.load_data(path)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 2 ** 20


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_a_crafted_file_is_refused_before_it_costs_anything(tmp_path, name):
    crafted, match = CRAFTED[name]
    path = write_pickle(tmp_path / "crafted.pkl.gz",
                        ((crafted, labels(1)), (images(1), labels(1)),
                         (images(1), labels(1))))
    refused_quickly(path, match)


def test_time_labels_are_refused(tmp_path):
    """timedelta64 passes for an integer type in numpy's eyes."""
    path = write_pickle(tmp_path / "times.pkl.gz",
                        with_part(0, y=np.zeros(30, "m8[s]")))
    refused_quickly(path, "refused: it asks for the dtype 'm8'")


def test_text_in_a_pickle_is_shown_escaped(tmp_path):
    path = tmp_path / "names.pkl.gz"
    with gzip.open(path, "wb") as f:
        f.write(b"\x80\x02cos\x1b[2J\nsys\rtem\n.")
    with pytest.raises(mnist_loader.MNISTError) as e:
        mnist_loader.load_data(str(path))
    assert str(e.value).endswith(
        "refused: it refers to os\\x1b[2J.sys\\rtem, as no pickle of numeric "
        "arrays does")


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
