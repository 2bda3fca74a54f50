"""network_matrix.py: fully matrix-based backpropagation.

The network, cost and training method of network.py, with the exercise of
chapter 2 of Michael Nielsen's "Neural Networks and Deep Learning" carried
out: backpropagation works on a whole mini-batch at once.  The m examples of
a mini-batch are the columns of a matrix X, so each layer's weighted inputs
for all of them come from a single matrix product, Z^l = w^l A^{l-1} + b^l,
with the bias column b^l broadcast across the m columns.  The errors Delta^l
of all examples are computed together in the same way, and the sums over the
mini-batch that gradient descent needs come out of matrix products too:

    nabla_b^l = Delta^l 1, the row sums of Delta^l
    nabla_w^l = Delta^l (A^{l-1})^T

There is no Python loop over the examples of a mini-batch anywhere, and the
whole test set is classified with one forward pass.  With the same seeds this
network draws the same initial parameters and visits the same mini-batches in
the same order as network.py, so the two compute the same thing, up to
rounding, and differ only in how fast they compute it.
"""

import functools
import random
import time

import numpy as np


class Network(object):

    def __init__(self, sizes, dtype=np.float64):
        """``sizes`` lists the number of neurons in each layer, input first.
        The initial biases and weights are N(0, 1) draws taken from numpy's
        global generator in the same order as network.py takes them, so that
        the same seed gives both networks the same starting point.  ``dtype``
        is the floating-point type of all the arithmetic; float32 halves the
        memory traffic at the price of precision."""
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError("dtype must be float32 or float64, not {}".format(
                self.dtype))
        self.biases = [np.random.randn(n_out, 1).astype(self.dtype)
                       for n_out in sizes[1:]]
        self.weights = [np.random.randn(n_out, n_in).astype(self.dtype)
                        for n_in, n_out in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        """The output of the network for ``a``: one input column, or a
        matrix whose columns are inputs, giving one output column each."""
        a = np.asarray(a, dtype=self.dtype)
        for b, w in zip(self.biases, self.weights):
            a = _sigmoid_in_place(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta,
            test_data=None):
        """Train by mini-batch stochastic gradient descent, printing the same
        lines as network.py.

        ``training_data`` is anything network.py takes, the book's list of
        ``(x, y)`` column pairs, a tuple, a ``zip`` or a generator of them,
        or else a pair ``(X, Y)`` of matrices whose columns are the examples;
        ``test_data`` likewise holds ``(x, label)`` pairs or is a pair
        ``(X, labels)``.  Pairs are stacked into matrices once, before the
        first epoch; test data with no examples in it prints the epoch lines
        without an accuracy, as in network.py.  The epochs never copy the
        matrices: each shuffles a list of column indices with Python's
        ``random``, which yields the very permutation that
        ``random.shuffle(training_data)`` gives network.py, and each
        mini-batch gathers its own columns by index.  The elapsed time
        printed counts from the call, stacking included, as network.py's
        does."""
        start = time.perf_counter()
        X, Y = self._as_matrix_pair(training_data)
        if test_data is not None:
            test_data = self._as_matrix_pair(test_data)
            if test_data[0].shape[1] == 0:
                test_data = None
        n = X.shape[1]
        order = list(range(n))
        for j in range(epochs):
            random.shuffle(order)
            shuffled = np.array(order, dtype=np.intp)
            for k in range(0, n, mini_batch_size):
                batch = shuffled[k:k + mini_batch_size]
                self.update_mini_batch((X[:, batch], Y[:, batch]), eta)
            if test_data is not None:
                correct = self.evaluate(test_data)
                print("Epoch {}: {} / {}, elapsed time: {:.2f}s".format(
                    j, correct, test_data[0].shape[1],
                    time.perf_counter() - start), flush=True)
            else:
                print("Epoch {} complete, elapsed time: {:.2f}s".format(
                    j, time.perf_counter() - start), flush=True)

    def update_mini_batch(self, mini_batch, eta):
        """One gradient-descent step on the cost averaged over the
        mini-batch, given in any form that ``SGD`` takes.  The step changes
        the arrays in ``self.weights`` and ``self.biases`` in place, where
        network.py builds new ones: a reference kept to one of them sees it
        move.  Copy it (``[w.copy() for w in net.weights]``) to keep it."""
        X, Y = self._as_matrix_pair(mini_batch)
        step = eta / X.shape[1]
        nabla_b, nabla_w = self.backprop(X, Y)
        for p, nabla in zip(self.biases + self.weights, nabla_b + nabla_w):
            nabla *= step
            p -= nabla

    def backprop(self, X, Y):
        """The gradient of the cost summed over the examples that are the
        columns of ``X`` (inputs) and ``Y`` (desired outputs), as
        ``(nabla_b, nabla_w)`` shaped like ``self.biases`` and
        ``self.weights``.  These are BP1-BP4 with every vector widened into a
        matrix of m columns, one per example:

            BP1  Delta^L = (A^L - Y) * sigma'(Z^L)
            BP2  Delta^l = ((w^{l+1})^T Delta^{l+1}) * sigma'(Z^l)
            BP3  dC/db^l = Delta^l 1, the row sums of Delta^l
            BP4  dC/dw^l = Delta^l (A^{l-1})^T

        The product in BP4 adds up the m per-example outer products
        delta_x (a_x)^T while it multiplies.  sigma'(Z) is computed as
        A * (1 - A), from the activations the forward pass has already
        made, instead of applying sigma to Z again."""
        X = np.asarray(X, dtype=self.dtype)
        Y = np.asarray(Y, dtype=self.dtype)
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        activations = [X]
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activations[-1])
            z += b
            activations.append(_sigmoid_in_place(z))
        ones = np.ones((X.shape[1], 1), dtype=self.dtype)
        A = activations[-1]
        delta = self.cost_derivative(A, Y)
        delta *= sigmoid_prime_of_activation(A)
        nabla_b[-1] = np.dot(delta, ones)
        nabla_w[-1] = np.dot(delta, activations[-2].T)
        for l in range(2, self.num_layers):
            delta = np.dot(self.weights[-l + 1].T, delta)
            delta *= sigmoid_prime_of_activation(activations[-l])
            nabla_b[-l] = np.dot(delta, ones)
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        """How many test inputs the network classifies correctly, given
        ``(x, label)`` pairs in any form that ``SGD`` takes, or a pair
        ``(X, labels)``; all of them go through the network in one forward
        pass.  A label may also be a desired-output vector, as in the
        training data, and then stands for its largest entry, as with
        ``convert=True`` in the book's later network2.py."""
        X, Y = self._as_matrix_pair(test_data)
        if X.shape[1] == 0:
            return 0
        guesses = np.argmax(self.feedforward(X), axis=0)
        labels = np.argmax(Y, axis=0) if Y.ndim == 2 and len(Y) > 1 else np.ravel(Y)
        return int(np.sum(guesses == labels))

    def cost_derivative(self, output_activations, Y):
        """dC/dA for the quadratic cost, one column per example."""
        return output_activations - Y

    def _as_matrix_pair(self, data):
        """``data`` as a pair of matrices with one example per column.

        A pair of arrays, the first of them a matrix, is returned as it is,
        once the second is seen to have a column (or a label) for each of
        its columns.  Anything else is taken for an iterable of ``(x, y)``
        pairs and stacked, the x columns into one matrix and the y's into
        another: a matrix of columns again if the y's are vectors, or a row
        of labels if they are digits.  Both keep the type they came in
        (each mini-batch is made float as it is gathered), so the book's
        float32 images take half the memory they would as float64.
        Examples are stacked as rows and the result transposed, which
        leaves every example contiguous in memory; gathering a mini-batch
        of columns is then as quick as gathering rows."""
        if (isinstance(data, (tuple, list)) and len(data) == 2
                and all(isinstance(a, np.ndarray) for a in data)
                and data[0].ndim == 2):
            X, Y = data
            if Y.shape[-1:] != X.shape[1:]:
                raise ValueError(
                    "X has {} columns, one per example, but Y has {}".format(
                        X.shape[1], Y.shape[-1] if Y.ndim else "none"))
            return data
        examples = list(data)
        if not examples:
            return np.empty((self.sizes[0], 0), self.dtype), np.empty((0, 0))
        xs, ys = zip(*examples)
        n = len(examples)
        return (np.array(xs).reshape(n, -1).T,
                np.array(ys).reshape(n, -1).T)


def sigmoid(z):
    """The logistic function 1 / (1 + e^-z), elementwise, as a new value:
    for a number, a numpy scalar or an array of any float type, like
    network.py's (whole numbers are taken as float64)."""
    z = np.asarray(z)
    exact = not np.issubdtype(z.dtype, np.inexact)
    return _sigmoid_in_place(np.array(z, dtype=np.float64 if exact else None))[()]


def sigmoid_prime(z):
    """sigma'(z), as in network.py."""
    return sigmoid_prime_of_activation(sigmoid(z))


def sigmoid_prime_of_activation(a):
    """sigma'(z) = sigma(z) (1 - sigma(z)), given a = sigma(z), which the
    forward pass has computed already."""
    return a * (1.0 - a)


def _sigmoid_in_place(z):
    """sigma(z), written over the float array ``z``: the network's own
    sigmoid, which saves an allocation per layer on the hot path.

    z is first raised to at least -_exp_limit, so that e^-z cannot overflow
    (in float32 it would from z < -88 on, and numpy would warn); below that
    bound sigma(z) is smaller than the smallest normal float, so nothing of
    any size is lost."""
    np.maximum(z, -_exp_limit(z.dtype), out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    z += 1.0
    return np.reciprocal(z, out=z)


@functools.lru_cache(maxsize=None)
def _exp_limit(dtype):
    """The largest whole x for which e^x is still a finite ``dtype``."""
    return np.floor(np.log(np.finfo(dtype).max))
