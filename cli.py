"""cli.py: what the scripts share: their flags, each written once here, and
``run``, which ends a script that is stopped or fails with one line on
stderr.

Every script imports it first.  It stops an old Python with one line
before anything else could fail in a traceback, and it limits numpy's BLAS
library to one thread, for every script alike: at the book's mini-batch of
10 a second thread gains nothing, and where it does gain on an idle machine
(larger mini-batches, the test set), waiting for it on a busy one costs
several times that.
"""

import os
import sys

if sys.version_info < (3, 9):
    sys.exit("{}: error: needs Python 3.9 or later, not {}".format(
        os.path.basename(sys.argv[0]), sys.version.split()[0]))

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

import numpy as np

import mnist_loader
from mnist_loader import printable


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


FLAGS = {
    "epochs": dict(type=positive_int, default=30,
                   help="passes over the training images (default: %(default)s)"),
    "mini-batch-size": dict(type=positive_int, default=10,
                            help="training examples per gradient step "
                                 "(default: %(default)s)"),
    "eta": dict(type=positive_float, default=3.0,
                help="learning rate, above 0 (default: %(default)s)"),
    "sizes": dict(type=layer_sizes, default=[784, 30, 10],
                  help="neurons per layer, comma-separated, from the 784 "
                       "inputs to the 10 outputs (default: 784,30,10)"),
    "seed": dict(type=seed_value,
                 help="seed for Python's and numpy's generators, so that runs "
                      "repeat and both networks start alike (default: random)"),
    "data": dict(metavar="PATH",
                 help="an existing mnist.pkl.gz (default: $MNIST_PATH, else "
                      "data/mnist.pkl.gz; either is downloaded when missing)"),
    "dtype": dict(choices=("float64", "float32"), default="float64",
                  help="floating-point type of network_matrix.py's arithmetic "
                       "(default: %(default)s)"),
}
ENVIRONMENT = ("environment: MNIST_PATH names the data file when --data is not "
               "given; MNIST_MD5 lists the md5s of copies you trust, separated "
               "by spaces; MNIST_URL lists where to download from.")


def parser(description, *flags, **defaults):
    """An argument parser with the shared ``flags`` named, and
    ``defaults`` for those that differ in this script."""
    p = argparse.ArgumentParser(description=description, epilog=ENVIRONMENT)
    for flag in flags:
        p.add_argument("--" + flag, **FLAGS[flag])
    p.set_defaults(**defaults)
    return p


def seed(value):
    """Seed both generators the networks draw from: numpy's for the initial
    parameters, Python's for the shuffles.  None leaves them random."""
    if value is not None:
        random.seed(value)
        np.random.seed(value)


STOP_SIGNALS = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                if hasattr(signal, name)]  # Windows has no SIGHUP


def run(main):
    """Call ``main`` as a command does: whatever stops it (Ctrl-C, SIGTERM
    or SIGHUP, a reader of the output gone away as with ``| head``, bad
    data, a full disk, too little memory) ends it with at most one line on
    stderr and a non-zero status.  The signals raise an exception, so that
    a download under way removes its temporary file, and the first one
    makes the script ignore the rest, so that nothing interrupts the
    clean-up.  One ignored when the script started (SIGINT in a background
    job, SIGHUP under nohup) stays ignored."""
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
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
    except (KeyboardInterrupt, Stopped) as e:
        _ignore_stops()
        _stop_writing_stdout()
        signum = getattr(e, "signum", signal.SIGINT)
        print("interrupted" if signum == signal.SIGINT else
              "stopped by " + signal.Signals(signum).name, file=sys.stderr)
        sys.exit(128 + signum)
    except mnist_loader.MNISTError as e:
        print("{}: error: {}".format(prog, e), file=sys.stderr)
        sys.exit(2)
    except MemoryError:
        _stop_writing_stdout()
        print("{}: error: out of memory; try a smaller network (--sizes) or "
              "mini-batch (--mini-batch-size)".format(prog), file=sys.stderr)
        sys.exit(1)
    except OSError as e:
        _stop_writing_stdout()
        if not output_gone(e):
            print("{}: error: {}".format(prog, printable(e)), file=sys.stderr)
        sys.exit(1)


class Stopped(BaseException):
    """A signal that asks the program to stop, raised where it arrives.
    Like KeyboardInterrupt it is no Exception, so that no ``except
    Exception`` on the way takes it for an error of its own."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


_stopping = []  # the stop being handled, once there is one


def _stop(signum, frame):
    """The first stop raises Stopped; one that comes while it is being
    handled is let go."""
    if not _stopping:
        _stopping.append(signum)
        raise Stopped(signum)


def _ignore_stops():
    """Let no more stops in, even while Python shuts down: blocked first,
    where the system can, so that none is caught half way between its
    handler and being ignored, which Python reports."""
    if hasattr(signal, "pthread_sigmask"):  # not on Windows
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


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
