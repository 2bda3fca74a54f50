"""network_matrix takes whatever network.py takes: every form of data the
book's code hands over, empty data, and the module's sigmoid functions."""

import random
import re
import time

import numpy as np
import pytest

import network
import network_matrix
from conftest import SIZES, assert_same_parameters


def pairs(n, seed, labels=False):
    """``n`` book-style examples: (x, y) with x a (6, 1) column and y a
    (3, 1) one-hot column, or, when ``labels``, a numpy digit, as in the
    validation and test data of load_data_wrapper."""
    rng = np.random.default_rng(seed)
    data = []
    for _ in range(n):
        digit = int(rng.integers(0, SIZES[-1]))
        y = np.zeros((SIZES[-1], 1))
        y[digit] = 1.0
        data.append((rng.random((SIZES[0], 1)), np.int64(digit) if labels else y))
    return data


def as_matrices(data):
    return (np.hstack([x for x, _ in data]), np.hstack([y for _, y in data]))


FORMS = {
    "list": list,
    "tuple": tuple,
    "zip": lambda data: zip([x for x, _ in data], [y for _, y in data]),
    "generator": lambda data: (example for example in data),
    "matrices": as_matrices,
}


def trained(module, data, test_data=None, seed=7, epochs=3, mini_batch_size=10):
    random.seed(seed)
    np.random.seed(seed)
    net = module.Network(SIZES)
    net.SGD(data, epochs, mini_batch_size, 3.0, test_data=test_data)
    return net


@pytest.mark.parametrize("form", FORMS)
def test_sgd_takes_every_form_and_learns_what_network_py_learns(form, capsys):
    """From one seed both networks draw the same start, shuffle alike and
    take the same steps: 210 mini-batches, a short one ending each epoch,
    end in the same parameters, to rounding."""
    data = pairs(205, 1)
    want = trained(network, list(data), epochs=10)
    got = trained(network_matrix, FORMS[form](data), epochs=10)
    assert_same_parameters(want, got, 1e-9)
    # Equal because both learned, not because neither did.
    np.random.seed(7)
    start = network.Network(SIZES)
    assert np.max(np.abs(start.weights[0] - got.weights[0])) > 1e-3
    assert len(capsys.readouterr().out.splitlines()) == 20


def test_at_mini_batch_1_both_networks_agree_to_the_last_bit():
    """Then the two make the same numpy calls on the same numbers, sigmoid
    included, so that nothing separates them however long they train."""
    data = pairs(50, 2)
    want = trained(network, data, epochs=4, mini_batch_size=1)
    got = trained(network_matrix, data, epochs=4, mini_batch_size=1)
    assert_same_parameters(want, got, 0)


@pytest.mark.parametrize("form", FORMS)
def test_update_mini_batch_and_evaluate_take_every_form(form):
    batch, test = pairs(10, 4), pairs(40, 5, labels=True)
    nets = []
    for module, data in ((network, batch), (network_matrix, FORMS[form](batch))):
        np.random.seed(9)
        nets.append(module.Network(SIZES))
        nets[-1].update_mini_batch(data, 3.0)
    assert_same_parameters(*nets, 1e-14)
    want = nets[0].evaluate(test)
    assert nets[1].evaluate(FORMS[form](test)) == want and 0 < want < 40


@pytest.mark.parametrize("module", [network, network_matrix])
def test_empty_data_gives_epochs_without_steps_or_accuracy(module, capsys):
    np.random.seed(13)
    start = module.Network(SIZES)
    net = trained(module, [], test_data=[], seed=13)
    assert_same_parameters(start, net, 0)
    assert net.evaluate([]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for j, line in enumerate(lines):
        assert line.startswith("Epoch {} complete, elapsed time: ".format(j))


@pytest.mark.parametrize("module", [network, network_matrix])
def test_the_printed_time_counts_from_the_call(module, capsys):
    """Whatever SGD does before its first epoch (reading the data, and
    stacking the book's lists in network_matrix) is in the time it
    prints."""
    def slow(data):
        time.sleep(0.3)
        yield from data
    trained(module, slow(pairs(20, 16)))
    first = capsys.readouterr().out.splitlines()[0]
    assert float(re.search(r"elapsed time: (\d+\.\d\d)s$", first).group(1)) >= 0.3


@pytest.mark.parametrize("columns", [9, 11])
def test_a_pair_whose_y_has_other_columns_is_refused_before_training(columns):
    np.random.seed(18)
    net = network_matrix.Network(SIZES)
    start = [w.copy() for w in net.weights]
    X = np.zeros((SIZES[0], 10))
    message = "X has 10 columns, one per example, but Y has {}".format(columns)
    with pytest.raises(ValueError, match=message):
        net.SGD((X, np.zeros((SIZES[-1], columns))), 1, 5, 3.0)
    with pytest.raises(ValueError, match=message):
        net.evaluate((X, np.zeros(columns, dtype=int)))
    assert all(np.array_equal(w, s) for w, s in zip(net.weights, start))


def test_evaluate_takes_desired_output_vectors_as_labels():
    """As the training data has them: the label is the vector's largest
    entry.  A single example counts 0 or 1, never one per entry."""
    data = pairs(40, 17)
    digits = [(x, int(np.argmax(y))) for x, y in data]
    np.random.seed(19)
    net = network_matrix.Network(SIZES)
    want = net.evaluate(digits)
    assert 0 < want < 40
    assert net.evaluate(data) == want
    assert net.evaluate(as_matrices(data)) == want
    for example, digit in zip(data[:6], digits):
        assert net.evaluate([example]) == net.evaluate([digit]) in (0, 1)


@pytest.mark.parametrize("z", [0.0, -2.5, 3, np.float32(1.5), np.float16(-0.25),
                               np.longdouble(2.0), np.linspace(-30, 30, 601),
                               np.array([[-3, 0, 2], [1, -1, 5]])]
                         + [np.array([-3.0, 0.0, 2.0, 5.0], dtype=t)
                            for t in (np.float16, np.float32, np.longdouble)])
def test_sigmoid_and_its_derivative_are_network_py_s(z):
    """Numbers and arrays of any type: the same values to the last bit, of
    the same type, and z left as it was."""
    before = np.copy(z)
    for got, want in ((network_matrix.sigmoid(z), network.sigmoid(z)),
                      (network_matrix.sigmoid_prime(z), network.sigmoid_prime(z))):
        assert type(got) is type(want) and np.asarray(got).dtype == np.asarray(want).dtype
        assert np.array_equal(got, want)
    assert np.array_equal(z, before)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sigmoid_never_warns(dtype):
    """Where e^-z overflows (in float32 below z = -88) sigma(z) is 0."""
    big = np.finfo(dtype).max
    z = np.array([-big, -1e4, -200.0, 0.0, 200.0, big], dtype=dtype)
    # What numpy warns about by default; underflow to tiny values is not.
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        s = network_matrix.sigmoid(z)
        network_matrix.sigmoid_prime(z)
    assert s.dtype == dtype
    assert np.all(s[:2] == 0) and 0 <= float(s[2]) < 1e-80
    assert s[3] == 0.5 and np.all(s[4:] == 1)


def test_update_mini_batch_steps_the_arrays_in_place():
    """Documented: a kept reference sees the step, where in network.py it
    would not; a copy keeps the old values."""
    np.random.seed(14)
    net = network_matrix.Network(SIZES)
    kept, copied = net.weights[0], net.weights[0].copy()
    net.update_mini_batch(pairs(10, 15), 3.0)
    assert kept is net.weights[0]
    assert not np.array_equal(kept, copied)
