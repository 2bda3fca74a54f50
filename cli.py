"""cli.py: the command line that exec_normal.py, exec_matrix.py and
compare.py share, so that a flag means the same in each, and ``run``, which
ends a script that is stopped or fails with one line on stderr.

Imported first, it limits numpy's BLAS library to one thread, for every
script alike: at the book's mini-batch of 10 a second thread gains nothing,
and where it does gain on an idle machine (larger mini-batches, the test
set), waiting for it on a busy one costs several times that.
"""

import os

# BLAS reads these once, when numpy is first imported; a value the user
# set is kept.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                  "OMP_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse
import errno
import io
import math
import random
import signal
import sys

import numpy as np

import mnist_loader


def parser(description, epochs=30):
    """An argument parser with the flags every script takes."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--epochs", type=positive_int, default=epochs,
                   help="passes over the 50,000 training images "
                        "(default: {})".format(epochs))
    p.add_argument("--mini-batch-size", type=positive_int, default=10,
                   help="training examples per gradient step (default: 10)")
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
                        "arithmetic (default: float64)")


def number(kind, wanted, fits):
    """An argparse type that reads a ``kind`` (int or float) and accepts it
    if ``fits(value)``; ``wanted`` says what fits, for the error."""
    def convert(text):
        try:
            value = kind(text)
            if fits(value):
                return value
        except ValueError:
            pass
        raise argparse.ArgumentTypeError("{!r} is not {}".format(text, wanted))
    return convert


positive_int = number(int, "a whole number of at least 1", lambda n: n >= 1)
seed_value = number(int, "a whole number from 0 to 2**32 - 1", lambda n: 0 <= n < 2 ** 32)
positive_float = number(float, "a finite number above 0", lambda x: 0 < x < math.inf)


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
    message that says how to point at a file, and exit status 2."""
    try:
        return loader(args.data)
    except mnist_loader.MNISTError as e:
        p.exit(2, "{}: error: {}. To use a copy you have, give --data PATH or "
               "set MNIST_PATH\n".format(p.prog, e))


def seed(value):
    """Seed both generators the networks draw from: numpy's for the initial
    parameters, Python's for the shuffles.  None leaves them random."""
    if value is not None:
        random.seed(value)
        np.random.seed(value)


def run(main):
    """Call ``main`` as a command does: whatever stops it (Ctrl-C, SIGTERM
    or SIGHUP, a reader of the output gone away as with ``| head``, a full
    disk, too little memory) ends it with at most one line on stderr and a
    non-zero status.  The signals raise an exception, so that a download
    under way removes its temporary file; one ignored when the script
    started (SIGHUP under nohup) stays ignored."""
    for name in STOP_SIGNALS:
        signum = getattr(signal, name, None)  # Windows has no SIGHUP
        if signum is not None and signal.getsignal(signum) == signal.SIG_DFL:
            signal.signal(signum, _stop)
    if isinstance(sys.stdout, io.TextIOWrapper):
        # A file name the console cannot encode is shown escaped, not fatal.
        sys.stdout.reconfigure(errors="backslashreplace")
    prog = os.path.basename(sys.argv[0])
    if sys.stdout is None:  # started with stdout closed (>&-)
        print("{}: error: standard output is closed, so nothing could be "
              "printed".format(prog), file=sys.stderr)
        sys.exit(2)
    try:
        main()
        sys.stdout.flush()
    except KeyboardInterrupt:
        _stop_writing_stdout()
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Stopped as e:
        _stop_writing_stdout()
        print("stopped by {}".format(e.name), file=sys.stderr)
        sys.exit(128 + e.signum)
    except MemoryError:
        _stop_writing_stdout()
        print("{}: error: out of memory; try a smaller network (--sizes) or "
              "mini-batch (--mini-batch-size)".format(prog), file=sys.stderr)
        sys.exit(1)
    except OSError as e:
        _stop_writing_stdout()
        if not output_gone(e):
            print("{}: error: {}".format(prog, e), file=sys.stderr)
        sys.exit(1)


STOP_SIGNALS = ("SIGTERM", "SIGHUP")


class Stopped(BaseException):
    """A signal that asks the program to stop, raised where it arrives.
    Like KeyboardInterrupt it is no Exception, so that no ``except
    Exception`` on the way takes it for an error of its own."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


def _stop(signum, frame):
    raise Stopped(signum)


def output_gone(error):
    """Whether ``error`` says that the reader of stdout has gone away: a
    broken pipe, which Windows reports as EINVAL.  The convention for that
    is to stop without a word."""
    return (isinstance(error, BrokenPipeError)
            or (sys.platform == "win32" and error.errno == errno.EINVAL))


def _stop_writing_stdout():
    """Point stdout at the null device: Python flushes it once more on
    the way out, and what it holds has nowhere to go."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a file: nothing will be flushed to one
