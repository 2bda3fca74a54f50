"""mnist_loader.py: the MNIST data of the book's mnist.pkl.gz.

That file is ``gzip(pickle((training_data, validation_data, test_data)))``,
each part a pair ``(x, y)`` of numpy arrays: x holds one image per row (784
pixels in [0, 1]) and y the digit each shows.  ``load_data`` returns those
arrays; ``load_data_wrapper`` makes them the lists of column vectors that the
book's network.py trains on.

The file read is ``path`` when one is given, else ``$MNIST_PATH``, else
``data/mnist.pkl.gz`` beside this module; either of the last two is
downloaded when missing, from the mirrors in ``$MNIST_URL`` (separated by
spaces) or else from the book's repository.

Unpickling a file can run any code in it, so a file is unpickled only if its
md5 is known: the classic file's, or one listed in ``$MNIST_MD5`` (separated
by spaces), by which a user trusts a copy of their own.  A download is read
by the same rule before it takes its place.  What a user can mend (a wrong
path, an unknown or junk file, no network) raises ``MNISTError``, whose
message is one line.
"""

import gzip
import hashlib
import http.client
import os
import pickle
import ssl
import sys
import urllib.error
import urllib.parse
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


class MNISTError(Exception):
    """The data set could not be found, downloaded or trusted."""


def known_md5s():
    return {MD5} | set(os.environ.get("MNIST_MD5", "").lower().split())


def load_data(path=None):
    """Return ``(training_data, validation_data, test_data)``, each a pair
    ``(x, y)`` of an (n, 784) float array and an (n,) array of digits: in
    the classic file, 50,000, 10,000 and 10,000 images.  ``~`` in a path
    is the home folder."""
    named = path is not None
    path = os.path.expanduser(os.fspath(path) if named else
                              os.environ.get("MNIST_PATH") or DEFAULT_PATH)
    if not named and not os.path.exists(path):
        download(path)
    raw = read_trusted(path, repr(path))
    return pickle.loads(gzip.decompress(raw), encoding="latin1")


def read_trusted(path, name):
    """The bytes of the file at ``path``, called ``name`` in messages, if
    its md5 is known.  What is empty or no gzip data at all (a web page
    saved by mistake) is not mnist.pkl.gz, and is not offered for
    trusting."""
    if os.path.isdir(path):
        raise MNISTError("{} is a folder, not mnist.pkl.gz".format(name))
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise MNISTError("{}: {}".format(name, e.strerror)) from None
    if len(raw) > MAX_BYTES:
        raise MNISTError("{}: more than the {} bytes that MNIST takes".format(
            name, MAX_BYTES))
    if raw[:2] != b"\x1f\x8b":  # how every gzip file begins
        raise MNISTError("{}: not mnist.pkl.gz: {}".format(
            name, "it is empty" if not raw else
            "it begins {!r}, and gzip data does not".format(raw[:16])))
    md5 = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    if md5 not in known_md5s():
        raise MNISTError(
            "{} has md5 {}, not the classic file's, and unpickling a file can "
            "run code in it, so it is not used. If you trust this copy, run "
            "{} and try again".format(name, md5, how_to_trust(md5)))
    return raw


def how_to_trust(md5):
    """The command that trusts ``md5`` in the shell a user has."""
    if sys.platform == "win32":
        return 'set MNIST_MD5={0} (cmd) or $env:MNIST_MD5 = "{0}" (PowerShell)'.format(md5)
    return "export MNIST_MD5={}".format(md5)


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


def download(dest):
    """Download mnist.pkl.gz to ``dest`` from the first mirror that serves
    all of a file.  The bytes go to a part file of this process's own beside
    ``dest``, which takes the name ``dest`` only once ``read_trusted``
    accepts it, and which is removed whenever the download ends otherwise,
    Ctrl-C and the scripts' SIGTERM included.  A mirror is shown by its
    host alone, so that no password or token in its URL is ever printed."""
    urls = os.environ.get("MNIST_URL", "").split() or URLS
    mirrors = [(url, urllib.parse.urlsplit(url)) for url in urls]
    if any(parts.scheme not in ("http", "https") or not parts.hostname
           for _, parts in mirrors):
        raise MNISTError("MNIST_URL: every mirror must be an http:// or "
                         "https:// URL")
    part = "{}.{}.part".format(dest, os.getpid())
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    try:
        with open(part, "wb") as out:
            failures = []
            for url, parts in mirrors:
                out.seek(0)
                out.truncate()
                try:
                    fetch(url, parts.hostname, out)
                    break
                except (OSError, http.client.HTTPException, MNISTError) as e:
                    failures.append("{!r} ({})".format(parts.hostname, why(e)))
            else:
                raise MNISTError(
                    "could not download MNIST to {!r}: {}. Point --data or "
                    "MNIST_PATH at a copy you have".format(dest, "; ".join(failures)))
        read_trusted(part, "the download from {!r}".format(parts.hostname))
        os.replace(part, dest)
    finally:
        if os.path.exists(part):
            os.remove(part)


def fetch(url, host, out):
    """Write all that ``url`` serves to the empty file ``out``, at most
    ``MAX_BYTES``.  Progress goes to stderr: the mirror once, and on a
    terminal the megabytes so far, on one line rewritten."""
    terminal = sys.stderr.isatty()
    print("downloading MNIST from {!r}".format(host), file=sys.stderr, flush=True)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            total = response.length  # None without a Content-Length
            of_total = "?" if total is None else "{:.1f}".format(total / 1e6)
            for chunk in iter(lambda: response.read(1 << 16), b""):
                if out.tell() + len(chunk) > MAX_BYTES:
                    raise MNISTError("it sends more than the {} bytes that "
                                     "MNIST takes".format(MAX_BYTES))
                out.write(chunk)
                if terminal:
                    print("\r  {:.1f} of {} MB".format(out.tell() / 1e6, of_total),
                          end="", file=sys.stderr, flush=True)
            if response.length:  # what http.client still expected
                raise MNISTError("the connection closed after {} of {} "
                                 "bytes".format(out.tell(), total))
    finally:
        if terminal and out.tell():  # the progress line ends, however this does
            print(file=sys.stderr)


def why(error):
    """Why a mirror failed, in words that hold nothing that a server or a
    URL said: an HTTP status code, the system's words for a failed
    connection, or the kind of error."""
    if isinstance(error, urllib.error.HTTPError):
        return "HTTP {}".format(error.code)
    if isinstance(error, MNISTError):
        return str(error)
    error = getattr(error, "reason", error)  # a URLError wraps the OSError
    text = getattr(error, "strerror", None) or type(error).__name__
    if isinstance(error, ssl.SSLCertVerificationError) and sys.platform == "darwin":
        text += ("; run 'Install Certificates.command' in your Python's folder "
                 "in Applications")
    return text
