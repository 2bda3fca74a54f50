"""The math of both networks, checked against independent references:
central finite differences of the quadratic cost, and each other."""

import numpy as np
import pytest

import network
import network_matrix
from conftest import SIZES


def quadratic_cost(net, X, Y):
    """C = sum over the columns of X of |y - a|^2 / 2."""
    A = net.feedforward(X)
    return 0.5 * np.sum((A - Y) ** 2)


def finite_difference_gradient(net, X, Y, h=1e-6):
    """dC/dp for every bias and weight p, by central differences."""
    grads = []
    for params in (net.biases, net.weights):
        layer_grads = []
        for p in params:
            g = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                saved = p[i]
                p[i] = saved + h
                up = quadratic_cost(net, X, Y)
                p[i] = saved - h
                down = quadratic_cost(net, X, Y)
                p[i] = saved
                g[i] = (up - down) / (2 * h)
            layer_grads.append(g)
        grads.append(layer_grads)
    return grads


def relative_error(got, want):
    got = np.concatenate([g.ravel() for g in got])
    want = np.concatenate([w.ravel() for w in want])
    return np.linalg.norm(got - want) / np.linalg.norm(want)


def example(rng, m):
    X = rng.random((SIZES[0], m))
    Y = np.zeros((SIZES[-1], m))
    Y[rng.integers(0, SIZES[-1], m), np.arange(m)] = 1.0
    return X, Y


@pytest.mark.parametrize("module, m", [(network, 1), (network_matrix, 1),
                                       (network_matrix, 7)])
def test_backprop_matches_finite_differences(module, m):
    """One example for either network, and a whole mini-batch at once for
    the matrix network, whose backprop sums the gradient over its columns."""
    np.random.seed(0)
    net = module.Network(SIZES)
    X, Y = example(np.random.default_rng(m), m)
    nabla_b, nabla_w = net.backprop(X, Y)
    fd_b, fd_w = finite_difference_gradient(net, X, Y)
    assert relative_error(nabla_b, fd_b) < 1e-6
    assert relative_error(nabla_w, fd_w) < 1e-6


def test_sigmoid_prime_gives_network_py_values():
    """The book's API: network_matrix's sigmoid_prime is network.py's."""
    z = np.linspace(-30.0, 30.0, 601).reshape(-1, 1)
    assert np.array_equal(network_matrix.sigmoid_prime(z), network.sigmoid_prime(z))

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


@pytest.mark.parametrize("dtype", [np.float16, np.int64])
def test_other_dtypes_are_refused_up_front(dtype):
    with pytest.raises(ValueError, match="float32 or float64"):
        network_matrix.Network(SIZES, dtype=dtype)
