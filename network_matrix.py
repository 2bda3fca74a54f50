"""network_matrix.py: network.py with fully matrix-based backpropagation.

The network, cost and training of network.py, with the exercise of chapter 2
of Michael Nielsen's "Neural Networks and Deep Learning" carried out: the m
examples of a mini-batch are the columns of a matrix X, and backpropagation
handles all of them at once.  Each vector of BP1-BP4 widens into a matrix of
m columns, each loop over the examples becomes one matrix product, and the
sum of the per-example gradients comes out of that product too.  From the
same seeds both networks start alike and visit the same mini-batches in the
same order, so they compute the same thing up to rounding; only the speed
differs.
"""

import random
import time

import numpy as np


class Network(object):

    def __init__(self, sizes, dtype=np.float64):
        """As in network.py: the same ``sizes``, and the same N(0, 1)
        draws in the same order, so that one seed gives both networks one
        start.  ``dtype`` is the type of all the arithmetic, float64 or
        float32; float32 halves the bytes each product moves."""
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
        """The output for ``a``, one input column or a matrix of them: the
        bias column is added to every column of w a."""
        with np.errstate(over="ignore"):  # see sigmoid
            for b, w in zip(self.biases, self.weights):
                a = sigmoid(np.dot(w, a) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta,
            test_data=None):
        """As in network.py, printing the same lines and returning the
        same ``(correct, seconds)`` pairs.  The data is stacked once and Y
        converted once; a matrix X is converted a mini-batch at a time,
        never copied whole.  Each epoch shuffles example numbers with
        network.py's ``random.shuffle`` call, and so visits its mini-batches."""
        start = time.perf_counter()
        X, Y = self._as_matrices(training_data)
        # One example per row, where a gather copies whole rows.
        X, Y = X.T, Y.T.astype(self.dtype, order="C")
        if test_data is not None:
            test_data = self._as_matrices(test_data)
        n = len(X)
        order = list(range(n))
        results = []
        for j in range(epochs):
            random.shuffle(order)
            shuffled = np.array(order, dtype=np.intp)
            for k in range(0, n, mini_batch_size):
                batch = shuffled[k:k + mini_batch_size]
                self.step(X[batch].T, Y[batch].T, eta)
            correct = (self.evaluate(test_data) if test_data is not None
                       and test_data[0].shape[1] else None)
            seconds = time.perf_counter() - start
            if correct is not None:
                print("Epoch {}: {} / {}, elapsed time: {:.2f}s".format(
                    j, correct, test_data[0].shape[1], seconds), flush=True)
            else:
                print("Epoch {} complete, elapsed time: {:.2f}s".format(
                    j, seconds), flush=True)
            results.append((correct, seconds))
        return results

    def update_mini_batch(self, mini_batch, eta):
        """As in network.py, for a mini-batch in any form it takes."""
        self.step(*self._as_matrices(mini_batch), eta)

    def step(self, X, Y, eta):
        """One gradient-descent step on the cost averaged over the examples
        that are the columns of ``X`` and ``Y``, whose gradient ``backprop``
        sums in one go.  The parameters change in place (copy them to start
        another network alike), by network.py's arithmetic: nabla scaled by
        eta/m, then subtracted."""
        nabla_b, nabla_w = self.backprop(X.astype(self.dtype, copy=False),
                                         Y.astype(self.dtype, copy=False))
        step = eta / X.shape[1]
        for p, nabla in zip(self.weights + self.biases, nabla_w + nabla_b):
            nabla *= step
            p -= nabla

    def backprop(self, X, Y):
        """The gradient of the cost summed over the examples that are the
        columns of ``X`` and ``Y``, as ``(nabla_b, nabla_w)`` shaped like
        ``self.biases`` and ``self.weights``.  Column x of each Delta^l is
        the error delta^l of example x:

            BP1  Delta^L = (A^L - Y) * sigma'(Z^L)
            BP2  Delta^l = ((w^{l+1})^T Delta^{l+1}) * sigma'(Z^l)
            BP3  dC/db^l = Delta^l summed along its rows
            BP4  dC/dw^l = Delta^l (A^{l-1})^T

        BP4's product adds up the m outer products delta^l (a^{l-1})^T as
        it multiplies.  sigma'(Z) = sigma(Z) (1 - sigma(Z)) = A (1 - A),
        so the activations stand in for the zs that network.py keeps."""
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        activations = [X]
        with np.errstate(over="ignore"):  # see sigmoid
            for b, w in zip(self.biases, self.weights):
                activations.append(sigmoid(np.dot(w, activations[-1]) + b))
        A = activations[-1]
        delta = self.cost_derivative(A, Y) * (A * (1 - A))
        nabla_b[-1] = delta.sum(axis=1, keepdims=True)
        nabla_w[-1] = np.dot(delta, activations[-2].T)
        for l in range(2, self.num_layers):
            A = activations[-l]
            delta = np.dot(self.weights[-l + 1].T, delta) * (A * (1 - A))
            nabla_b[-l] = delta.sum(axis=1, keepdims=True)
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        """How many of the ``(x, label)`` examples the network gets right,
        all of them in one forward pass."""
        X, labels = self._as_matrices(test_data)
        guesses = np.argmax(self.feedforward(X), axis=0)
        return int(np.sum(guesses == labels.ravel()))

    def cost_derivative(self, output_activations, Y):
        """dC/dA for the quadratic cost, one column per example."""
        return output_activations - Y

    def _as_matrices(self, data):
        """``data`` in any form network.py takes, as ``(X, Y)``, one
        example per column: a pair of arrays, X a matrix, is one already;
        an iterable of ``(x, y)`` pairs is stacked, Y as columns or as a
        row of digits."""
        if (isinstance(data, (tuple, list)) and len(data) == 2
                and all(isinstance(a, np.ndarray) for a in data)
                and data[0].ndim == 2):
            X, Y = data
            if Y.shape[-1:] != X.shape[1:]:
                raise ValueError(
                    "X has {} columns, one per example, but Y has {}".format(
                        X.shape[1], Y.shape[-1] if Y.ndim else "none"))
            return X, Y
        examples = list(data)
        if not examples:
            return np.empty((self.sizes[0], 0)), np.empty((0, 0))
        xs, ys = zip(*examples)
        return (np.array(xs, dtype=self.dtype).reshape(len(xs), -1).T,
                np.array(ys).reshape(len(ys), -1).T)


def sigmoid(z):
    """1 / (1 + e^-z), elementwise, computed as in network.py, so that the
    two networks agree to the last bit wherever their products do.  For
    very negative z (below -88 in float32) e^-z overflows to infinity and
    1 / (1 + inf) = 0 is right, so this network's passes silence numpy's
    warning about it; network.py, the book's code, warns."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)), as in network.py."""
    return sigmoid(z) * (1 - sigmoid(z))
