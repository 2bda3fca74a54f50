"""Shared helpers: the repository root on sys.path, and small synthetic data
sets in the layout of mnist.pkl.gz, so no test needs the real MNIST."""

import gzip
import os
import pickle
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

SHARED_MNIST = os.path.join(ROOT, "..", "shared", "mnist", "mnist.pkl.gz")


def synthetic_mnist(sizes=(200, 50, 50), seed=0):
    """Three (x, y) pairs shaped like MNIST's: random pixels in [0, 1) and
    random digits.  Each digit lights up its own band of pixels, so a
    network can learn something from the data."""
    rng = np.random.default_rng(seed)
    parts = []
    for n in sizes:
        y = rng.integers(0, 10, size=n).astype(np.int64)
        x = (rng.random((n, 784)) * 0.3).astype(np.float32)
        for i, digit in enumerate(y):
            x[i, digit * 78:(digit + 1) * 78] += np.float32(0.6)
        parts.append((x, y))
    return tuple(parts)


def write_pickle(path, obj, protocol=2):
    """Write ``obj`` as gzip(pickle(obj)), the way mnist.pkl.gz is made."""
    with gzip.open(path, "wb") as f:
        pickle.dump(obj, f, protocol=protocol)
    return str(path)


@pytest.fixture
def mnist_file(tmp_path):
    """The path of a small synthetic mnist.pkl.gz."""
    return write_pickle(tmp_path / "mnist.pkl.gz", synthetic_mnist())
