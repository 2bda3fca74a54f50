"""cli.py: the command line that exec_normal.py, exec_matrix.py and
compare.py share, so that the same flag means the same thing in each.

With no flags a script runs the book's experiment: a [784, 30, 10] network,
30 epochs, mini-batches of 10, eta = 3.0.  A bad value is reported on stderr
with exit status 2, the argparse way, never as a traceback.
"""

import argparse
import math
import os
import random
import sys

import numpy as np

import mnist_loader


def parser(description, epochs=30):
    """An argument parser with the flags every script takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--epochs", type=positive_int, default=epochs,
                   help="passes over the 50,000 training images "
                        "(default: %(default)s)")
    p.add_argument("--mini-batch-size", type=positive_int, default=10,
                   help="training examples per gradient step "
                        "(default: %(default)s)")
    p.add_argument("--eta", type=positive_float, default=3.0,
                   help="learning rate, above 0 (default: %(default)s)")
    p.add_argument("--sizes", type=layer_sizes, default=[784, 30, 10],
                   help="neurons per layer, comma-separated, from the 784 "
                        "inputs to the 10 outputs (default: 784,30,10)")
    p.add_argument("--seed", type=seed_value, default=None,
                   help="seed for Python's and numpy's generators, so that "
                        "runs repeat and both networks start alike "
                        "(default: random)")
    p.add_argument("--data", metavar="PATH", default=None,
                   help="an existing mnist.pkl.gz (default: $MNIST_PATH, or "
                        "data/mnist.pkl.gz, downloaded when missing)")
    return p


def add_dtype(p):
    """The flag that only the matrix-based network takes."""
    p.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                   help="floating-point type of network_matrix.py's "
                        "arithmetic (default: %(default)s)")


def positive_int(text):
    return whole_number(text, 1, None)


def seed_value(text):
    return whole_number(text, 0, 2 ** 32 - 1)


def whole_number(text, low, high):
    """``text`` as an int from ``low`` to ``high`` (no limit if None)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "{!r} is not a whole number".format(text)) from None
    if value < low:
        raise argparse.ArgumentTypeError("{} is not at least {}".format(value, low))
    if high is not None and value > high:
        raise argparse.ArgumentTypeError("{} is more than {}".format(value, high))
    return value


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "{!r} is not a number".format(text)) from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(
            "{} is not a finite number above 0".format(text))
    return value


def layer_sizes(text):
    try:
        sizes = [int(n) for n in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            "{!r} is not a comma-separated list of whole numbers".format(
                text)) from None
    if len(sizes) < 2 or sizes[0] != 784 or sizes[-1] != 10:
        raise argparse.ArgumentTypeError(
            "{!r} must start with 784 (the pixels) and end with 10 (the "
            "digits)".format(text))
    if min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            "{!r} has a layer with fewer than 1 neuron".format(text))
    return sizes


def load(p, args, loader):
    """``loader(args.data)``, with a data problem turned into an error
    message and exit status 2."""
    try:
        return loader(args.data)
    except mnist_loader.MNISTError as e:
        p.exit(2, "{}: error: {}\n".format(p.prog, e))


def seed(value):
    """Seed both generators the networks draw from: numpy's for the initial
    parameters, Python's for the shuffles.  None leaves them random."""
    if value is not None:
        random.seed(value)
        np.random.seed(value)


def run(main):
    """Call ``main``; Ctrl-C, or a reader of the output that has gone away
    (``| head``), stops it without a traceback."""
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except BrokenPipeError:
        # Python flushes stdout once more on the way out; let that go nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
