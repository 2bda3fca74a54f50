"""What the scripts share: their flags, their seed, and how they end.

Every script imports it first: an old Python, or one without numpy, then
ends in one line, not a traceback; and numpy's BLAS (its matrix arithmetic)
keeps to one thread, which at mini-batch 10 gains nothing from a second one
and waits for a busy core's.
"""

import os
import sys


def say(text):
    """Print ``text`` on stderr after the script's name, as argparse does."""
    print("{}: {}".format(os.path.basename(sys.argv[0]), text), file=sys.stderr, flush=True)


def fail(text):
    """End the script with one line, as argparse ends it for a mistyped flag."""
    say("error: " + text)
    sys.exit(2)


if sys.version_info < (3, 9):
    fail("needs Python 3.9 or later, not {}".format(sys.version.split()[0]))

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
    fail("numpy is not installed for {0!r}; run .venv/bin/python {1} (Windows: "
         ".venv\\Scripts\\python {1}) to use the virtual environment, or install it: "
         "python -m pip install -r requirements.txt".format(
             sys.executable, os.path.basename(sys.argv[0])))


def flag_type(read, wanted, fits):
    """Return an argparse type: text ``read`` into a value that ``fits``, as ``wanted`` says."""
    def convert(text):
        try:
            value = read(text)
            if fits(value):
                return value
        except ValueError:
            pass
        raise argparse.ArgumentTypeError("{!r} is not {}".format(text, wanted))
    return convert


def whole_numbers(text):
    return [int(n) for n in text.split(",")]


positive_int = flag_type(int, "a whole number of at least 1", lambda n: n >= 1)
seed_value = flag_type(int, "a whole number from 0 to 2**32 - 1", lambda n: 0 <= n < 2 ** 32)
positive_float = flag_type(float, "a finite number above 0", lambda x: 0 < x < math.inf)
layer_sizes = flag_type(whole_numbers, "a comma-separated list of layer sizes from 784 "
                        "(the pixels) to 10 (the digits)", lambda s: len(s) >= 2 and
                        s[0] == 784 and s[-1] == 10 and min(s) >= 1)

FLAG_SETTINGS = {
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
ENVIRONMENT_HELP = ("environment: MNIST_PATH names the data file when --data is not "
                    "given; MNIST_MD5 lists md5s of copies you trust; MNIST_URL, URLs "
                    "of the file itself to download (separated by spaces).")


def parser(description, *flags, **defaults):
    """Return a parser of the shared ``flags``, with this script's own ``defaults``."""
    p = argparse.ArgumentParser(description=description, epilog=ENVIRONMENT_HELP)
    for flag in flags:
        p.add_argument("--" + flag, **FLAG_SETTINGS[flag])
    p.set_defaults(**defaults)
    return p


def seed(args):
    """Seed the generators both networks draw from: numpy's and Python's.

    numpy's draws the starting weights and biases, Python's the shuffles.
    Without --seed one is drawn into ``args`` and named on stderr, so that
    any run, one that stalls say, can be repeated.
    """
    if args.seed is None:
        args.seed = random.randrange(2 ** 32)
        say("seed {0}; add --seed {0} to repeat this run".format(args.seed))
    random.seed(args.seed)
    np.random.seed(args.seed)


def run(main, failure):
    """Call ``main`` as a command, ending it as a shell user expects.

    A ``failure``, whose message says what to mend, ends it in that one line.
    Ctrl-C and SIGTERM arrive as exceptions, so that every ``finally`` runs
    (a download removes its part file); they and a reader gone (``| head``)
    end without a traceback.  Anything else ends as Python ends any program.
    """
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        main()
        sys.stdout.flush()
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except failure as e:
        fail(str(e))
    except OSError as e:
        # A closed pipe; Windows reports it as EINVAL.
        if not (isinstance(e, BrokenPipeError)
                or (sys.platform == "win32" and e.errno == errno.EINVAL)):
            raise
        # Python flushes stdout once more on the way out: to nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
