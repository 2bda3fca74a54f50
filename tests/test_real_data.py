"""Three epochs of the matrix network on the real MNIST, wherever a copy of
a known md5 is (the classic file's, or one trusted in MNIST_MD5, as .ci/run
does the shared copy's): like the loader, it never trusts a file itself."""

import os
import random

import numpy as np
import pytest

import mnist_fetch
import mnist_loader
import network_matrix
from conftest import SHARED_MNIST, md5_of


def trusted_copy():
    """The first of $MNIST_PATH, data/mnist.pkl.gz and the shared copy that
    is a file of a known md5, or None."""
    for path in (os.environ.get("MNIST_PATH"), mnist_fetch.DEFAULT_PATH, SHARED_MNIST):
        if path and os.path.isfile(path):
            if md5_of(path) in mnist_fetch.known_md5s():
                return path
    return None


COPY = trusted_copy()


@pytest.mark.skipif(COPY is None, reason="no copy of MNIST whose md5 is known "
                    "(the classic file's, or one in MNIST_MD5) here")
def test_three_epochs_reach_90_percent(capsys):
    (train_x, train_y), _, (test_x, test_y) = mnist_loader.load_data(COPY)
    assert train_x.shape == (50000, 784) and test_x.shape == (10000, 784)
    random.seed(2)
    np.random.seed(2)
    net = network_matrix.Network([784, 30, 10])
    results = net.SGD((train_x.T, mnist_loader.vectorized_result(train_y)), 3, 10, 3.0,
                      test_data=(test_x.T, test_y))
    assert len(results) == 3 and results[-1][0] >= 9000
    assert net.evaluate((test_x.T, test_y)) == results[-1][0]

