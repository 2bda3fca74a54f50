"""mnist_loader.py: the MNIST data in the layout of the book's mnist.pkl.gz.

That file is ``gzip(pickle((training_data, validation_data, test_data)))``,
each part a pair ``(x, y)`` of numpy arrays: x holds one image per row (784
pixels, floats in [0, 1]) and y the digit each image shows.  ``load_data``
returns those arrays; ``load_data_wrapper`` reshapes them into the lists of
column vectors that the book's ``network.py`` trains on.

Where the file is looked for: an explicit ``path`` argument, else the
``MNIST_PATH`` environment variable, else ``data/mnist.pkl.gz`` beside this
module.  When nothing is at the environment or default path, the classic file
is downloaded there and its md5 checked first.  An explicit path that does not
exist is an error instead, since it is most likely a typo.

Unpickling can run arbitrary code, and the file comes from the network, so it
is read with an unpickler that builds numpy arrays and nothing else, and what
it builds is checked to be MNIST before anyone trains on it.  Every way this
can fail raises ``MNISTError``, whose message names the file and the problem.
"""

import codecs
import gzip
import hashlib
import http.client
import os
import pickle
import ssl
import sys
import tempfile
import urllib.request

import numpy as np

try:
    from numpy._core import multiarray as _multiarray, numeric as _numeric  # numpy 2
except ImportError:
    from numpy.core import multiarray as _multiarray, numeric as _numeric  # numpy 1

DEFAULT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "data", "mnist.pkl.gz")
URLS = (
    "https://github.com/mnielsen/neural-networks-and-deep-learning"
    "/raw/master/data/mnist.pkl.gz",
    "https://figshare.com/ndownloader/files/25635053",
)
MD5 = "a02cd19f81d51c426d7ca14024243ce9"
PARTS = ("training", "validation", "test")
# The classic file unpacks to 222 MB.  Reading stops at this many unpacked
# bytes, so that a small file cannot unpack into all of memory.
MAX_UNPACKED_BYTES = 1 << 30
# The classic file is 17 MB; a download that goes on past this is not MNIST.
MAX_DOWNLOAD_BYTES = 64 << 20

# Everything a pickle of numpy arrays refers to: numpy 1 and numpy 2 name the
# modules of the array constructors differently; protocols 2 to 4 rebuild an
# array with _reconstruct and protocol 5 with _frombuffer; and Python 3 reads
# a protocol-2 array's raw bytes back through _codecs.encode.
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _numeric._frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _numeric._frombuffer,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,
}


class MNISTError(Exception):
    """The data set could not be found, downloaded, read or trusted."""


def load_data(path=None):
    """Return ``(training_data, validation_data, test_data)``.

    Each is a pair ``(x, y)``: x a float array of shape (n, 784), one image
    per row, and y an integer array of shape (n,) with the digits.  The
    classic file has 50,000 training, 10,000 validation and 10,000 test
    images."""
    path = resolve_path(path)
    try:
        with gzip.open(path, "rb") as f:
            data = _NumpyUnpickler(_Capped(f, MAX_UNPACKED_BYTES),
                                   encoding="latin1").load()
    except _Refused as e:
        raise MNISTError("{}: refused: {}".format(path, e)) from None
    except Exception as e:
        # A damaged file can fail anywhere in gzip, zlib or pickle, with
        # almost any exception type; all of them mean the same thing here.
        raise MNISTError("{}: not a readable mnist.pkl.gz ({}: {})".format(
            path, type(e).__name__, e)) from None
    _check(data, path)
    return tuple(tuple(part) for part in data)


def load_data_wrapper(path=None):
    """The data as ``network.py`` wants it: ``(training_data,
    validation_data, test_data)``, each a list of pairs ``(x, y)`` with x a
    (784, 1) column of pixels.  In the training data y is the (10, 1) vector
    that the output layer should produce, ``vectorized_result(digit)``; in
    the validation and test data y is just the digit, since evaluating only
    compares it with the network's choice."""
    training, validation, test = load_data(path)
    training_data = [(x.reshape(784, 1), vectorized_result(y))
                     for x, y in zip(*training)]
    validation_data = [(x.reshape(784, 1), y) for x, y in zip(*validation)]
    test_data = [(x.reshape(784, 1), y) for x, y in zip(*test)]
    return training_data, validation_data, test_data


def vectorized_result(j):
    """The desired output for digit ``j``: a (10, 1) column with 1.0 in
    row j and 0.0 elsewhere.  Given an array of n digits, the (10, n) matrix
    whose columns are their vectors."""
    j = np.asarray(j)
    e = np.zeros((10, j.size))
    e[j.ravel(), np.arange(j.size)] = 1.0
    return e


def resolve_path(path=None):
    """The file to read, downloading it first when the environment or the
    default names a file that is not there yet.  A leading ``~`` stands
    for the user's home folder, as in a shell."""
    if path is not None:
        path = os.path.expanduser(os.fspath(path))
        if not os.path.lexists(path):
            raise MNISTError(
                "{}: no such file (an explicit path is never downloaded to; "
                "leave it out to use {}, or set MNIST_PATH)".format(
                    path, DEFAULT_PATH))
    else:
        path = os.path.expanduser(os.environ.get("MNIST_PATH") or DEFAULT_PATH)
        if not os.path.lexists(path):
            download(path)
    if not os.path.isfile(path):
        raise MNISTError("{}: not a regular file".format(path))
    return path


def download(dest, url=None, md5=None):
    """Download mnist.pkl.gz to ``dest`` and return ``dest``.

    ``url`` is tried alone when given; otherwise the URLs in the
    ``MNIST_URL`` environment variable (separated by white space), or else
    ``URLS``, one after the other; ``md5`` defaults to ``MD5``, the classic
    file's.  The bytes go to a temporary file beside ``dest`` and are
    renamed into place only once their md5 matches, so a failed or
    interrupted download leaves nothing behind: neither the temporary file
    nor the folders made for it.  An existing ``dest`` is never replaced,
    and no download may pass ``MAX_DOWNLOAD_BYTES``."""
    dest = os.path.expanduser(os.fspath(dest))
    if os.path.lexists(dest):
        raise MNISTError("{}: already exists; not downloading over it".format(dest))
    urls = [url] if url else os.environ.get("MNIST_URL", "").split() or URLS
    folder = os.path.dirname(os.path.abspath(dest))
    made = _missing_folders(folder)
    try:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as e:
            raise MNISTError("{}: cannot create this folder ({})".format(
                folder, e.strerror or e)) from None
        _download_into(dest, folder, urls, md5 or MD5)
    except BaseException:
        for f in made:
            try:
                os.rmdir(f)
            except FileNotFoundError:
                continue  # makedirs stopped before it got this deep
            except OSError:
                break  # something else has been put there since
        raise
    return dest


def _missing_folders(folder):
    """The folders above and including ``folder`` that do not exist yet,
    deepest first: the ones a download makes, and removes if it fails."""
    missing = []
    while not os.path.isdir(folder) and os.path.dirname(folder) != folder:
        missing.append(folder)
        folder = os.path.dirname(folder)
    return missing


def _download_into(dest, folder, urls, md5):
    try:
        fd, part = tempfile.mkstemp(prefix=".mnist-", suffix=".part", dir=folder)
    except OSError as e:
        raise MNISTError("{}: cannot write to this folder ({})".format(
            folder, e.strerror or e)) from None
    try:
        with os.fdopen(fd, "wb") as out:
            failures = []
            for u in urls:
                try:
                    out.seek(0)
                    out.truncate()
                    _fetch(u, out, md5)
                    break
                except (OSError, ValueError, http.client.HTTPException,
                        MNISTError) as e:
                    failures.append("{} ({})".format(u, _reason(e)))
            else:
                raise MNISTError(
                    "could not download MNIST to {}: tried {}. Download "
                    "mnist.pkl.gz by hand and put it there, or point "
                    "MNIST_PATH at a copy".format(dest, "; ".join(failures)))
        # mkstemp made the file readable by its owner alone; a download
        # gets the permissions of any other new file.
        os.chmod(part, 0o666 & ~_umask())
        os.replace(part, dest)
    except BaseException:
        os.unlink(part)
        raise


def _fetch(url, out, md5):
    """Write what ``url`` serves to the file ``out``, checking that all of
    it arrived, that it is not too large, and that its md5 is ``md5``."""
    digest = hashlib.md5(usedforsecurity=False)
    received = 0
    progress = _Progress(url)
    with urllib.request.urlopen(url, timeout=60) as response:
        total = _content_length(response)
        if total is not None and total > MAX_DOWNLOAD_BYTES:
            raise MNISTError("it announces {} bytes, more than the {} bytes that "
                             "MNIST can take".format(total, MAX_DOWNLOAD_BYTES))
        try:
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                received += len(chunk)
                if received > MAX_DOWNLOAD_BYTES:
                    raise MNISTError("it sends more than the {} bytes that "
                                     "MNIST can take".format(MAX_DOWNLOAD_BYTES))
                out.write(chunk)
                digest.update(chunk)
                progress.show(received, total)
        finally:
            progress.end(received)
    if total is not None and received < total:
        raise MNISTError("connection closed after {} of {} bytes".format(
            received, total))
    if digest.hexdigest() != md5:
        raise MNISTError("md5 {} is not the expected {}".format(
            digest.hexdigest(), md5))


def _content_length(response):
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, TypeError, ValueError):
        return None


def _reason(error):
    """What went wrong with one URL, with a way out where there is one."""
    reason = getattr(error, "reason", error)
    if isinstance(reason, ssl.SSLCertVerificationError):
        return ("{}; on macOS, run 'Install Certificates.command' from your "
                "Python's folder in Applications to install the certificates "
                "Python checks against".format(error))
    return str(error)


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _Progress(object):
    """How much of a download has arrived, on stderr.  On a terminal one
    short line is rewritten as the bytes arrive; anywhere else (a log file,
    a pipe) there is a line when the download starts and one when it
    ends, so nothing is drawn that only a terminal can show."""

    def __init__(self, url):
        self.terminal = sys.stderr.isatty()
        print("downloading {}".format(url), file=sys.stderr, flush=True)

    def show(self, received, total):
        if not self.terminal:
            return
        status = "  {:.1f} MB".format(received / 1e6)
        if total:
            status += " of {:.1f} MB ({:.0f}%)".format(
                total / 1e6, 100.0 * received / total)
        print("\r" + status, end="", file=sys.stderr, flush=True)

    def end(self, received):
        if self.terminal:
            print(file=sys.stderr)
        else:
            print("  {} bytes received".format(received), file=sys.stderr,
                  flush=True)


class _Refused(pickle.UnpicklingError):
    """What the unpickler stops on purpose, as opposed to a damaged file."""


class _NumpyUnpickler(pickle.Unpickler):
    """An unpickler that can build numpy arrays and nothing else: a pickle
    naming any other global (os.system, builtins.eval, ...) is stopped when
    the global is looked up, before anything is called."""

    def find_class(self, module, name):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise _Refused(
                "it refers to {}.{}, and only numpy arrays are allowed".format(
                    module, name)) from None


class _Capped(object):
    """Reads from ``f``, refusing any read that would take the total past
    ``limit`` bytes before it is made: a pickle that announces a huge
    string is stopped before the string is unpacked."""

    def __init__(self, f, limit):
        self.f = f
        self.limit = limit
        self.left = limit

    def read(self, n):
        return self._take(self.f.read(self._allow(n)))

    def readline(self):
        return self._take(self.f.readline(self.left + 1))

    def _allow(self, n):
        if n > self.left:
            raise _Refused(
                "it unpacks to more than {} bytes".format(self.limit))
        return n

    def _take(self, data):
        self._allow(len(data))
        self.left -= len(data)
        return data


def _check(data, path):
    """Raise MNISTError unless ``data`` is three ``(x, y)`` pairs of MNIST
    images and digits."""
    if not (isinstance(data, (tuple, list)) and len(data) == 3):
        raise MNISTError("{}: not MNIST: expected (training, validation, test), "
                         "found {}".format(path, _describe(data)))
    for name, part in zip(PARTS, data):
        if not (isinstance(part, (tuple, list)) and len(part) == 2
                and all(isinstance(a, np.ndarray) for a in part)):
            raise MNISTError("{}: not MNIST: the {} data is not a pair (x, y) "
                             "of arrays".format(path, name))
        x, y = part
        problem = None
        if x.ndim != 2 or x.shape[1] != 784 or len(x) == 0:
            problem = "images have shape {}, expected (n, 784)".format(x.shape)
        elif not np.issubdtype(x.dtype, np.floating):
            problem = "images are {}, expected floats".format(x.dtype)
        elif y.shape != (len(x),):
            problem = "labels have shape {} for {} images".format(y.shape, len(x))
        elif not np.issubdtype(y.dtype, np.integer):
            problem = "labels are {}, expected integers".format(y.dtype)
        elif not (x.min() >= 0.0 and x.max() <= 1.0):
            problem = "pixels range over [{}, {}], expected [0, 1]".format(
                x.min(), x.max())
        elif not (y.min() >= 0 and y.max() <= 9):
            problem = "labels range over {}..{}, expected 0..9".format(
                y.min(), y.max())
        if problem:
            raise MNISTError("{}: not MNIST: {} {}".format(path, name, problem))


def _describe(value):
    if isinstance(value, (tuple, list)):
        return "a {} of {}".format(type(value).__name__, len(value))
    return "a {}".format(type(value).__name__)
