"""The two networks against finite differences, against each other, and on MNIST."""

import os
import random

import numpy as np
import pytest

import mnist_fetch
import mnist_loader
import network
import network_matrix
from conftest import ROOT, md5_of

SIZES = [6, 5, 4, 3]  # two hidden layers, so that BP2 runs more than once


def finite_difference_gradient(net, X, Y, h=1e-6):
    """Return dC/db and dC/dw of C = sum over columns of |y - a|^2 / 2, numerically."""
    def slope(p, i):
        saved, costs = p[i], []
        for value in (saved + h, saved - h):
            p[i] = value
            costs.append(0.5 * np.sum((net.feedforward(X) - Y) ** 2))
        p[i] = saved
        return (costs[0] - costs[1]) / (2 * h)
    return [[np.reshape([slope(p, i) for i in np.ndindex(p.shape)], p.shape) for p in params]
            for params in (net.biases, net.weights)]


@pytest.mark.parametrize("module, m", [(network, 1), (network_matrix, 1),
                                       (network_matrix, 7)])
def test_backprop_and_sigmoid_prime_match_finite_differences(module, m):
    """Backprop's gradient, summed over m columns at once, and sigmoid_prime's slope."""
    np.random.seed(0)
    net = module.Network(SIZES)
    rng = np.random.default_rng(m)
    X, Y = rng.random((SIZES[0], m)), np.eye(SIZES[-1])[:, rng.integers(0, SIZES[-1], m)]
    for got, want in zip(net.backprop(X, Y), finite_difference_gradient(net, X, Y)):
        got, want = (np.concatenate([a.ravel() for a in arrays]) for arrays in (got, want))
        assert np.linalg.norm(got - want) < 1e-6 * np.linalg.norm(want)
    z, h = np.linspace(-10.0, 10.0, 201), 1e-6
    slope = (module.sigmoid(z + h) - module.sigmoid(z - h)) / (2 * h)
    assert np.max(np.abs(module.sigmoid_prime(z) - slope)) < 1e-9


def test_float32_network_stays_float32_and_never_warns():
    """Its backprop and evaluate silence the overflow of e^-z below -88."""
    np.random.seed(12)
    net = network_matrix.Network(SIZES, dtype=np.float32)
    X = np.full((SIZES[0], 4), 1.0, dtype=np.float32)
    net.weights[0][:] = -200.0  # weighted inputs far below -88
    # What numpy warns about by default; underflow to tiny values is not.
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        nabla_b, nabla_w = net.backprop(X, np.zeros((SIZES[-1], 4), dtype=np.float32))
        assert net.evaluate((X, np.zeros(4, dtype=int))) in range(5)
    assert all(g.dtype == np.float32 and np.all(np.isfinite(g)) for g in nabla_b + nabla_w)


def pairs(n, seed, labels=False):
    """Return ``n`` examples (x, y) as the book's loader gives them, y a digit if asked."""
    rng = np.random.default_rng(seed)
    return [(rng.random((SIZES[0], 1)), digit if labels else np.eye(SIZES[-1])[:, [digit]])
            for digit in rng.integers(0, SIZES[-1], n)]


FORMS = {
    "list": list,
    "tuple": tuple,
    "zip": lambda data: zip([x for x, _ in data], [y for _, y in data]),
    "generator": lambda data: (example for example in data),
    "matrices": lambda data: tuple(np.hstack(column) for column in zip(*data)),
}


def trained(module, data, test_data=None, seed=7, epochs=3, mini_batch_size=10):
    random.seed(seed)
    np.random.seed(seed)
    net = module.Network(SIZES)
    net.results = net.SGD(data, epochs, mini_batch_size, 3.0, test_data=test_data)
    return net


def assert_same_parameters(a, b, tolerance):
    for p, q in zip(a.biases + a.weights, b.biases + b.weights):
        assert np.max(np.abs(p - q)) <= tolerance


@pytest.mark.parametrize("form", FORMS)
def test_every_form_trains_steps_and_evaluates_as_network_py_does(form, capsys):
    """From one seed both start, shuffle and step alike, and SGD returns what it printed.

    210 mini-batches, a short one ending each epoch, end in the same
    parameters, to rounding.
    """
    data, test = pairs(205, 1), pairs(40, 5, labels=True)
    want = trained(network, list(data), list(test), epochs=10)
    got = trained(network_matrix, FORMS[form](data), FORMS[form](test), epochs=10)
    assert_same_parameters(want, got, 1e-9)
    np.random.seed(7)  # equal because both learned, not because neither did
    assert np.max(np.abs(network.Network(SIZES).weights[0] - got.weights[0])) > 1e-3
    lines = capsys.readouterr().out.splitlines()
    for net, printed in ((want, lines[:10]), (got, lines[10:])):
        assert ["Epoch {}: {} / 40, elapsed time: {:.2f}s".format(j, correct, seconds)
                for j, (correct, seconds) in enumerate(net.results)] == printed
    assert [c for c, _ in want.results] == [c for c, _ in got.results]
    batch = pairs(10, 4)
    want.update_mini_batch(batch, 3.0)
    got.update_mini_batch(FORMS[form](batch), 3.0)
    assert_same_parameters(want, got, 1e-9)
    correct = want.evaluate(test)
    assert got.evaluate(FORMS[form](test)) == correct and 0 < correct < 40


def test_at_mini_batch_1_both_networks_agree_to_the_last_bit():
    """Each sum has one term then, so both compute the same numbers in the same order."""
    data = pairs(50, 2)
    want = trained(network, data, epochs=4, mini_batch_size=1)
    got = trained(network_matrix, data, epochs=4, mini_batch_size=1)
    assert_same_parameters(want, got, 0)


@pytest.mark.parametrize("module", [network, network_matrix])
def test_empty_data_gives_epochs_without_steps_or_accuracy(module, capsys):
    np.random.seed(13)
    start = module.Network(SIZES)
    net = trained(module, [], test_data=[], seed=13)
    assert_same_parameters(start, net, 0)
    assert net.evaluate([]) == 0 and [c for c, _ in net.results] == [None] * 3
    assert capsys.readouterr().out.splitlines() == [
        "Epoch {} complete, elapsed time: {:.2f}s".format(j, seconds)
        for j, (_, seconds) in enumerate(net.results)]


def trusted_copy():
    """Return the first of $MNIST_PATH, data/ and ../shared's copy whose md5 is trusted."""
    shared = os.path.join(ROOT, "..", "shared", "mnist", "mnist.pkl.gz")
    for path in (os.environ.get("MNIST_PATH"), mnist_fetch.DEFAULT_PATH, shared):
        if path and os.path.isfile(path) and md5_of(path) in mnist_fetch.known_md5s():
            return path


REAL_MNIST = trusted_copy()


@pytest.mark.skipif(REAL_MNIST is None, reason="no copy of MNIST whose md5 is "
                    "known (the classic file's, or one in MNIST_MD5) here")
def test_three_epochs_of_the_real_mnist_reach_90_percent(capsys):
    (train_x, train_y), _, (test_x, test_y) = mnist_loader.load_data(REAL_MNIST)
    assert train_x.shape == (50000, 784) and test_x.shape == (10000, 784)
    random.seed(2)
    np.random.seed(2)
    net = network_matrix.Network([784, 30, 10])
    results = net.SGD((train_x.T, mnist_loader.vectorized_result(train_y)), 3, 10, 3.0,
                      test_data=(test_x.T, test_y))
    assert len(results) == 3 and results[-1][0] >= 9000
    assert net.evaluate((test_x.T, test_y)) == results[-1][0]
