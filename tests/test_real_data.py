"""Three epochs of the matrix network on the real MNIST, wherever a copy of
it is: $MNIST_PATH, data/mnist.pkl.gz, or the project's shared copy beside
the checkout.  The test vouches for the copy it finds by its md5."""

import os
import random
import re

import numpy as np
import pytest

import mnist_loader
import network_matrix
from conftest import SHARED_MNIST, vouch

FOUND = [path for path in (os.environ.get("MNIST_PATH"), mnist_loader.DEFAULT_PATH,
                           SHARED_MNIST) if path and os.path.isfile(path)]


@pytest.mark.skipif(not FOUND, reason="no copy of MNIST here")
def test_three_epochs_reach_90_percent(capsys, monkeypatch):
    vouch(monkeypatch, FOUND[0])
    (train_x, train_y), _, (test_x, test_y) = mnist_loader.load_data(FOUND[0])
    assert train_x.shape == (50000, 784) and test_x.shape == (10000, 784)
    random.seed(2)
    np.random.seed(2)
    net = network_matrix.Network([784, 30, 10])
    net.SGD((train_x.T, mnist_loader.vectorized_result(train_y)), 3, 10, 3.0,
            test_data=(test_x.T, test_y))
    lines = capsys.readouterr().out.splitlines()
    correct = [int(re.match(r"Epoch \d+: (\d+) / 10000", l).group(1)) for l in lines]
    assert len(correct) == 3
    assert correct[-1] >= 9000
    assert net.evaluate((test_x.T, test_y)) == correct[-1]
