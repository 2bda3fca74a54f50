"""mnist_loader.py: the MNIST data in the layout of the book's mnist.pkl.gz.

That file is ``gzip(pickle((training_data, validation_data, test_data)))``,
each part a pair ``(x, y)`` of numpy arrays: x holds one image per row (784
pixels, floats in [0, 1]) and y the digit each image shows.  ``load_data``
returns those arrays; ``load_data_wrapper`` reshapes them into the lists of
column vectors that the book's ``network.py`` trains on.

Where the file is looked for: an explicit ``path`` argument, else the
``MNIST_PATH`` environment variable, else ``data/mnist.pkl.gz`` beside this
module; a leading ``~`` is the user's home folder.  When nothing is at the
environment or default path, the classic file is downloaded there (see
``download``).  An explicit path that does not exist is an error instead,
since it is most likely a typo, and so is a path that names a folder.

Unpickling can run arbitrary code, and the file comes from the network, so
it is read with an unpickler that builds numpy arrays of numbers and nothing
else (pickled at any protocol from 2 to 5, by Python 2 or 3, numpy 1 or 2):
it takes exactly the calls numpy's own pickles make, and every array must be
made of bytes read from the file.  Reading stops at ``MAX_UNPACKED_BYTES``
of unpacked data.  So a file costs no more than its bytes: the loader's
memory is a small multiple of the unpacked size (the text, its bytes and the
array each exist once while it loads) and its time is linear in it; the
real file unpacks to 222 MB.  What it builds is then checked to be three
``(x, y)`` pairs of 784-pixel float images in [0, 1] and integer digits 0
to 9 before anyone trains on it.

Every way this can fail raises ``MNISTError``, whose message names the file
and the problem on one line: "refused" for what the unpickler stops on
purpose, "not a readable mnist.pkl.gz" for a damaged file, "not MNIST" for
the wrong contents.  Text that a server or a file chose (an HTTP reason
phrase, a name in a pickle) is shown with anything a terminal would act on
escaped.
"""

import gzip
import hashlib
import http.client
import io
import math
import os
import pickle
import ssl
import sys
import tempfile
import urllib.request

import numpy as np

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

class MNISTError(Exception):
    """The data set could not be found, downloaded, read or trusted."""

    def __init__(self, message):
        # Parts of the message may come from a server or from the file:
        # a control character is shown escaped, never acted on, and a line
        # break in it cannot break the one-line message.
        super().__init__("".join(c if c.isprintable() else ascii(c)[1:-1]
                                 for c in message))


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
    return tuple((np.asarray(x), np.asarray(y)) for x, y in data)


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
    ``URLS``, one after the other (any URL Python opens, ``file://``
    included); ``md5`` defaults to ``MD5``, the classic file's.  A path
    that names a folder is refused before anything is fetched.  The bytes
    go to a temporary file beside ``dest``, which gets the permissions the
    umask gives any new file, and it takes the name ``dest`` only once its
    md5 matches, so a failed or interrupted download leaves nothing
    behind: neither the temporary file nor the folders made for it.  An
    existing ``dest`` is never replaced, not even one that appears while
    the download runs, and no download may pass ``MAX_DOWNLOAD_BYTES``.
    The md5 is a checksum, not a security measure, so it works on FIPS
    systems too."""
    dest = os.path.expanduser(os.fspath(dest))
    if not os.path.basename(dest):
        raise MNISTError("{}: names a folder; name the file to download to, "
                         "such as {}".format(dest, os.path.join(dest, "mnist.pkl.gz")))
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
        _move_into_place(part, dest)
    finally:
        if os.path.lexists(part):
            os.unlink(part)


def _move_into_place(part, dest):
    """Give the finished download the name ``dest``, unless a file has
    taken that name meanwhile.  A hard link cannot replace a file, as a
    rename on POSIX would; where the file system has no hard links (FAT,
    some network drives) a rename follows one last look instead."""
    appeared = MNISTError("{}: a file appeared there while downloading; it was "
                          "left as it is and the download discarded".format(dest))
    try:
        os.link(part, dest)
    except FileExistsError:
        raise appeared from None
    except OSError:
        if os.path.lexists(dest):
            raise appeared from None
        os.rename(part, dest)


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
        # Without a stderr at all (pythonw on Windows, 2>&-) there is
        # nothing to show, and the download goes on all the same.
        self.out = sys.stderr or io.StringIO()
        self.terminal = self.out.isatty()
        print("downloading {}".format(url), file=self.out, flush=True)

    def show(self, received, total):
        if not self.terminal:
            return
        status = "  {:.1f} MB".format(received / 1e6)
        if total:
            status += " of {:.1f} MB ({:.0f}%)".format(
                total / 1e6, 100.0 * received / total)
        print("\r" + status, end="", file=self.out, flush=True)

    def end(self, received):
        if self.terminal:
            print(file=self.out)
        else:
            print("  {} bytes received".format(received), file=self.out,
                  flush=True)


class _Refused(pickle.UnpicklingError):
    """What the unpickler stops on purpose, as opposed to a damaged file."""


class _NumpyUnpickler(pickle.Unpickler):
    """An unpickler that builds numpy arrays of numbers and nothing else.

    A pickle of arrays names a few globals and calls each in one way:
    protocols 2 to 4 start an array with ``_reconstruct(ndarray, (0,),
    b'b')`` and then set its state ``(1, shape, dtype, fortran, bytes)``;
    protocol 5 calls ``_frombuffer(bytes, dtype, shape, order)``; a dtype
    is ``dtype('f4', False, True)`` with a state in which only the byte
    order varies; and protocol 2 writes bytes as ``_codecs.encode(text,
    'latin1')``, or ``bytes()`` when empty.  ``find_class`` hands out
    stand-ins that take exactly those calls and refuse any other before
    anything is allocated or computed, and an array's bytes must be as many
    as its shape and dtype need, so that all of them were read."""

    def find_class(self, module, name):
        _expect((module, name) in _GLOBALS, "it refers to {}.{}".format(module, name))
        return _GLOBALS[module, name]


def _expect(condition, what):
    if not condition:
        raise _Refused("{}, as no pickle of numeric arrays does".format(what))


def _is(value, *allowed):
    """``value in allowed``, comparing values of one type only, so that
    nothing from the file decides what ``==`` does."""
    return any(type(value) is type(a) and value == a for a in allowed)


class _NDArray(object):
    """numpy.ndarray, which a pickle names as the type to reconstruct but
    never calls: called, it makes an array of any size out of no bytes."""

    def __init__(self, *args):
        _expect(False, "it calls numpy.ndarray")


def _reconstruct(subtype, shape, code):
    _expect(subtype is _NDArray and _is(shape, (0,)) and _is(code, b"b", "b"),
            "it calls _reconstruct with {!r}".format((shape, code)))
    return _Array((0,), "b")


class _Array(np.ndarray):
    """What ``_reconstruct`` starts: an empty array whose state is checked
    before numpy fills it in."""

    def __setstate__(self, state):
        _expect(type(state) is tuple and len(state) == 5 and _is(state[0], 1)
                and _is(state[3], False, True), "it gives an array another state")
        _, shape, dtype, fortran, raw = state
        raw = _bytes_of(shape, dtype, raw)
        super().__setstate__((1, shape, dtype.dtype, fortran, raw))


def _frombuffer(raw, dtype, shape, order):
    _expect(_is(order, "C", "F"), "it calls _frombuffer in another order")
    raw = _bytes_of(shape, dtype, raw)
    return np.frombuffer(raw, dtype.dtype).reshape(shape, order=order)


def _bytes_of(shape, dtype, raw):
    """``raw``, the bytes of an array of ``shape`` and ``dtype``, once they
    are seen to be exactly as many as it holds.  Python 2 wrote them as
    text, which encoding="latin1" reads one character per byte."""
    _expect(type(shape) is tuple and all(type(n) is int and n >= 0 for n in shape)
            and type(dtype) is _DType and dtype.dtype is not None
            and type(raw) in (bytes, bytearray, str)
            and len(raw) == math.prod(shape) * dtype.dtype.itemsize,
            "it gives an array of shape {!r} data that does not fill it".format(shape))
    return raw.encode("latin1") if type(raw) is str else raw


class _DType(object):
    """numpy.dtype(code, align, copy) for a type of numbers: no objects,
    times or text, whose arrays hold more than their bytes."""

    CODES = ("b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8",
             "f2", "f4", "f8", "c8", "c16")

    def __init__(self, code, align, copy):
        _expect(_is(code, *self.CODES), "it asks for the dtype {!r}".format(code))
        self.code, self.dtype = code, None

    def __setstate__(self, state):
        _expect(type(state) is tuple and len(state) == 8
                and _is(state[1], "<", ">", "|")
                and all(part is None for part in state[2:5]),
                "it gives a dtype the state {!r}".format(state))
        self.dtype = np.dtype(self.code).newbyteorder(state[1])


def _latin1(text, encoding):
    _expect(type(text) is str and _is(encoding, "latin1"),
            "it calls _codecs.encode with {!r}".format(encoding))
    return text.encode("latin1")


# numpy 1 and 2 name the modules of the array constructors differently;
# __builtin__ is the name protocol 2 writes for builtins.
_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy", "ndarray"): _NDArray,
    ("numpy", "dtype"): _DType,
    ("_codecs", "encode"): _latin1,
    ("__builtin__", "bytes"): lambda: b"",
}


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
        if x.ndim != 2 or x.shape[1] != 784:
            problem = "images have shape {}, expected (n, 784)".format(x.shape)
        elif not np.issubdtype(x.dtype, np.floating):
            problem = "images are {}, expected floats".format(x.dtype)
        elif y.shape != (len(x),):
            problem = "labels have shape {} for {} images".format(y.shape, len(x))
        elif not np.issubdtype(y.dtype, np.integer):
            problem = "labels are {}, expected integers".format(y.dtype)
        elif x.size and not (x.min() >= 0.0 and x.max() <= 1.0):
            problem = "pixels range over [{}, {}], expected [0, 1]".format(
                x.min(), x.max())
        elif y.size and not (y.min() >= 0 and y.max() <= 9):
            problem = "labels range over {}..{}, expected 0..9".format(
                y.min(), y.max())
        if problem:
            raise MNISTError("{}: not MNIST: {} {}".format(path, name, problem))


def _describe(value):
    if isinstance(value, (tuple, list)):
        return "a {} of {}".format(type(value).__name__, len(value))
    return "a {}".format(type(value).__name__)
