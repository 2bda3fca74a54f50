"""The book's network, backpropagating a whole mini-batch at once: the exercise.

Sigmoid neurons, the quadratic cost and mini-batch stochastic gradient
descent, as in chapters 1 and 2 of Michael Nielsen's "Neural Networks and
Deep Learning".  Chapter 2's exercise: backprop takes the m examples of a
mini-batch at once, as the columns of matrices X and Y.  The methods take
network.py's data, or a pair of matrices (X, Y), and from one seed start,
shuffle and step as network.py's do.
"""

import random
import time

import numpy as np


class Network(object):

    def __init__(self, sizes, dtype=np.float64):
        """Draw the starting biases and weights for layers of ``sizes`` neurons.

        [784, 30, 10] is 784 inputs, 30 hidden neurons and 10 outputs.  Each
        is a draw from N(0, 1) by numpy's global generator, so that seeding
        it fixes the start.  The inputs have no biases: they are the data.
        For speed, ``dtype`` may be float32: half the bytes to move.
        """
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(n_out, 1) for n_out in sizes[1:]]
        self.weights = [np.random.randn(n_out, n_in)
                        for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.dtype = np.dtype(dtype)
        self.biases = [b.astype(dtype) for b in self.biases]
        self.weights = [w.astype(dtype) for w in self.weights]

    def feedforward(self, a):
        """Return the output for ``a``, an input column or several side by side."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta,
            test_data=None):
        """Train by mini-batch stochastic gradient descent; return what it printed.

        ``training_data`` holds ``(x, y)`` pairs: an input column and the
        desired output column.  Each epoch shuffles it with Python's
        ``random`` and takes a step of size ``eta`` per mini-batch.  With
        ``test_data``, pairs ``(x, digit)``, each epoch prints its accuracy
        and the seconds since this call began.  The list returned holds a
        ``(correct, seconds)`` pair per epoch, correct None without test data.
        """
        start = time.perf_counter()
        X, Y = self._as_matrices(training_data)
        # An example is its column number from here on: Python's shuffle draws
        # alike for any list of one length, so the mini-batches are network.py's.
        # For speed: Y is converted once, each column in one piece (Fortran
        # order); X, far larger, a mini-batch at a time rather than copied
        # whole; numpy gathers columns faster by an array than by a list.
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
        """Take one gradient-descent step at learning rate ``eta`` on ``mini_batch``."""
        X, Y = self._as_matrices(mini_batch)
        nabla_b, nabla_w = self.backprop(X.astype(self.dtype, copy=False),
                                         Y.astype(self.dtype, copy=False))
        step = eta / X.shape[1]
        # In place, for speed: network.py's arithmetic without new arrays.
        for p, nabla in zip(self.weights + self.biases, nabla_w + nabla_b):
            nabla *= step
            p -= nabla

    @np.errstate(over="ignore")  # e^-z overflowing to inf still gives sigmoid 0
    def backprop(self, x, y):
        """Return ``(nabla_b, nabla_w)``, the gradient of the cost of a mini-batch.

        Both are lists of arrays shaped like the biases and weights.
        Column j of x and y, the matrices X and Y, and of every activation
        and delta is example j's:

            BP1  Delta^L = (A^L - Y) * sigma'(Z^L)
            BP2  Delta^l = ((w^{l+1})^T Delta^{l+1}) * sigma'(Z^l)
            BP3  dC/db^l = Delta^l 1, the sums of Delta^l's rows
            BP4  dC/dw^l = Delta^l (A^{l-1})^T, summing the examples' outer products
        """
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        activation = x
        activations = [x]
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            activation = sigmoid(z)
            activations.append(activation)
        # For speed, sigma'(Z) as A (1 - A): sigmoid_prime without the sigmoid again.
        delta = self.cost_derivative(activation, y) * (activation * (1 - activation))
        nabla_b[-1] = delta.sum(axis=1, keepdims=True)
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        # Negative indices count back from the output layer: l = 2 is the last
        # hidden layer, which is how BP2 walks.
        for l in range(2, self.num_layers):
            a = activations[-l]
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * (a * (1 - a))
            nabla_b[-l] = delta.sum(axis=1, keepdims=True)
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    @np.errstate(over="ignore")
    def evaluate(self, test_data):
        """Return how many test examples the most active output neuron gets right."""
        X, labels = self._as_matrices(test_data)
        return int(np.sum(np.argmax(self.feedforward(X), axis=0) == labels.ravel()))

    def cost_derivative(self, output_activations, y):
        """Return dC/da for the quadratic cost |y - a|^2 / 2, one column per example."""
        return output_activations - y

    def _as_matrices(self, data):
        """Return network.py's ``(x, y)`` pairs stacked as matrices (X, Y), or a pair given."""
        if (isinstance(data, (tuple, list)) and len(data) == 2
                and isinstance(data[0], np.ndarray) and data[0].ndim == 2):
            return data
        pairs = list(data)
        if not pairs:
            return np.empty((self.sizes[0], 0)), np.empty((self.sizes[-1], 0))
        return [np.array(c).reshape(len(pairs), -1).T for c in zip(*pairs)]


def sigmoid(z):
    """Return the logistic function 1 / (1 + e^-z), elementwise."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """Return sigma'(z) = sigma(z) (1 - sigma(z)), the sigmoid's slope."""
    return sigmoid(z) * (1 - sigmoid(z))
