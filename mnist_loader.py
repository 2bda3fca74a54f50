"""The MNIST data of the book's mnist.pkl.gz, as arrays or as network.py's lists.

mnist_fetch.py finds the file and vouches for it.
"""

import pickle

import numpy as np

from mnist_fetch import trusted_pickle


def load_data(path=None):
    """Return ``(training_data, validation_data, test_data)`` as the file holds them.

    Each is a pair ``(x, y)``: 50,000, 10,000 or 10,000 images, one per row
    of 784 pixels in [0, 1], and their digits.  The file is ``path``, else
    ``$MNIST_PATH`` or data/mnist.pkl.gz, downloaded when missing.
    """
    return pickle.loads(trusted_pickle(path), encoding="latin1")


def load_data_wrapper(path=None):
    """Return three lists of pairs ``(x, y)``: x a column of pixels, y as vectorized_result's.

    In the validation and test data, y is the digit itself.
    """
    training, validation, test = load_data(path)
    training_data = [(x.reshape(784, 1), vectorized_result(y))
                     for x, y in zip(*training)]
    validation_data = [(x.reshape(784, 1), y) for x, y in zip(*validation)]
    test_data = [(x.reshape(784, 1), y) for x, y in zip(*test)]
    return training_data, validation_data, test_data


def vectorized_result(j):
    """Return the output wanted for digit ``j``, 1.0 in row j; for n digits, n columns."""
    j = np.asarray(j)
    e = np.zeros((10, j.size))
    e[j.ravel(), np.arange(j.size)] = 1.0
    return e
