"""mnist_loader.py: the MNIST data of the book's mnist.pkl.gz.

That file is ``gzip(pickle((training_data, validation_data, test_data)))``,
each part a pair ``(x, y)`` of numpy arrays: x holds one image per row (784
pixels in [0, 1]) and y the digit each shows.  ``load_data`` returns those
arrays; ``load_data_wrapper`` makes them the lists of column vectors that the
book's network.py trains on.

The file read is ``path`` when one is given, else ``$MNIST_PATH``, else
``data/mnist.pkl.gz`` beside this module, which is downloaded when missing.

Unpickling a file can run any code it holds, so a file is unpickled only if
its md5 is known: the classic file's, or one in ``$MNIST_MD5`` (several may
be given, separated by spaces), by which a user vouches for a copy of their
own.  The same md5s decide whether a download is kept.  Every failure
raises ``MNISTError`` with a one-line message.
"""

import gzip
import hashlib
import http.client
import io
import os
import pickle
import ssl
import sys
import urllib.request

import numpy as np

DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "data", "mnist.pkl.gz")
URLS = (
    "https://github.com/mnielsen/neural-networks-and-deep-learning"
    "/raw/master/data/mnist.pkl.gz",
    "https://figshare.com/ndownloader/files/25635053",
)
MD5 = "a02cd19f81d51c426d7ca14024243ce9"  # the classic file's
# The classic file is 17 MB; no file or download of more than this is read.
MAX_BYTES = 64 << 20
PARTS = ("training", "validation", "test")


class MNISTError(Exception):
    """The data set could not be found, downloaded, read or trusted."""


def known_md5s():
    return {MD5} | set(os.environ.get("MNIST_MD5", "").lower().split())


def load_data(path=None):
    """Return ``(training_data, validation_data, test_data)``, each a pair
    ``(x, y)`` of an (n, 784) float array and an (n,) array of digits: in
    the classic file, 50,000, 10,000 and 10,000 images."""
    path = resolve_path(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise MNISTError("{}: cannot read it ({})".format(path, e.strerror or e)) from None
    if len(raw) > MAX_BYTES:
        raise MNISTError("{}: more than the {} bytes any mnist.pkl.gz "
                         "takes".format(path, MAX_BYTES))
    md5 = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    if md5 not in known_md5s():
        raise MNISTError(
            "{}: unknown file (md5 {}), not opened: unpickling a file can run "
            "code in it. To trust this copy, set MNIST_MD5={}".format(path, md5, md5))
    try:
        data = pickle.loads(gzip.decompress(raw), encoding="latin1")
    except Exception as e:  # a vouched file that is no gzip or no pickle
        raise MNISTError("{}: not a readable mnist.pkl.gz ({}: {})".format(
            path, type(e).__name__, e)) from None
    _check(data, path)
    return data


def _check(data, path):
    """Name a vouched copy of something else for what it is, here rather
    than in a traceback deep inside training."""
    def refuse(problem):
        raise MNISTError("{}: not MNIST: {}".format(path, problem))
    if not (isinstance(data, tuple) and len(data) == 3 and all(
            isinstance(part, tuple) and len(part) == 2
            and all(isinstance(a, np.ndarray) for a in part) for part in data)):
        refuse("expected three (images, digits) pairs of arrays")
    for name, (x, y) in zip(PARTS, data):
        if not (x.ndim == 2 and x.shape[1] == 784 and x.dtype.kind == "f"
                and (x.size == 0 or 0 <= x.min() <= x.max() <= 1)):
            refuse("the {} images are not rows of 784 pixels in [0, 1] "
                   "(found {} {})".format(name, x.dtype, x.shape))
        if not (y.shape == (len(x),) and y.dtype.kind in "iu"
                and (y.size == 0 or 0 <= y.min() <= y.max() <= 9)):
            refuse("the {} labels are not one digit from 0 to 9 per image "
                   "(found {} {})".format(name, y.dtype, y.shape))


def load_data_wrapper(path=None):
    """The data as network.py wants it: three lists of pairs ``(x, y)``,
    x a (784, 1) column of pixels and y, in the training data, the (10, 1)
    output the network should give, elsewhere the digit itself."""
    training, validation, test = load_data(path)
    training_data = [(x.reshape(784, 1), vectorized_result(y))
                     for x, y in zip(*training)]
    validation_data = [(x.reshape(784, 1), y) for x, y in zip(*validation)]
    test_data = [(x.reshape(784, 1), y) for x, y in zip(*test)]
    return training_data, validation_data, test_data


def vectorized_result(j):
    """The desired output for digit ``j``: a (10, 1) column with 1.0 in
    row j.  Given an array of n digits, the (10, n) matrix of their
    columns."""
    j = np.asarray(j)
    e = np.zeros((10, j.size))
    e[j.ravel(), np.arange(j.size)] = 1.0
    return e


def resolve_path(path=None):
    """``path``, which must exist, or else the environment's or the
    default file, downloaded first if missing; ``~`` is the home folder."""
    if path is not None:
        path = os.path.expanduser(os.fspath(path))
        if not os.path.lexists(path):
            raise MNISTError("{}: no such file".format(path))
    else:
        path = os.path.expanduser(os.environ.get("MNIST_PATH") or DEFAULT_PATH)
        if not os.path.lexists(path):
            download(path)
    if not os.path.isfile(path):
        raise MNISTError("{}: not a regular file".format(path))
    return path


def download(dest):
    """Download mnist.pkl.gz to ``dest``, from each URL in ``$MNIST_URL``
    (separated by spaces) or else ``URLS`` until one serves a file of a
    known md5.  The bytes go to a file of this process's own beside
    ``dest``, which takes the name ``dest`` only when whole and verified,
    and is removed whatever stops the download."""
    if not os.path.basename(dest):
        raise MNISTError("{}: names a folder, not a file".format(dest))
    urls = os.environ.get("MNIST_URL", "").split() or URLS
    part = "{}.{}.part".format(dest, os.getpid())
    try:
        os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
        out = open(part, "wb")
    except OSError as e:
        raise MNISTError("cannot write {} ({})".format(part, e.strerror or e)) from None
    try:
        with out:
            failures = []
            for url in urls:
                try:
                    out.seek(0)
                    out.truncate()
                    _fetch(url, out)
                    break
                except (OSError, ValueError, http.client.HTTPException,
                        MNISTError) as e:
                    failures.append("{} ({})".format(url, _reason(e)))
            else:
                raise MNISTError(
                    "could not download MNIST to {}: tried {}. Download "
                    "mnist.pkl.gz by hand and put it there".format(
                        dest, "; ".join(failures)))
        os.replace(part, dest)
    finally:
        if os.path.exists(part):
            os.remove(part)


def _fetch(url, out):
    """Write what ``url`` serves to the file ``out``; MNISTError unless
    all of it arrives, within ``MAX_BYTES``, with a known md5.  Progress
    goes to stderr: one line rewritten on a terminal, else one line."""
    digest = hashlib.md5(usedforsecurity=False)
    received = 0
    log = sys.stderr or io.StringIO()  # pythonw and 2>&- give no stderr
    terminal = log.isatty()
    print("downloading {}".format(url), end="\n" if terminal else "",
          file=log, flush=True)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            for chunk in iter(lambda: response.read(1 << 16), b""):
                received += len(chunk)
                if received > MAX_BYTES:
                    raise MNISTError("it sends more than the {} bytes that "
                                     "MNIST takes".format(MAX_BYTES))
                out.write(chunk)
                digest.update(chunk)
                if terminal:
                    print("\r  {:.1f} of {} MB".format(
                        received / 1e6, "{:.1f}".format(total / 1e6) if total else "?"),
                        end="", file=log, flush=True)
    finally:
        print("" if terminal else ": {} bytes".format(received), file=log,
              flush=True)
    if total is not None and received < total:
        raise MNISTError("connection closed after {} of {} bytes".format(
            received, total))
    if digest.hexdigest() not in known_md5s():
        raise MNISTError("md5 {} is not a known one".format(digest.hexdigest()))


def _reason(error):
    """What went wrong with one URL, with a way out where there is one."""
    if isinstance(getattr(error, "reason", error), ssl.SSLCertVerificationError):
        return ("{}; on macOS, run 'Install Certificates.command' in your "
                "Python's folder in Applications".format(error))
    return str(error)
