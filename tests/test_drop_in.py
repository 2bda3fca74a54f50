"""network_matrix takes whatever network.py takes, every form of data the
book's code hands over and empty data, and gives back what it gives."""

import random

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
    return [(rng.random((SIZES[0], 1)), digit if labels else np.eye(SIZES[-1])[:, [digit]])
            for digit in rng.integers(0, SIZES[-1], n)]


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
    net.results = net.SGD(data, epochs, mini_batch_size, 3.0, test_data=test_data)
    return net


@pytest.mark.parametrize("form", FORMS)
def test_sgd_takes_every_form_and_learns_what_network_py_learns(form, capsys):
    """From one seed both networks draw the same start, shuffle alike and
    take the same steps: 210 mini-batches, a short one ending each epoch,
    end in the same parameters, to rounding."""
    data, test = pairs(205, 1), pairs(40, 5, labels=True)
    want = trained(network, list(data), list(test), epochs=10)
    got = trained(network_matrix, FORMS[form](data), FORMS[form](test), epochs=10)
    assert_same_parameters(want, got, 1e-9)
    # Equal because both learned, not because neither did.
    np.random.seed(7)
    start = network.Network(SIZES)
    assert np.max(np.abs(start.weights[0] - got.weights[0])) > 1e-3
    # Each SGD returned the counts and times it printed, one pair an epoch.
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 20
    for net, printed in ((want, lines[:10]), (got, lines[10:])):
        assert ["Epoch {}: {} / 40, elapsed time: {:.2f}s".format(j, correct, seconds)
                for j, (correct, seconds) in enumerate(net.results)] == printed
    assert [c for c, _ in want.results] == [c for c, _ in got.results]


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
    assert lines == ["Epoch {} complete, elapsed time: {:.2f}s".format(j, seconds)
                     for j, (correct, seconds) in enumerate(net.results)]
    assert [correct for correct, _ in net.results] == [None] * 3


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
