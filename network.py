"""The book's network, backpropagating one example at a time.

Sigmoid neurons, the quadratic cost and mini-batch stochastic gradient
descent, as in chapters 1 and 2 of Michael Nielsen's "Neural Networks and
Deep Learning".  The baseline of network_matrix.py: no speed tricks here.
"""

import random
import time

import numpy as np


class Network(object):

    def __init__(self, sizes):
        """Draw the starting biases and weights for layers of ``sizes`` neurons.

        [784, 30, 10] is 784 inputs, 30 hidden neurons and 10 outputs.  Each
        is a draw from N(0, 1) by numpy's global generator, so that seeding
        it fixes the start.  The inputs have no biases: they are the data.
        """
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(n_out, 1) for n_out in sizes[1:]]
        self.weights = [np.random.randn(n_out, n_in)
                        for n_in, n_out in zip(sizes[:-1], sizes[1:])]

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
        training_data = list(training_data)
        if test_data is not None:
            test_data = list(test_data)
        n = len(training_data)
        results = []
        for j in range(epochs):
            random.shuffle(training_data)
            mini_batches = [training_data[k:k + mini_batch_size]
                            for k in range(0, n, mini_batch_size)]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta)
            correct = self.evaluate(test_data) if test_data else None
            seconds = time.perf_counter() - start
            if correct is not None:
                print("Epoch {}: {} / {}, elapsed time: {:.2f}s".format(
                    j, correct, len(test_data), seconds), flush=True)
            else:
                print("Epoch {} complete, elapsed time: {:.2f}s".format(
                    j, seconds), flush=True)
            results.append((correct, seconds))
        return results

    def update_mini_batch(self, mini_batch, eta):
        """Take one gradient-descent step at learning rate ``eta`` on ``mini_batch``."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        step = eta / len(mini_batch)
        self.weights = [w - step * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - step * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        """Return ``(nabla_b, nabla_w)``, the gradient of the cost of one example.

        Both are lists of arrays shaped like the biases and weights.
        The forward pass keeps every weighted input z and activation a,
        because the backward pass needs them:

            BP1  delta^L = (a^L - y) * sigma'(z^L)
            BP2  delta^l = ((w^{l+1})^T delta^{l+1}) * sigma'(z^l)
            BP3  dC/db^l = delta^l
            BP4  dC/dw^l = delta^l (a^{l-1})^T
        """
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        # Negative indices count back from the output layer: l = 2 is the last
        # hidden layer, which is how BP2 walks.
        for l in range(2, self.num_layers):
            z = zs[-l]
            delta = np.dot(self.weights[-l + 1].transpose(), delta) * sigmoid_prime(z)
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        """Return how many test examples the most active output neuron gets right."""
        return sum(int(np.argmax(self.feedforward(x)) == label)
                   for x, label in test_data)

    def cost_derivative(self, output_activations, y):
        """Return dC/da for the quadratic cost |y - a|^2 / 2, one column per example."""
        return output_activations - y


def sigmoid(z):
    """Return the logistic function 1 / (1 + e^-z), elementwise."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """Return sigma'(z) = sigma(z) (1 - sigma(z)), the sigmoid's slope."""
    return sigmoid(z) * (1 - sigmoid(z))
