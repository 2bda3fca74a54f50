"""compare.py: run both networks on the same problem and compare them.

Runs exec_normal.py and then exec_matrix.py, one after the other, with the
same seed and hyperparameters, exactly as a user would run them, and prints
a table of each epoch's accuracy and time for both, the speedup of the
matrix-based network, the speedups of the median and of the fastest epochs,
and the peak resident memory of each run.  Each script runs in a process of its own so that its memory is
its own; the time of an epoch is the difference between the elapsed times
the script prints (training and evaluation).  ``--mini-batch-sizes`` repeats
the comparison for several mini-batch sizes; ``--plot`` draws accuracy
against wall-clock time with matplotlib.
"""

import os
import random
import re
import statistics
import subprocess
import sys

import cli

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ("exec_normal.py", "exec_matrix.py")
EPOCH_LINE = re.compile(
    r"^Epoch (\d+): (\d+) / (\d+), elapsed time: (\d+\.\d+)s$")


def main():
    p = cli.parser("Train network.py and network_matrix.py with the same seed "
                   "and hyperparameters and compare their accuracy, time and "
                   "memory, epoch by epoch.", epochs=3)
    cli.add_dtype(p)
    p.add_argument("--mini-batch-sizes", type=mini_batch_sizes, metavar="M,M,...",
                   help="compare at each of these mini-batch sizes instead of "
                        "--mini-batch-size, and summarise how the speedup "
                        "changes")
    p.add_argument("--plot", metavar="FILE.png",
                   help="draw accuracy against wall-clock time to FILE.png "
                        "(needs matplotlib)")
    args = p.parse_args()
    if args.plot:
        check_plot_target(p, args.plot)
    if args.seed is None:
        args.seed = random.randrange(2 ** 32)
    sizes = args.mini_batch_sizes or [args.mini_batch_size]
    results = []
    for m in sizes:
        print("mini-batch size {}, eta {}, sizes {}, seed {}, {}, {} epochs".format(
            m, args.eta, ",".join(map(str, args.sizes)), args.seed, args.dtype,
            args.epochs), flush=True)
        normal = run_script(p, SCRIPTS[0], script_args(args, m))
        matrix = run_script(p, SCRIPTS[1],
                            script_args(args, m) + ["--dtype", args.dtype])
        print_table(normal, matrix)
        results.append((m, normal, matrix))
    if len(results) > 1:
        print_sweep(results)
    if args.plot:
        try:
            plot(args.plot, results)
        except OSError as e:
            p.exit(2, "{}: error: --plot: cannot write {}: {}\n".format(
                p.prog, args.plot, e))
        print("plot written to {}".format(args.plot))


def mini_batch_sizes(text):
    return [cli.positive_int(m) for m in text.split(",")]


def check_plot_target(p, path):
    """Fail before any training if the plot could not be written."""
    if not path.endswith(".png"):
        p.error("--plot: {} does not end in .png".format(path))
    if os.path.isdir(path):
        p.error("--plot: {} is a folder".format(path))
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        p.error("--plot: folder {} does not exist".format(folder))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        p.error("--plot needs matplotlib, which is not installed; "
                "install it with: python -m pip install matplotlib")


def script_args(args, mini_batch_size):
    """The flags that make an exec script run this comparison's problem."""
    flags = ["--epochs", str(args.epochs),
             "--mini-batch-size", str(mini_batch_size),
             "--eta", repr(args.eta),
             "--sizes", ",".join(map(str, args.sizes)),
             "--seed", str(args.seed)]
    if args.data is not None:
        flags += ["--data", args.data]
    return flags


class Run(object):
    """What one exec script printed, and its peak resident memory."""

    def __init__(self, correct, n_test, elapsed, peak_bytes):
        self.correct = correct
        self.n_test = n_test
        self.elapsed = elapsed
        self.peak_bytes = peak_bytes

    @property
    def epoch_times(self):
        """Seconds per epoch, from the cumulative times the script prints."""
        return [t - s for s, t in zip([0.0] + self.elapsed, self.elapsed)]

    def accuracy(self, j):
        return 100.0 * self.correct[j] / self.n_test


def run_script(p, script, flags):
    """Run ``script`` to the end and return its Run.  A failure of the
    script (bad data, say) has been reported on stderr by the script itself;
    compare.py then stops with the same exit status."""
    print("running {} ...".format(script), file=sys.stderr, flush=True)
    process = subprocess.Popen([sys.executable, os.path.join(HERE, script)] + flags,
                               stdout=subprocess.PIPE, text=True)
    lines = process.stdout.read().splitlines()
    process.stdout.close()
    # wait4 rather than wait: it also reports this child's own peak memory.
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(process.returncode if process.returncode > 0 else 1)
    epochs = [EPOCH_LINE.match(line) for line in lines]
    if not epochs or not all(epochs):
        p.exit(1, "{}: error: unexpected output from {}: {!r}\n".format(
            p.prog, script, lines[:3]))
    return Run(correct=[int(e.group(2)) for e in epochs],
               n_test=int(epochs[0].group(3)),
               elapsed=[float(e.group(4)) for e in epochs],
               peak_bytes=usage.ru_maxrss * 1024)


def ratio(normal_seconds, matrix_seconds):
    """How many times faster the matrix network was; None when its time
    is below the 0.01 s that the scripts print, so that no ratio can be
    told."""
    return normal_seconds / matrix_seconds if matrix_seconds > 0 else None


def times(speedup):
    return "n/a" if speedup is None else "{:.1f}x".format(speedup)


def median_epoch(run):
    return statistics.median(run.epoch_times)


def fastest_epoch(run):
    return min(run.epoch_times)


def print_table(normal, matrix):
    print("{:>5}  {:>10}  {:>8}  {:>10}  {:>8}  {:>7}".format(
        "epoch", "normal acc", "normal s", "matrix acc", "matrix s", "speedup"))
    for j, (tn, tm) in enumerate(zip(normal.epoch_times, matrix.epoch_times)):
        print("{:>5}  {:>9.2f}%  {:>8.2f}  {:>9.2f}%  {:>8.2f}  {:>7}".format(
            j, normal.accuracy(j), tn, matrix.accuracy(j), tm, times(ratio(tn, tm))))
    # A per-epoch ratio pairs two epochs run at different times on a shared
    # machine; the median epoch of each side is the steadier comparison.
    # Other work only ever slows an epoch down, so the fastest epochs are
    # the least disturbed ones.
    for name, pick in (("median", median_epoch), ("fastest", fastest_epoch)):
        tn, tm = pick(normal), pick(matrix)
        print("{} epoch: normal {:.2f} s, matrix {:.2f} s, speedup {}".format(
            name, tn, tm, times(ratio(tn, tm))))
    print("peak memory: normal {:.0f} MB, matrix {:.0f} MB (matrix/normal {:.2f})".format(
        normal.peak_bytes / 2 ** 20, matrix.peak_bytes / 2 ** 20,
        matrix.peak_bytes / normal.peak_bytes))
    print(flush=True)


def print_sweep(results):
    print("{:>10}  {:>14}  {:>14}  {:>14}".format(
        "mini-batch", "normal s/epoch", "matrix s/epoch", "speedup"))
    for m, normal, matrix in results:
        tn, tm = median_epoch(normal), median_epoch(matrix)
        print("{:>10}  {:>14.2f}  {:>14.2f}  {:>14}".format(
            m, tn, tm, times(ratio(tn, tm))))


def plot(path, results):
    """Accuracy against wall-clock time, one line per network and
    mini-batch size, written to a temporary file and renamed into place."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(9, 5))
    for i, (m, normal, matrix) in enumerate(results):
        color = plt.cm.tab10(i % 10)
        for run, style, name in ((normal, "o--", "network.py"),
                                 (matrix, "s-", "network_matrix.py")):
            ax.plot(run.elapsed, [run.accuracy(j) for j in range(len(run.correct))],
                    style, color=color,
                    label="{}, mini-batch {}".format(name, m))
    ax.set_xscale("log")
    ax.set_xlabel("wall-clock time since training began (s, log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Per-example vs matrix-based backpropagation: accuracy "
                 "after each epoch")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")
    fig.tight_layout()
    part = path + ".part.png"
    try:
        fig.savefig(part, dpi=100)
        os.replace(part, path)
    finally:
        plt.close(fig)
        if os.path.exists(part):
            os.remove(part)


if __name__ == "__main__":
    cli.run(main)
