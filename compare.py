"""Train both networks as their scripts do, with one seed and flags, and compare them.

Each is trained by its script's own ``train``, so the counts are those the
scripts print.  Their epoch lines go to stderr as they come; the table, made
from what SGD returned, to stdout.  ``--plot`` draws counts against time.
"""

import contextlib
import io
import os
import statistics
import sys

import cli  # first: it checks Python and limits BLAS threads before numpy loads
import exec_matrix
import exec_normal
import mnist_fetch
import mnist_loader


def main():
    p = cli.parser("Train network.py and network_matrix.py with the same seed "
                   "and flags, as exec_normal.py and exec_matrix.py do, and "
                   "compare their accuracy and time, epoch by epoch.",
                   "epochs", "eta", "sizes", "seed", "data", "dtype", epochs=3)
    p.add_argument("--mini-batch-sizes", type=mini_batch_sizes, default=[10],
                   metavar="M,M,...",
                   help="training examples per gradient step; several, "
                        "comma-separated, give one line each (default: 10)")
    p.add_argument("--plot", metavar="FILE",
                   help="draw the test images classified correctly against "
                        "wall-clock time to FILE, in the format its extension "
                        "names (.png, .pdf, .svg, ...; needs matplotlib)")
    args = p.parse_args()
    if args.plot is not None:
        check_plot(p, args.plot)
    mnist_loader.load_data(args.data)  # first, so that bad data's error is the only line
    cli.seed(args)
    results = []
    for m in args.mini_batch_sizes:
        args.mini_batch_size = m
        results.append((m, train(exec_normal, args), train(exec_matrix, args)))
    print("mini-batch {}, eta {}, sizes {}, seed {}, {}, {} epoch{}".format(
        ",".join(map(str, args.mini_batch_sizes)), args.eta,
        ",".join(map(str, args.sizes)), args.seed, args.dtype, args.epochs,
        "s" if args.epochs > 1 else ""))
    if len(results) == 1:
        print_table(*results[0][1:])
    else:
        print_sweep(results)
    if args.plot is not None:
        # Drawn whole beside the old plot, which it then replaces.
        part = "{}.{}.part".format(args.plot, os.getpid())
        try:
            draw(results).savefig(part, dpi=100, format=plot_format(args.plot))
            os.replace(part, args.plot)
        except OSError as e:  # a full disk, say, or a folder that refuses the write
            cli.fail("--plot: cannot write {!r}: {}".format(args.plot, e.strerror))
        finally:
            if os.path.exists(part):
                os.remove(part)
        print("plot written to {!r}".format(args.plot))


mini_batch_sizes = cli.flag_type(cli.whole_numbers, "a comma-separated list of "
                                 "whole numbers of at least 1", lambda m: min(m) >= 1)


def plot_format(path):
    return os.path.splitext(path)[1][1:].lower()


def check_plot(p, path):
    """Fail before any training if the plot could not be written."""
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        p.error("--plot needs matplotlib, which is not installed; "
                "install it with: python -m pip install matplotlib")
    formats = FigureCanvasBase.get_supported_filetypes()
    if plot_format(path) not in formats:
        p.error("--plot: {!r} does not end in a format matplotlib writes "
                "(.{})".format(path, ", .".join(formats)))
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        p.error("--plot: {!r} is a folder; name the file itself".format(path))
    if not os.path.isdir(folder):
        p.error("--plot: there is no folder {!r}; make it first".format(folder))
    if not os.access(folder, os.W_OK) or (os.path.exists(path)
                                          and not os.access(path, os.W_OK)):
        p.error("--plot: cannot write {!r}; name a file you can write".format(path))
    try:  # a draft, in memory: some formats need a program (.pgf: LaTeX)
        draw([(1, [(1, 1.0)], [(1, 1.0)])]).savefig(io.BytesIO(), format=plot_format(path))
    except (OSError, RuntimeError) as e:
        p.error("--plot: matplotlib cannot write {!r} on this machine ({}); name a "
                ".png, .pdf or .svg file".format(path, e))


def train(script, args):
    """Return ``script.train(args)``, its epoch lines sent to stderr under a heading."""
    print("{}.py, mini-batch {}:".format(script.__name__, args.mini_batch_size),
          file=sys.stderr, flush=True)
    with contextlib.redirect_stdout(sys.stderr):
        return script.train(args)


def epoch_seconds(history):
    """Return the seconds of each epoch, from the seconds since the call that SGD returns."""
    seconds = [s for _, s in history]
    return [t - s for s, t in zip([0.0] + seconds, seconds)]


def speedup(normal_seconds, matrix_seconds):
    """Return how many times faster the matrix network was, or n/a if too fast to tell."""
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
            j, shown(cn), tn, shown(cm), tm, speedup(tn, tm)))
    # Epochs run at different times on a shared machine: the median of each
    # side is steadier than a per-epoch ratio, the fastest the least disturbed.
    for name, pick in (("median", statistics.median), ("fastest", min)):
        tn, tm = pick(normal_s), pick(matrix_s)
        print("{} epoch: normal {:.2f} s, matrix {:.2f} s, speedup {}".format(
            name, tn, tm, speedup(tn, tm)), flush=True)


def shown(correct):
    """Return a count as the table shows it: "-" when there were no test images."""
    return "-" if correct is None else correct


def print_sweep(results):
    """Print a line per mini-batch size: median epochs, speedup, and final counts."""
    print("{:>10}  {:>14}  {:>14}  {:>7}  {:>14}  {:>14}".format(
        "mini-batch", "normal s/epoch", "matrix s/epoch", "speedup",
        "normal correct", "matrix correct"))
    for m, normal, matrix in results:
        tn, tm = (statistics.median(epoch_seconds(history)) for history in (normal, matrix))
        print("{:>10}  {:>14.2f}  {:>14.2f}  {:>7}  {:>14}  {:>14}".format(
            m, tn, tm, speedup(tn, tm), shown(normal[-1][0]), shown(matrix[-1][0])))
    print("s/epoch: the median epoch's seconds; correct: after the last epoch", flush=True)


def draw(results):
    """Return a figure of the test images classified correctly (or epochs) against time."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    _, first_history, _ = results[0]
    counted = first_history[0][0] is not None  # None without test images
    fig = Figure(figsize=(9, 5))
    ax = fig.subplots()
    for i, (m, normal, matrix) in enumerate(results):
        for history, style, name in ((normal, "o--", "network.py"),
                                     (matrix, "s-", "network_matrix.py")):
            correct, seconds = zip(*history)
            ax.plot(seconds, correct if counted else range(1, len(history) + 1), style,
                    color="C{}".format(i % 10), label="{}, mini-batch {}".format(name, m))
    ax.set_xscale("log")
    # Plain ticks at 1, 2 and 5 of each decade: within a decade the default
    # also labels minor ticks, and they run into each other.
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: "{:g}".format(t)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("wall-clock time since training began (s, log scale)")
    ax.set_ylabel("test images classified correctly" if counted else "epochs completed")
    ax.set_title("Per-example vs matrix-based backpropagation, after each epoch")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    cli.run(main, mnist_fetch.MNISTError)
