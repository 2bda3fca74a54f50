"""compare.py: train both networks on one problem and compare them, epoch
by epoch.

Each network is trained in this process exactly as its own script trains
it (``exec_normal.train``, ``exec_matrix.train``), with the same seed and
flags, so the counts are those the two scripts print given that seed.
Their epoch lines go to stderr as they come; the table, made from what
``SGD`` returned, goes to stdout.  ``--mini-batch-sizes`` compares at
several sizes, one line each, and ``--plot`` draws the counts against
time.  bench.py times the mini-batch steps alone.
"""

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile

import cli  # first: it checks Python and limits BLAS threads before numpy loads
import exec_matrix
import exec_normal
from mnist_loader import printable


def main():
    p = cli.parser("Train network.py and network_matrix.py with the same seed "
                   "and flags, as exec_normal.py and exec_matrix.py do, and "
                   "compare their accuracy and time, epoch by epoch.",
                   "epochs", "eta", "sizes", "seed", "data", "dtype", epochs=3)
    p.add_argument("--mini-batch-sizes", type=mini_batch_sizes, default=[10],
                   metavar="M,M,...",
                   help="training examples per gradient step; several, "
                        "comma-separated, give one line each (default: 10)")
    p.add_argument("--plot", metavar="FILE.png",
                   help="draw the test images classified correctly against "
                        "wall-clock time to FILE.png (needs matplotlib)")
    args = p.parse_args()
    if args.plot is not None:
        check_plot_target(p, args.plot)
    if args.seed is None:
        args.seed = random.randrange(2 ** 32)
    print("mini-batch {}, eta {}, sizes {}, seed {}, {}, {} epoch{}".format(
        ",".join(map(str, args.mini_batch_sizes)), args.eta,
        ",".join(map(str, args.sizes)), args.seed, args.dtype, args.epochs,
        "s" if args.epochs > 1 else ""), flush=True)
    results = []
    for m in args.mini_batch_sizes:
        flags = argparse.Namespace(**dict(vars(args), mini_batch_size=m))
        results.append((m, train(exec_normal, flags), train(exec_matrix, flags)))
    if len(results) == 1:
        print_table(*results[0][1:])
    else:
        print_sweep(results)
    if args.plot is not None:
        plot(args.plot, results)
        print("plot written to {}".format(printable(args.plot)))


def mini_batch_sizes(text):
    return [cli.positive_int(m) for m in text.split(",")]


def check_plot_target(p, path):
    """Fail before any training if the plot could not be written."""
    if not path.lower().endswith(".png"):
        p.error("--plot: {} does not end in .png".format(printable(repr(path))))
    if os.path.isdir(path):
        p.error("--plot: {} is a folder".format(printable(path)))
    folder = os.path.dirname(os.path.abspath(path))
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        p.error("--plot: cannot write to folder {} ({})".format(
            printable(folder), printable(e.strerror or e)))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        p.error("--plot needs matplotlib, which is not installed; "
                "install it with: python -m pip install matplotlib")


def train(script, args):
    """``script.train(args)``, its epoch lines sent on to stderr."""
    print("{}.py, mini-batch {}:".format(script.__name__, args.mini_batch_size),
          file=sys.stderr, flush=True)
    with contextlib.redirect_stdout(sys.stderr):
        return script.train(args)


def epoch_seconds(run):
    """Seconds per epoch, from the seconds since the call that SGD returns."""
    seconds = [s for _, s in run]
    return [t - s for s, t in zip([0.0] + seconds, seconds)]


def speedup(normal_seconds, matrix_seconds):
    """How many times faster the matrix network was; n/a when its time is
    too short to tell."""
    if matrix_seconds <= 0:
        return "n/a"
    return "{:.1f}x".format(normal_seconds / matrix_seconds)


def print_table(normal, matrix):
    print("{:>5}  {:>14}  {:>8}  {:>14}  {:>8}  {:>7}".format(
        "epoch", "normal correct", "normal s", "matrix correct", "matrix s",
        "speedup"))
    normal_s, matrix_s = epoch_seconds(normal), epoch_seconds(matrix)
    for j, ((cn, _), (cm, _), tn, tm) in enumerate(zip(normal, matrix, normal_s, matrix_s)):
        print("{:>5}  {:>14}  {:>8.2f}  {:>14}  {:>8.2f}  {:>7}".format(
            j, cn, tn, cm, tm, speedup(tn, tm)))
    # A per-epoch ratio pairs two epochs run at different times on a shared
    # machine; the median epoch of each side is the steadier comparison.
    # Other work only ever slows an epoch down, so the fastest epochs are
    # the least disturbed ones.
    for name, pick in (("median", statistics.median), ("fastest", min)):
        tn, tm = pick(normal_s), pick(matrix_s)
        print("{} epoch: normal {:.2f} s, matrix {:.2f} s, speedup {}".format(
            name, tn, tm, speedup(tn, tm)), flush=True)


def print_sweep(results):
    """One line per mini-batch size: the median epochs, their speedup, and
    the count each network ends at."""
    print("{:>10}  {:>14}  {:>14}  {:>7}  {:>14}  {:>14}".format(
        "mini-batch", "normal s/epoch", "matrix s/epoch", "speedup",
        "normal correct", "matrix correct"))
    for m, normal, matrix in results:
        tn, tm = (statistics.median(epoch_seconds(run)) for run in (normal, matrix))
        print("{:>10}  {:>14.2f}  {:>14.2f}  {:>7}  {:>14}  {:>14}".format(
            m, tn, tm, speedup(tn, tm), normal[-1][0], matrix[-1][0]), flush=True)


def plot(path, results):
    """Write ``draw(results)`` to ``path``: to a temporary file first,
    renamed into place once it is whole."""
    import matplotlib.pyplot as plt
    fig = draw(results)
    part = path + ".part.png"
    try:
        fig.savefig(part, dpi=100)
        os.replace(part, path)
    finally:
        plt.close(fig)
        if os.path.exists(part):
            os.remove(part)


def draw(results):
    """The test images classified correctly against wall-clock time, one
    line per network and mini-batch size."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    fig, ax = plt.subplots(figsize=(9, 5))
    for i, (m, normal, matrix) in enumerate(results):
        color = plt.cm.tab10(i % 10)
        for run, style, name in ((normal, "o--", "network.py"),
                                 (matrix, "s-", "network_matrix.py")):
            correct, seconds = zip(*run)
            ax.plot(seconds, correct, style, color=color,
                    label="{}, mini-batch {}".format(name, m))
    ax.set_xscale("log")
    # Ticks at 1, 2 and 5 of each decade, written as plain numbers: the
    # default labels minor ticks too when the times span less than a decade,
    # and they run into each other.
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: "{:g}".format(t)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("wall-clock time since training began (s, log scale)")
    ax.set_ylabel("test images classified correctly")
    ax.set_title("Per-example vs matrix-based backpropagation, after each epoch")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    cli.run(main)
