"""mnist_loader.py: the MNIST data of the book's mnist.pkl.gz.

That file is ``gzip(pickle((training_data, validation_data, test_data)))``,
each part a pair ``(x, y)`` of numpy arrays: x holds one image per row (784
pixels in [0, 1]) and y the digit each shows.  ``load_data`` returns those
arrays, ``load_data_wrapper`` the lists of column vectors that the book's
network.py trains on; mnist_fetch.py finds the file and vouches for it.
"""

import pickle

import numpy as np

from mnist_fetch import MNISTError, trusted_pickle  # noqa: F401 (MNISTError is ours too)


def load_data(path=None):
    """Return ``(training_data, validation_data, test_data)``, each a pair
    ``(x, y)`` of an (n, 784) float array and an (n,) array of digits (50,000,
    10,000 and 10,000 images), from the file at ``path``; without one, from
    ``$MNIST_PATH`` or ``data/mnist.pkl.gz``, downloaded when missing."""
    return pickle.loads(trusted_pickle(path), encoding="latin1")


def load_data_wrapper(path=None):
    """The data as network.py wants it: three lists of pairs ``(x, y)``,
    x a (784, 1) column of pixels and y, in the training data, the (10, 1)
    output the network should give, elsewhere the digit itself."""
    training, validation, test = load_data(path)
    training_data = [(x.reshape(784, 1), vectorized_result(y))
                     for x, y in zip(*training)]
    validation_data = [(x.reshape(784, 1), y) for x, y in zip(*validation)]
    test_data = [(x.reshape(784, 1), y) for x, y in zip(*test)]
    return training_data, validation_data, test_data


def vectorized_result(j):
    """The desired output for digit ``j``: a (10, 1) column with 1.0 in
    row j; for an array of n digits, the (10, n) matrix of their columns."""
    j = np.asarray(j)
    e = np.zeros((10, j.size))
    e[j.ravel(), np.arange(j.size)] = 1.0
    return e
