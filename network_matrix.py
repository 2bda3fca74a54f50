"""network.py with fully matrix-based backpropagation.

The exercise at the end of chapter 2's "The backpropagation algorithm": the m
examples of a mini-batch are the columns of matrices X and Y, and backprop
carries all of them through BP1-BP4 at once.  Everything else is network.py's:
from one seed both networks start alike, see the same mini-batches in the
same order, and differ only in rounding and speed.
"""

import random
import time

import numpy as np


class Network(object):

    def __init__(self, sizes, dtype=np.float64):
        """Draw network.py's starting weights and biases, in ``dtype`` (float64 or float32)."""
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.dtype = np.dtype(dtype)
        self.biases = [np.random.randn(n_out, 1).astype(dtype) for n_out in sizes[1:]]
        self.weights = [np.random.randn(n_out, n_in).astype(dtype)
                        for n_in, n_out in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        """Return the output for ``a``, one input column or a matrix of them."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta,
            test_data=None):
        """Train as network.py does, stacking the data into matrices once."""
        start = time.perf_counter()
        X, Y = self._as_matrices(training_data)
        # Each example is its column number from here on, so that network.py's
        # shuffle and slices pick the same mini-batches.  Only for speed: Y is
        # put in the network's type once, with each column in one piece, and
        # numpy picks columns faster by an array of numbers than by a list.
        training_data = list(range(X.shape[1]))
        Y = np.asfortranarray(Y, dtype=self.dtype)
        if test_data is not None:
            test_data = self._as_matrices(test_data)
        n_test = 0 if test_data is None else test_data[0].shape[1]
        n = len(training_data)
        results = []
        for j in range(epochs):
            random.shuffle(training_data)
            mini_batches = [np.array(training_data[k:k + mini_batch_size])
                            for k in range(0, n, mini_batch_size)]
            for mini_batch in mini_batches:
                self.update_mini_batch((X[:, mini_batch], Y[:, mini_batch]), eta)
            correct = self.evaluate(test_data) if n_test else None
            seconds = time.perf_counter() - start
            if correct is not None:
                print("Epoch {}: {} / {}, elapsed time: {:.2f}s".format(
                    j, correct, n_test, seconds), flush=True)
            else:
                print("Epoch {} complete, elapsed time: {:.2f}s".format(
                    j, seconds), flush=True)
            results.append((correct, seconds))
        return results

    def update_mini_batch(self, mini_batch, eta):
        """Take one step on a mini-batch in any form network.py takes, or a matrix pair."""
        X, Y = self._as_matrices(mini_batch)
        nabla_b, nabla_w = self.backprop(X.astype(self.dtype, copy=False),
                                         Y.astype(self.dtype, copy=False))
        step = eta / X.shape[1]
        # In place only for speed: new arrays each step, as in network.py, took 7-14% longer.
        for p, nabla in zip(self.weights + self.biases, nabla_w + nabla_b):
            nabla *= step
            p -= nabla

    @np.errstate(over="ignore")  # see sigmoid
    def backprop(self, x, y):
        """Return the gradient of the cost, summed over a whole mini-batch.

        x and y are the matrices X and Y: column j of each, and of every
        activation and delta below, is example j's.  BP1-BP4 with m columns:

            BP1  Delta^L = (A^L - Y) * sigma'(Z^L)
            BP2  Delta^l = ((w^{l+1})^T Delta^{l+1}) * sigma'(Z^l)
            BP3  dC/db^l = Delta^l 1, the sums of Delta^l's rows
            BP4  dC/dw^l = Delta^l (A^{l-1})^T, the m examples' outer
                 products, added up by the matrix product

        sigma'(Z) = sigma(Z) (1 - sigma(Z)) = A (1 - A), so the activations
        stand in for the zs that network.py keeps.
        """
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        activation = x
        activations = [x]
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activation, y) * (activation * (1 - activation))
        nabla_b[-1] = delta.sum(axis=1, keepdims=True)
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            a = activations[-l]
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * (a * (1 - a))
            nabla_b[-l] = delta.sum(axis=1, keepdims=True)
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    @np.errstate(over="ignore")  # see sigmoid
    def evaluate(self, test_data):
        """Return how many examples the network gets right, all in one pass."""
        X, labels = self._as_matrices(test_data)
        return int(np.sum(np.argmax(self.feedforward(X), axis=0) == labels.ravel()))

    def cost_derivative(self, output_activations, y):
        """Return dC/da for the quadratic cost, one column per example."""
        return output_activations - y

    def _as_matrices(self, data):
        """Return ``data`` as matrices (X, Y), one example per column, if it is not already.

        network.py's ``(x, y)`` pairs are stacked; Y is then a matrix or a row of digits.
        """
        if (isinstance(data, (tuple, list)) and len(data) == 2
                and isinstance(data[0], np.ndarray) and data[0].ndim == 2):
            return data
        pairs = list(data)
        if not pairs:
            return np.empty((self.sizes[0], 0)), np.empty((self.sizes[-1], 0))
        return [np.array(c).reshape(len(pairs), -1).T for c in zip(*pairs)]


def sigmoid(z):
    """Return 1 / (1 + e^-z), elementwise, computed as network.py does.

    Below z = -709 (-88 in float32) e^-z overflows to inf, and 1 / (1 + inf)
    = 0 is still right, so this network's backprop and evaluate silence
    numpy's warning about it.
    """
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """Return sigma'(z), for the book's code that calls it."""
    return sigmoid(z) * (1 - sigmoid(z))
