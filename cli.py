"""What the scripts share: their flags, their seed, and how they end.

Every script imports it first.  It stops an old Python, or one without
numpy, with one line before anything could fail in a traceback.  It limits
numpy's BLAS library (its matrix arithmetic) to one thread for every script
alike: at the book's mini-batch of 10 a second thread gains nothing, and
where it gains on an idle machine, waiting for it on a busy one costs
several times that.
"""

import os
import sys

if sys.version_info < (3, 9):
    sys.exit("{}: error: needs Python 3.9 or later, not {}".format(
        os.path.basename(sys.argv[0]), sys.version.split()[0]))

# BLAS reads these once, when numpy is first imported; a user's value is kept.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                  "OMP_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse
import errno
import math
import random
import signal

try:
    import numpy as np
except ModuleNotFoundError:  # most often: a new terminal, without the venv
    print("{0}: error: numpy is not installed for {1!r}; run .venv/bin/python {0} "
          "(Windows: .venv\\Scripts\\python {0}) to use the virtual environment, or "
          "install it: python -m pip install -r requirements.txt".format(
              os.path.basename(sys.argv[0]), sys.executable), file=sys.stderr)
    sys.exit(2)

import mnist_loader


def number(kind, wanted, fits):
    """Return an argparse type: text read by ``kind`` that ``fits``, as ``wanted`` says."""
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


def whole_numbers(text):
    return [int(n) for n in text.split(",")]


layer_sizes = number(whole_numbers, "a comma-separated list of layer sizes from 784 "
                     "(the pixels) to 10 (the digits)", lambda s: len(s) >= 2 and
                     s[0] == 784 and s[-1] == 10 and min(s) >= 1)


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
                      "repeat and both networks start alike (default: one drawn "
                      "and named on stderr)"),
    "data": dict(metavar="PATH",
                 help="an existing mnist.pkl.gz (default: $MNIST_PATH, else "
                      "data/mnist.pkl.gz; either is downloaded when missing)"),
    "dtype": dict(choices=("float64", "float32"), default="float64",
                  help="floating-point type of network_matrix.py's arithmetic "
                       "(default: %(default)s)"),
}
ENVIRONMENT = ("environment: MNIST_PATH names the data file when --data is not "
               "given; MNIST_MD5 lists md5s of copies you trust; MNIST_URL, URLs "
               "of the file itself to download (separated by spaces).")


def parser(description, *flags, **defaults):
    """Return a parser of the shared ``flags``, with this script's own ``defaults``."""
    p = argparse.ArgumentParser(description=description, epilog=ENVIRONMENT)
    for flag in flags:
        p.add_argument("--" + flag, **FLAGS[flag])
    p.set_defaults(**defaults)
    return p


def seed(value):
    """Seed the generators both networks draw from: numpy's and Python's.

    numpy's draws the starting weights and biases, Python's the shuffles.
    Without ``value`` a seed is drawn and named on stderr, so that any run,
    one that stalls say, can be repeated.
    """
    if value is None:
        value = random.randrange(2 ** 32)
        print("{0}: seed {1}; add --seed {1} to repeat this run".format(
            os.path.basename(sys.argv[0]), value), file=sys.stderr, flush=True)
    random.seed(value)
    np.random.seed(value)


def run(main):
    """Call ``main`` as a command does, ending it with at most one line.

    Ctrl-C ends it with "interrupted" and status 130; SIGTERM (kill,
    timeout) silently with 143; data that cannot be had with one line and 2;
    a reader gone away (``| head``) silently with 0.  Ctrl-C and SIGTERM
    arrive as exceptions, so that every ``finally`` on the way runs: a
    download under way removes its part file.  Anything else ends as Python
    ends any program.
    """
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        main()
        sys.stdout.flush()
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except mnist_loader.MNISTError as e:
        print("{}: error: {}".format(os.path.basename(sys.argv[0]), e),
              file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        # A closed pipe; Windows reports it as EINVAL.
        if not (isinstance(e, BrokenPipeError)
                or (sys.platform == "win32" and e.errno == errno.EINVAL)):
            raise
        # Python flushes stdout once more on the way out: to nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
