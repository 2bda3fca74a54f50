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
own.  A file that could not be MNIST at all (empty, not gzip, cut short)
is refused as what it is, not offered for vouching.  The same md5s decide
whether a download is kept.  Every failure raises ``MNISTError`` with a
one-line message, in which whatever came from outside (a path, a URL, a
server's words) has passed through ``printable``.
"""

import gzip
import hashlib
import http.client
import os
import pickle
import re
import ssl
import stat
import sys
import urllib.request
import zlib

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
    shown = printable(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise MNISTError("{}: not a regular file".format(shown))
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise MNISTError("{}: cannot read it ({})".format(shown, _reason(e))) from None
    if len(raw) > MAX_BYTES:
        raise MNISTError("{}: more than the {} bytes any mnist.pkl.gz "
                         "takes".format(shown, MAX_BYTES))
    md5 = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    if md5 not in known_md5s():
        problem = _gzip_problem(raw)
        if problem:
            raise MNISTError("{}: not mnist.pkl.gz: {}".format(shown, problem))
        raise MNISTError(
            "{}: unknown file (md5 {}), not opened: unpickling a file can run "
            "code in it. To trust this copy, set MNIST_MD5={}".format(shown, md5, md5))
    try:
        data = pickle.loads(gzip.decompress(raw), encoding="latin1")
    except Exception as e:  # a vouched file that is no gzip or no pickle
        raise MNISTError("{}: not a readable mnist.pkl.gz ({}: {})".format(
            shown, type(e).__name__, printable(e))) from None
    _check(data, shown)
    return data


def _gzip_problem(raw):
    """What keeps ``raw`` from being a whole gzip file, or None.  Nothing
    in it is run: it is unpacked in pieces that are thrown away."""
    if not raw:
        return "the file is empty"
    if raw[:2] != b"\x1f\x8b":
        return "it is no gzip file (it begins {})".format(printable(raw[:24]))
    unpack = zlib.decompressobj(wbits=31)  # 31: gzip's header and trailer
    try:
        while raw and not unpack.eof:
            unpack.decompress(raw, 1 << 20)
            raw = unpack.unconsumed_tail
    except zlib.error as e:
        return "its gzip data is damaged ({})".format(e)
    return None if unpack.eof else ("its gzip data stops short, as an "
                                    "interrupted download's does")


def _check(data, path):
    """Name a vouched copy of something else for what it is, here rather
    than in a traceback deep inside training."""
    def refuse(problem):
        raise MNISTError("{}: not MNIST: {}".format(path, problem))
    if not (isinstance(data, tuple) and len(data) == 3 and all(
            isinstance(part, tuple) and len(part) == 2
            and all(type(a) is np.ndarray for a in part) for part in data)):
        refuse("expected three (images, digits) pairs of plain numpy arrays")
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
    named = path is not None
    path = os.path.expanduser(os.fspath(path) if named else
                              os.environ.get("MNIST_PATH") or DEFAULT_PATH)
    try:
        os.stat(path)
    except FileNotFoundError:
        if named:
            raise MNISTError("{}: no such file".format(printable(path))) from None
        download(path)
    except OSError:  # out of reach, as in a folder that may not be searched:
        pass         # load_data says so when it opens it
    return path


def download(dest):
    """Download mnist.pkl.gz to ``dest``, from each URL in ``$MNIST_URL``
    (separated by spaces) or else ``URLS`` until one serves a file of a
    known md5.  The bytes go to a file of this process's own beside
    ``dest``, which takes the name ``dest`` only when whole and verified.
    That file is removed whenever the download ends in an exception, as
    Ctrl-C's KeyboardInterrupt; a process killed by a signal that raises
    none (SIGKILL always, SIGTERM unless a handler raises, as the scripts'
    does) leaves it behind."""
    shown = printable(dest)
    if not os.path.basename(dest):
        raise MNISTError("{}: names a folder, not a file".format(shown))
    urls = os.environ.get("MNIST_URL", "").split() or URLS
    part = "{}.{}.part".format(dest, os.getpid())
    try:
        os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
        out = open(part, "wb")
    except OSError as e:
        raise MNISTError("cannot write {} ({})".format(printable(part), _reason(e))) from None
    try:
        with out:
            failures = []
            for url in urls:
                try:
                    out.seek(0)
                    out.truncate()
                    _fetch(url, out)
                    break
                except (OSError, ValueError, http.client.HTTPException) as e:
                    failures.append("{} ({})".format(printable(url), _reason(e)))
            else:
                if len(failures) > 3:
                    failures[2:] = ["and {} more".format(len(failures) - 2)]
                raise MNISTError(
                    "could not download MNIST to {}: tried {}. Download "
                    "mnist.pkl.gz by hand and put it there, or point MNIST_PATH "
                    "at a copy you have".format(shown, "; ".join(failures)))
        os.replace(part, dest)
    finally:
        if os.path.exists(part):
            os.remove(part)


def _fetch(url, out):
    """Write what ``url`` serves to the file ``out``; ValueError unless
    all of it arrives, within ``MAX_BYTES``, with a known md5, and
    MNISTError if ``out`` cannot be written.  Progress goes to stderr,
    rewritten on a terminal, else as one line once done."""
    digest = hashlib.md5(usedforsecurity=False)
    received = 0
    terminal = sys.stderr is not None and sys.stderr.isatty()
    _progress("downloading {}".format(printable(url)), "\n" if terminal else "")
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            # As http.client reads Content-Length: None when missing or
            # unreadable; a length no MNIST has is ignored too.
            total = getattr(response, "length", None)
            total = total if total and total <= MAX_BYTES else None
            for chunk in iter(lambda: response.read(1 << 16), b""):
                received += len(chunk)
                if received > MAX_BYTES:
                    raise ValueError("it sends more than the {} bytes that "
                                     "MNIST takes".format(MAX_BYTES))
                try:
                    out.write(chunk)
                except OSError as e:
                    raise MNISTError("cannot write {} ({})".format(
                        printable(out.name), _reason(e))) from None
                digest.update(chunk)
                if terminal:
                    _progress("\r  {:.1f} of {} MB".format(
                        received / 1e6, "{:.1f}".format(total / 1e6) if total else "?"),
                        "")
    finally:
        _progress("" if terminal else ": {} bytes".format(received))
    if total is not None and received < total:
        raise ValueError("connection closed after {} of {} bytes".format(
            received, total))
    if digest.hexdigest() not in known_md5s():
        raise ValueError("md5 {} is not a known one".format(digest.hexdigest()))


def _progress(text, end="\n"):
    """Write ``text`` to stderr if it can be: a download never fails for
    want of it (pythonw and 2>&- leave no stderr, 2>/dev/full a full one)."""
    try:
        sys.stderr.write(text + end)
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass


def _reason(error):
    """An exception's words, printable, with a way out where there is one."""
    text = printable(getattr(error, "strerror", None) or error)
    if (isinstance(getattr(error, "reason", error), ssl.SSLCertVerificationError)
            and sys.platform == "darwin"):
        text += ("; run 'Install Certificates.command' in your Python's folder "
                 "in Applications")
    return text


# A URL's user information (user:password@), and its query and fragment,
# which carry a signed URL's token.
_URL_SECRETS = re.compile(
    r"\b([A-Za-z][\w+.-]*://)(?:[^\s/?#@]*@)?([^\s?#'\"]*)(?:[?#][^\s'\"]*)?")


def printable(text, limit=200):
    """``text`` that came from outside (a path, URL, environment value, a
    server's words, an exception's text) as it may be shown to the user on
    one line: URLs without user information or query, every control
    character escaped, and at most about ``limit`` characters."""
    text = _URL_SECRETS.sub(r"\1\2", str(text))
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode()
                   for c in text)
    if len(text) > limit:
        text = text[:limit // 2] + "..." + text[-(limit // 2):]
    return text
