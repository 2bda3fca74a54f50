"""mnist_fetch.py: where mnist.pkl.gz comes from, and whether to trust it.

The file is ``path`` if given, else ``$MNIST_PATH``, else data/mnist.pkl.gz
here; either of the last two is downloaded when missing, from the mirrors in
``$MNIST_URL`` (separated by spaces, each the URL of the file itself) or
else from the book's repository.  Unpickling can run any code, so a file's
pickle is handed over only if its md5 is known: the classic file's, or one
in ``$MNIST_MD5`` (separated by spaces), by which a user trusts a copy of
their own.  What a user can mend raises MNISTError, of one line.
"""

import gzip
import hashlib
import http.client
import os
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request
import zlib

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


def trusted_pickle(path=None):
    """The pickle inside mnist.pkl.gz, found, downloaded and checked as
    this module's docstring says.  ``~`` in a path is the home folder."""
    named = path is not None
    path = os.path.expanduser(os.fspath(path) if named else
                              os.environ.get("MNIST_PATH") or DEFAULT_PATH)
    if os.path.isdir(path) or not os.path.basename(path):
        raise MNISTError("{!r} is a folder; name the file itself, as in {!r}".format(
            path, os.path.join(path, "mnist.pkl.gz")))
    if not named and not os.path.exists(path):
        return download(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise MNISTError("{!r}: {}".format(path, e.strerror)) from None
    return unpack(raw, repr(path), "name mnist.pkl.gz itself, still gzipped",
                  "delete it and download it again")


def unpack(raw, name, if_not_gzip, if_cut):
    """The pickle in ``raw``, the bytes of ``name``, if its md5 is known.
    No gzip data (a web page saved by mistake) is not offered for trusting;
    bytes of unknown md5 are never decompressed.  The hints say what to do."""
    if raw[:2] != b"\x1f\x8b":  # how every gzip file begins
        raise MNISTError("{}: not mnist.pkl.gz: {}; {}".format(
            name, "it is empty" if not raw else
            "it begins {!r}, and gzip data does not".format(raw[:16]), if_not_gzip))
    if len(raw) > MAX_BYTES:
        raise MNISTError("{}: more than the {} bytes that MNIST takes".format(
            name, MAX_BYTES))
    md5 = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    if md5 not in known_md5s():
        raise MNISTError(
            "{} has md5 {}, not the classic file's, and unpickling a file can "
            "run code in it, so it is not used. If you trust this copy, run "
            "{} and try again".format(name, md5, (
                'set MNIST_MD5={0} (cmd) or $env:MNIST_MD5 = "{0}" (PowerShell)'
                if sys.platform == "win32" else "export MNIST_MD5={0}").format(md5)))
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error):
        raise MNISTError("{} is cut short or damaged: its gzip data does not "
                         "decompress whole; {}".format(name, if_cut)) from None


def download(dest):
    """Download mnist.pkl.gz to ``dest`` from the first mirror that serves
    all of a file, and return its pickle.  The bytes go to a part file of
    this process's own beside ``dest``, made before any fetching, which
    takes the name ``dest`` once ``unpack`` accepts it and is removed if the
    download ends otherwise, Ctrl-C and the scripts' SIGTERM included.  A
    mirror is shown by its host, so no password or token in a URL is shown."""
    urls = os.environ.get("MNIST_URL", "").split() or URLS
    hosts = [host_of(url) for url in urls]
    if None in hosts:
        raise MNISTError("MNIST_URL: every mirror must be an http:// or https:// "
                         "URL of the file itself")
    part = "{}.{}.part".format(dest, os.getpid())
    try:
        os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
        out = open(part, "w+b")
    except OSError as e:
        # makedirs says "File exists" of a file that stands where a folder must.
        reason = "Not a directory" if isinstance(e, FileExistsError) else e.strerror
        raise MNISTError("cannot save the download as {!r}: {}; point MNIST_PATH at "
                         "a file in a folder you can write".format(dest, reason)) from None
    try:
        with out:
            failures = []
            for url, host in zip(urls, hosts):
                out.seek(0)
                out.truncate()
                try:
                    fetch(url, host, out)
                    break
                except (OSError, http.client.HTTPException, MNISTError) as e:
                    failures.append("{!r} ({})".format(host, why(e)))
            else:
                raise MNISTError(
                    "could not download MNIST to {!r}: {}. Point --data or "
                    "MNIST_PATH at a copy you have".format(dest, "; ".join(failures)))
            out.seek(0)
            pickled = unpack(out.read(), "the download from {!r}".format(host),
                             "each URL in MNIST_URL must name the file itself"
                             if urls is not URLS else
                             "sign in to the network if it asks you to, and try again",
                             "it was not kept; try again")
        os.replace(part, dest)
        return pickled
    finally:
        if os.path.exists(part):
            os.remove(part)


def host_of(url):
    """The host of ``url`` if it is a well-formed http(s) URL, else None."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # ValueError for a port that is no number
        parts.hostname.encode("idna")  # ValueError for 'a..b'; no host: AttributeError
    except (ValueError, AttributeError):
        return None
    return parts.hostname if parts.scheme in ("http", "https") else None


def fetch(url, host, out):
    """Write all that ``url`` serves, at most ``MAX_BYTES``, to ``out``;
    to stderr, the mirror, and on a terminal the megabytes so far."""
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
    """Why a mirror failed, in no words a server or URL said: an HTTP status
    code, the system's words for a failed connection, or the kind of error."""
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
