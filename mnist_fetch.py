"""Where mnist.pkl.gz comes from, and whether to trust it.

The file is ``path``, else ``$MNIST_PATH``, else data/mnist.pkl.gz, either of
the last two downloaded when missing from ``$MNIST_URL``'s mirrors or the
book's.  Unpickling can run any code, so only a file whose md5 is known, the
classic file's or one listed in ``$MNIST_MD5``, is unpickled.  What a user can
mend raises MNISTError, whose message says what to do.
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
MD5, SIZE = "a02cd19f81d51c426d7ca14024243ce9", 17051982  # the classic file's
MAX_BYTES = 64 << 20  # all that is read, so that a wrong file cannot fill the memory


class MNISTError(Exception):
    """The data set could not be found, downloaded or trusted."""


def known_md5s():
    """Return the md5s of the copies trusted: the classic file's and MNIST_MD5's."""
    return {MD5} | set(os.environ.get("MNIST_MD5", "").lower().replace(",", " ").split())


def trusted_pickle(path=None):
    """Return the pickle in mnist.pkl.gz, found, downloaded and checked as above."""
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
    return unpack(raw, repr(path))


def unpack(raw, name, urls=None):
    """Return the pickle in ``raw``, the bytes of ``name``, if its md5 is known.

    ``urls`` are the mirrors the bytes came from, None for a file.  Bytes
    that are not gzip data (a web page saved by mistake) are not offered for
    trusting, and bytes of unknown md5 are never decompressed; their size
    beside the classic file's shows a copy cut short before it is trusted.
    """
    if raw[:2] != b"\x1f\x8b":  # how every gzip file begins
        raise MNISTError("{}: not mnist.pkl.gz: {}; {}".format(
            name, "it is empty" if not raw else
            "it begins {!r}, and gzip data does not".format(raw[:16]),
            "name mnist.pkl.gz itself, still gzipped" if urls is None else
            "sign in to the network if it asks you to, and try again" if urls is URLS
            else "each URL in MNIST_URL must name the file itself"))
    if len(raw) > MAX_BYTES:
        raise MNISTError("{}: more than the {} bytes that MNIST takes".format(
            name, MAX_BYTES))
    md5 = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    if md5 not in known_md5s():
        listed = os.environ.get("MNIST_MD5", "")
        known = ("neither the classic file's nor one in MNIST_MD5 ({!r})".format(listed)
                 if listed.strip() else "not the classic file's")
        command = ('set MNIST_MD5={0} (cmd) or $env:MNIST_MD5 = "{0}" (PowerShell)'
                   if sys.platform == "win32" else "export MNIST_MD5={0}").format(md5)
        raise MNISTError("{} is {:,} bytes (the classic file is {:,}), with md5 {}, {}; "
                         "unpickling a file can run code in it, so it is not used. If "
                         "you trust this copy, run {} and try again".format(
                             name, len(raw), SIZE, md5, known, command))
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error):
        hint = "delete it and download it again" if urls is None else "it was not kept; try again"
        raise MNISTError("{} is cut short or damaged: its gzip data does not "
                         "decompress whole; {}".format(name, hint)) from None


def download(dest):
    """Download mnist.pkl.gz to ``dest`` and return its pickle.

    The first mirror that serves a whole file wins.  Its bytes go to a part
    file beside ``dest``, which takes the name ``dest`` only once unpack
    accepts it, so that no half-written file is ever found there; however
    else the download ends, the part file and the folders made for it go.
    """
    urls = os.environ.get("MNIST_URL", "").split() or URLS
    hosts = [host_of(url) for url in urls]
    part = "{}.{}.part".format(dest, os.getpid())
    made = missing_folders(dest)
    try:
        try:
            os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
            out = open(part, "w+b")
        except OSError as e:
            # makedirs says "File exists" of a file that stands where a folder must.
            reason = "Not a directory" if isinstance(e, FileExistsError) else e.strerror
            raise MNISTError("cannot save the download as {!r}: {}; point MNIST_PATH at a "
                             "file in a folder you can write".format(dest, reason)) from None
        with out:
            failures = []
            for url, host in zip(urls, hosts):
                out.seek(0)
                out.truncate()
                try:
                    fetch(url, host, out)
                    break
                except (OSError, http.client.HTTPException, MNISTError) as e:
                    failures.append("{!r} ({})".format(host, failure_reason(e)))
            else:
                raise MNISTError(
                    "could not download MNIST to {!r}: {}. Point --data or MNIST_PATH "
                    "at a copy you have, or MNIST_URL at a mirror you can reach".format(
                        dest, "; ".join(failures)))
            out.seek(0)
            pickled = unpack(out.read(), "the download from {!r}".format(host), urls)
        os.replace(part, dest)
        return pickled
    finally:
        if os.path.exists(part):
            os.remove(part)
        if not os.path.exists(dest):
            for folder in made:
                if os.path.isdir(folder):
                    os.rmdir(folder)


def missing_folders(path):
    """Return the folders above ``path`` that do not exist yet, deepest first."""
    missing = []
    folder = os.path.dirname(os.path.abspath(path))
    # A drive that does not exist (Windows) is its own parent.
    while not os.path.exists(folder) and folder not in missing:
        missing.append(folder)
        folder = os.path.dirname(folder)
    return missing


def host_of(url):
    """Return the host of a mirror's ``url``: shown alone, it prints no token.

    urllib sends no user name or password, so a URL with one is refused.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        well_formed = (parts.scheme in ("http", "https") and parts.port != 0
                       and parts.hostname.encode("idna"))
    except (ValueError, AttributeError):  # a port that is no number, 'a..b', no host
        well_formed = False
    if not well_formed:
        raise MNISTError("MNIST_URL: every mirror must be an http:// or https:// "
                         "URL of the file itself")
    if "@" in parts.netloc:
        raise MNISTError("MNIST_URL: the mirror at {!r} has a user name or password in "
                         "its URL, which this download cannot send; download the file "
                         "yourself and name it with --data".format(parts.hostname))
    return parts.hostname


def fetch(url, host, out):
    """Write all that ``url`` serves to ``out``, and on a terminal count the megabytes."""
    terminal = sys.stderr.isatty()
    print("downloading MNIST from {!r}".format(host), file=sys.stderr, flush=True)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            total = response.length  # None without a Content-Length
            of_total = "?" if total is None else "{:.1f}".format(total / 1e6)
            while out.tell() <= MAX_BYTES:  # unpack refuses what goes past it
                chunk = response.read(1 << 16)
                if not chunk:
                    # http.client counts a Content-Length down as it reads: what
                    # is left when the bytes stop was promised and never sent.
                    if response.length:
                        raise MNISTError("the connection closed after {} of {} "
                                         "bytes".format(out.tell(), total))
                    break
                out.write(chunk)
                if terminal:
                    print("\r  {:.1f} of {} MB".format(out.tell() / 1e6, of_total),
                          end="", file=sys.stderr, flush=True)
    finally:
        if terminal and out.tell():  # the progress line ends, however this does
            print(file=sys.stderr)


def failure_reason(error):
    """Return why a mirror failed: a status code, the system's words, or the error's kind.

    No word that a server or a URL chose is shown.
    """
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
