"""compare.py: run both networks on the same problem and compare them.

``python compare.py --steps N`` times the step the exercise changes: N
``update_mini_batch`` calls of network.py on the book's lists and of
network_matrix.py on matrices, float64 and float32, taking turns in one
process so that whatever else the machine does slows each alike; then, in
rounds of their own, the classification of the test images.

``python compare.py`` without ``--steps`` runs exec_normal.py and then
exec_matrix.py with the same seed and flags, as a user would, passes their
epoch lines on to stderr as they arrive, and compares the epochs they
print; ``--mini-batch-sizes`` does so at several sizes, and ``--plot``
draws the accuracies against time.  A flag that the chosen comparison
would not use is refused, not ignored.
"""

import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import cli  # first, so that it limits BLAS threads before numpy is loaded
import mnist_loader
import network
import network_matrix
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ("exec_normal.py", "exec_matrix.py")
EPOCH_LINE = re.compile(
    r"^Epoch (\d+): (\d+) / (\d+), elapsed time: (\d+\.\d+)s$")
# The flags that only the epoch comparison uses, and those with defaults
# that are filled in only once the comparison is known.
EPOCHS_ONLY = ("epochs", "dtype", "mini_batch_sizes", "plot")
DEFERRED = ("epochs", "dtype", "rounds", "mini_batch_size")


def main():
    p = cli.parser("Compare network.py and network_matrix.py: with --steps, "
                   "time their mini-batch steps in one process; without it, "
                   "train both with the same seed and hyperparameters and "
                   "compare their accuracy and time, epoch by epoch.",
                   epochs=3)
    cli.add_dtype(p)
    p.add_argument("--steps", type=cli.positive_int, metavar="N",
                   help="time N mini-batch steps of each network, float64 and "
                        "float32, taking turns in one process, instead of "
                        "running the exec scripts")
    p.add_argument("--rounds", type=cli.positive_int, default=5, metavar="R",
                   help="with --steps: the turns each network takes (default: 5)")
    p.add_argument("--mini-batch-sizes", type=mini_batch_sizes, metavar="M,M,...",
                   help="compare at each of these mini-batch sizes instead of "
                        "--mini-batch-size, one line for each")
    p.add_argument("--plot", metavar="FILE.png",
                   help="draw accuracy against wall-clock time to FILE.png "
                        "(needs matplotlib)")
    defaults = {dest: p.get_default(dest) for dest in DEFERRED}
    p.set_defaults(**dict.fromkeys(DEFERRED))
    args = p.parse_args()
    unused = (dict.fromkeys(EPOCHS_ONLY, "with --steps") if args.steps
              else {"rounds": "without --steps"})
    if args.mini_batch_sizes:
        unused["mini_batch_size"] = "with --mini-batch-sizes"
    for dest, why in unused.items():
        if getattr(args, dest) is not None:
            p.error("--{} is not used {}; leave it out".format(
                dest.replace("_", "-"), why))
    for dest, value in defaults.items():
        if getattr(args, dest) is None:
            setattr(args, dest, value)
    if args.plot is not None:
        check_plot_target(p, args.plot)
    if args.seed is None:
        args.seed = random.randrange(2 ** 32)
    if args.steps:
        compare_steps(p, args)
    else:
        compare_epochs(p, args)


def compare_epochs(p, args):
    sizes = args.mini_batch_sizes or [args.mini_batch_size]
    print("mini-batch {}, eta {}, sizes {}, seed {}, {}, {} epochs".format(
        ",".join(map(str, sizes)), args.eta, ",".join(map(str, args.sizes)),
        args.seed, args.dtype, args.epochs), flush=True)
    results = []
    for m in sizes:
        normal = run_script(p, SCRIPTS[0], script_args(args, m))
        matrix = run_script(p, SCRIPTS[1],
                            script_args(args, m) + ["--dtype", args.dtype])
        results.append((m, normal, matrix))
    if len(results) == 1:
        _, normal, matrix = results[0]
        print_table(normal, matrix)
    else:
        print_sweep(results)
    if args.plot is not None:
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
    if not path.lower().endswith(".png"):
        p.error("--plot: {!r} does not end in .png".format(path))
    if os.path.isdir(path):
        p.error("--plot: {} is a folder".format(path))
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        p.error("--plot: folder {} does not exist".format(folder))
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as e:
        p.error("--plot: cannot write to folder {} ({})".format(
            folder, e.strerror or e))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        p.error("--plot needs matplotlib, which is not installed; "
                "install it with: python -m pip install matplotlib")


class Contestant(object):
    """One network in the --steps comparison: the mini-batches and test
    images in the form it takes, and the times of its turns."""

    def __init__(self, name, dtype, net, batches, test_data):
        self.name = name
        self.dtype = dtype
        self.net = net
        self.batches = batches
        self.test_data = test_data
        self.step_seconds = []      # per step, one entry per round
        self.evaluate_seconds = []  # per pass over the test images

    def take_turn(self, eta):
        start = time.perf_counter()
        for batch in self.batches:
            self.net.update_mini_batch(batch, eta)
        self.step_seconds.append((time.perf_counter() - start) / len(self.batches))

    def evaluate(self):
        start = time.perf_counter()
        self.net.evaluate(self.test_data)
        self.evaluate_seconds.append(time.perf_counter() - start)


def compare_steps(p, args):
    """Time ``args.steps`` mini-batch steps of network.py and of
    network_matrix.py in float64 and float32, taking turns."""
    (train_x, train_y), _, (test_x, test_y) = cli.load(p, args, mnist_loader.load_data)
    m = args.mini_batch_size
    if m > len(train_x):
        p.error("--mini-batch-size {} is more than the {} training images".format(
            m, len(train_x)))
    random.seed(args.seed)
    drawn = [random.sample(range(len(train_x)), m) for _ in range(args.steps)]
    book_batches = [[(train_x[i].reshape(-1, 1),
                      mnist_loader.vectorized_result(train_y[i]))
                     for i in batch] for batch in drawn]
    book_test = [(x.reshape(-1, 1), y) for x, y in zip(test_x, test_y)]
    contestants = [Contestant("network.py", "float64", new_network(network, args),
                              book_batches, book_test)]
    for dtype in ("float64", "float32"):
        matrix_batches = [(train_x[batch].T.astype(dtype),
                           mnist_loader.vectorized_result(train_y[batch]).astype(dtype))
                          for batch in drawn]
        contestants.append(Contestant(
            "network_matrix.py", dtype, new_network(network_matrix, args, dtype=dtype),
            matrix_batches, (test_x.T, test_y)))
    print("{} steps of mini-batch size {}, eta {}, sizes {}, seed {}; {} rounds, "
          "the networks taking turns".format(
              args.steps, m, args.eta, ",".join(map(str, args.sizes)), args.seed,
              args.rounds), flush=True)
    for c in in_turn(contestants, args.rounds):
        c.take_turn(args.eta)
    for c in in_turn(contestants, args.rounds):
        c.evaluate()
    print_steps(contestants, len(test_x))


def in_turn(contestants, rounds):
    """Each contestant once a round, every round starting with another, so
    that none always follows the same one."""
    for r in range(rounds):
        first = r % len(contestants)
        yield from contestants[first:] + contestants[:first]


def new_network(module, args, **kwargs):
    """A network of ``module`` drawn from the seed, so that all start alike."""
    np.random.seed(args.seed)
    return module.Network(args.sizes, **kwargs)


def print_steps(contestants, n_test):
    """The table of --steps: microseconds per step, fastest and median of
    the rounds, and milliseconds to classify the test images, each median
    with its speedup over network.py's."""
    baseline = contestants[0]
    print("{:<18} {:<8} {:>12} {:>12} {:>8} {:>12} {:>8}".format(
        "network", "dtype", "fastest us", "median us", "speedup",
        "evaluate ms", "speedup"))
    for c in contestants:
        step = statistics.median(c.step_seconds)
        evaluate = statistics.median(c.evaluate_seconds)
        print("{:<18} {:<8} {:>12.1f} {:>12.1f} {:>8} {:>12.1f} {:>8}".format(
            c.name, c.dtype, 1e6 * min(c.step_seconds), 1e6 * step,
            times(ratio(statistics.median(baseline.step_seconds), step)),
            1e3 * evaluate,
            times(ratio(statistics.median(baseline.evaluate_seconds), evaluate))))
    print("us: microseconds per mini-batch step; evaluate: the {:,} test "
          "images".format(n_test), flush=True)


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
    """What one exec script printed."""

    def __init__(self, correct, n_test, elapsed):
        self.correct = correct
        self.n_test = n_test
        self.elapsed = elapsed

    @property
    def epoch_times(self):
        """Seconds per epoch, from the cumulative times the script prints."""
        return [t - s for s, t in zip([0.0] + self.elapsed, self.elapsed)]

    def accuracy(self, j):
        return 100.0 * self.correct[j] / self.n_test


def run_script(p, script, flags):
    """Run ``script`` to the end and return its Run, passing its epoch
    lines on to stderr as they arrive.  A failure of the script (bad data,
    say) has been reported on stderr by the script itself; compare.py then
    stops with the same exit status."""
    print("running {} ...".format(script), file=sys.stderr, flush=True)
    process = subprocess.Popen([sys.executable, os.path.join(HERE, script)] + flags,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               text=True, **own_process_group())
    lines = []
    try:
        with process.stdout:
            for line in process.stdout:
                print("{}: {}".format(script, line), end="", file=sys.stderr,
                      flush=True)
                lines.append(line.rstrip("\n"))
        status = process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    if status < 0:
        p.exit(1, "{}: error: {} was killed by signal {} ({})\n".format(
            p.prog, script, -status, signal.Signals(-status).name))
    if status != 0:
        sys.exit(status)
    epochs = [EPOCH_LINE.match(line) for line in lines]
    if not epochs or not all(epochs):
        p.exit(1, "{}: error: unexpected output from {}: {!r}\n".format(
            p.prog, script, lines[:3]))
    return Run(correct=[int(e.group(2)) for e in epochs],
               n_test=int(epochs[0].group(3)),
               elapsed=[float(e.group(4)) for e in epochs])


def own_process_group():
    """The Popen arguments that start a child in a process group of its
    own, which the terminal's Ctrl-C does not reach."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def ratio(normal_seconds, matrix_seconds):
    """How many times faster the matrix network was; None when its time
    is below the 0.01 s that the scripts print, so that no ratio can be
    told."""
    return normal_seconds / matrix_seconds if matrix_seconds > 0 else None


def times(speedup):
    return "n/a" if speedup is None else "{:.1f}x".format(speedup)


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
    for name, pick in (("median", statistics.median), ("fastest", min)):
        tn, tm = pick(normal.epoch_times), pick(matrix.epoch_times)
        print("{} epoch: normal {:.2f} s, matrix {:.2f} s, speedup {}".format(
            name, tn, tm, times(ratio(tn, tm))), flush=True)


def print_sweep(results):
    """One line per mini-batch size: the median epochs, their speedup, and
    the accuracy each network ends at."""
    print("{:>10}  {:>14}  {:>14}  {:>7}  {:>10}  {:>10}".format(
        "mini-batch", "normal s/epoch", "matrix s/epoch", "speedup",
        "normal acc", "matrix acc"))
    for m, normal, matrix in results:
        tn, tm = (statistics.median(run.epoch_times) for run in (normal, matrix))
        print("{:>10}  {:>14.2f}  {:>14.2f}  {:>7}  {:>9.2f}%  {:>9.2f}%".format(
            m, tn, tm, times(ratio(tn, tm)), normal.accuracy(-1), matrix.accuracy(-1)),
            flush=True)


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
    """Accuracy against wall-clock time, one line per network and
    mini-batch size."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    fig, ax = plt.subplots(figsize=(9, 5))
    for i, (m, normal, matrix) in enumerate(results):
        color = plt.cm.tab10(i % 10)
        for run, style, name in ((normal, "o--", "network.py"),
                                 (matrix, "s-", "network_matrix.py")):
            ax.plot(run.elapsed, [run.accuracy(j) for j in range(len(run.correct))],
                    style, color=color,
                    label="{}, mini-batch {}".format(name, m))
    ax.set_xscale("log")
    # Ticks at 1, 2 and 5 of each decade, written as plain numbers: the
    # default labels minor ticks too when the times span less than a decade,
    # and they run into each other.
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: "{:g}".format(t)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("wall-clock time since training began (s, log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Per-example vs matrix-based backpropagation: accuracy "
                 "after each epoch")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    cli.run(main)
