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
    (3, 1) one-hot column, or a digit when ``labels``."""
    rng = np.random.default_rng(seed)
    data = []
    for _ in range(n):
        digit = int(rng.integers(0, SIZES[-1]))
        y = np.zeros((SIZES[-1], 1))
        y[digit] = 1.0
        data.append((rng.random((SIZES[0], 1)), digit if labels else y))
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


def trained(module, data, test_data=None, seed=7, epochs=3):
    random.seed(seed)
    np.random.seed(seed)
    net = module.Network(SIZES)
    net.SGD(data, epochs, 10, 3.0, test_data=test_data)
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


@pytest.mark.parametrize("form", ["list", "tuple", "zip", "generator"])
def test_sgd_evaluates_test_data_in_every_form(form, capsys):
    data, test = pairs(30, 2), pairs(20, 3, labels=True)
    trained(network, data, test_data=list(test))
    want = capsys.readouterr().out
    trained(network_matrix, data, test_data=FORMS[form](test))
    got = capsys.readouterr().out
    counts = [line.split(",")[0] for line in want.splitlines()]
    assert counts == [line.split(",")[0] for line in got.splitlines()]
    assert counts[0].startswith("Epoch 0: ") and counts[0].endswith(" / 20")


@pytest.mark.parametrize("form", FORMS)
def test_update_mini_batch_takes_every_form(form):
    batch = pairs(10, 4)
    nets = []
    for module, data in ((network, batch), (network_matrix, FORMS[form](batch))):
        np.random.seed(9)
        net = module.Network(SIZES)
        net.update_mini_batch(data, 3.0)
        nets.append(net)
    want, got = nets
    assert_same_parameters(want, got, 1e-14)


@pytest.mark.parametrize("form", FORMS)
def test_evaluate_takes_every_form(form):
    test = pairs(40, 5, labels=True)
    np.random.seed(11)
    want = network.Network(SIZES).evaluate(test)
    np.random.seed(11)
    assert network_matrix.Network(SIZES).evaluate(FORMS[form](test)) == want
    assert 0 < want < 40


def test_evaluate_on_the_validation_layout_of_load_data_wrapper():
    """Chapter 3 evaluates on validation data: (x, digit) with numpy ints."""
    test = [(x, np.int64(d)) for x, d in pairs(25, 6, labels=True)]
    np.random.seed(12)
    want = network.Network(SIZES).evaluate(test)
    np.random.seed(12)
    assert network_matrix.Network(SIZES).evaluate(test) == want


@pytest.mark.parametrize("module", [network, network_matrix])
def test_empty_test_data_prints_epochs_without_accuracy(module, capsys):
    trained(module, pairs(20, 8), test_data=[])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for j, line in enumerate(lines):
        assert line.startswith("Epoch {} complete, elapsed time: ".format(j))


@pytest.mark.parametrize("module", [network, network_matrix])
def test_empty_training_data_gives_epochs_without_steps(module, capsys):
    np.random.seed(13)
    start = module.Network(SIZES)
    net = trained(module, [], seed=13)
    assert_same_parameters(start, net, 0)
    assert len(capsys.readouterr().out.splitlines()) == 3


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


@pytest.mark.parametrize("module", [network, network_matrix])
def test_evaluate_of_nothing_is_zero(module):
    assert module.Network(SIZES).evaluate([]) == 0


@pytest.mark.parametrize("z", [0.0, -2.5, 3, np.float32(1.5), np.float16(-0.25),
                               np.float64(700.0), np.longdouble(2.0)])
def test_sigmoid_of_numbers_matches_network_py(z):
    with np.errstate(all="ignore"):
        want_s, want_p = network.sigmoid(z), network.sigmoid_prime(z)
    got_s, got_p = network_matrix.sigmoid(z), network_matrix.sigmoid_prime(z)
    assert np.ndim(got_s) == 0 and np.ndim(got_p) == 0
    # The type of z, or float64 for whole numbers: what network.py gives
    # under numpy 2 (numpy 1 widened numpy scalars to float64).
    want_type = z.dtype if isinstance(z, np.floating) else np.float64
    assert np.asarray(got_s).dtype == want_type
    rel = 1e-3 if want_type == np.float16 else 1e-6
    assert got_s == pytest.approx(float(want_s), rel=rel)
    assert got_p == pytest.approx(float(want_p), rel=rel, abs=1e-12)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64,
                                   np.longdouble, np.int64])
def test_sigmoid_of_arrays_keeps_shape_type_and_input(dtype):
    z = np.array([[-3, 0, 2], [1, -1, 5]], dtype=dtype)
    before = z.copy()
    s, p = network_matrix.sigmoid(z), network_matrix.sigmoid_prime(z)
    assert np.array_equal(z, before)  # a new value, not z overwritten
    assert s.shape == p.shape == (2, 3)
    assert s.dtype == network.sigmoid(z).dtype
    # The tanh form is exact to a few units in the last place of 1.
    tolerance = 4 * np.finfo(s.dtype).eps
    assert np.allclose(s, network.sigmoid(z), rtol=0, atol=tolerance)
    assert np.allclose(p, network.sigmoid_prime(z), rtol=0, atol=tolerance)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sigmoid_never_overflows(dtype):
    z = np.array([-1e4, -200.0, 0.0, 1e4], dtype=dtype)
    # What numpy warns about by default; underflow to tiny values is not.
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        s = network_matrix.sigmoid(z)
        network_matrix.sigmoid_prime(z)
    assert 0 <= s[0] < np.finfo(dtype).tiny and s[2] == 0.5 and s[3] == 1.0


def test_update_mini_batch_steps_the_arrays_in_place():
    """Documented: a kept reference sees the step, where in network.py it
    would not; a copy keeps the old values."""
    np.random.seed(14)
    net = network_matrix.Network(SIZES)
    kept, copied = net.weights[0], net.weights[0].copy()
    net.update_mini_batch(pairs(10, 15), 3.0)
    assert kept is net.weights[0]
    assert not np.array_equal(kept, copied)
