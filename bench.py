"""Time the step that the exercise changes, and the classification of the test images.

The step is update_mini_batch: network.py's on the book's lists,
network_matrix.py's on matrices in float64 and float32.  The networks take
turns in one process, so that whatever else the machine does slows each alike.
"""

import random
import statistics
import time
import types

import cli  # first: it checks Python and limits BLAS threads before numpy loads
import mnist_fetch
import mnist_loader
import network
import network_matrix
import numpy as np


def main():
    p = cli.parser("Time the mini-batch steps of network.py and "
                   "network_matrix.py (float64 and float32), taking turns in "
                   "one process, and their classification of the test images.",
                   "mini-batch-size", "eta", "sizes", "seed", "data")
    p.add_argument("--steps", type=cli.positive_int, default=300, metavar="N",
                   help="mini-batch steps each network takes a turn; all their "
                        "mini-batches are built before the timing starts, about "
                        "10 KB per example (default: 300)")
    p.add_argument("--rounds", type=cli.positive_int, default=5, metavar="R",
                   help="the turns each network takes (default: 5)")
    args = p.parse_args()
    (train_x, train_y), _, (test_x, test_y) = mnist_loader.load_data(args.data)
    m = args.mini_batch_size
    if m > len(train_x):
        p.error("--mini-batch-size {} is more than the {} training images".format(
            m, len(train_x)))
    cli.seed(args)
    drawn = [random.sample(range(len(train_x)), m) for _ in range(args.steps)]
    book_batches = [[(train_x[i].reshape(-1, 1),
                      mnist_loader.vectorized_result(train_y[i]))
                     for i in batch] for batch in drawn]
    book_test = [(x.reshape(-1, 1), y) for x, y in zip(test_x, test_y)]
    contestants = [contestant("network.py", "float64", new_network(network, args),
                              book_batches, book_test)]
    for dtype in ("float64", "float32"):
        matrix_batches = [(train_x[batch].T.astype(dtype),
                           mnist_loader.vectorized_result(train_y[batch]).astype(dtype))
                          for batch in drawn]
        contestants.append(contestant(
            "network_matrix.py", dtype, new_network(network_matrix, args, dtype=dtype),
            matrix_batches, (test_x.T, test_y)))
    print("{} steps of mini-batch size {}, eta {}, sizes {}, seed {}; {} round{}, "
          "the networks taking turns".format(
              args.steps, m, args.eta, ",".join(map(str, args.sizes)), args.seed,
              args.rounds, "s" if args.rounds > 1 else ""), flush=True)
    for c in in_turn(contestants, args.rounds):
        start = time.perf_counter()
        for batch in c.batches:
            c.net.update_mini_batch(batch, args.eta)
        c.step_seconds.append((time.perf_counter() - start) / args.steps)
    for c in in_turn(contestants, args.rounds):
        start = time.perf_counter()
        c.net.evaluate(c.test_data)
        c.evaluate_seconds.append(time.perf_counter() - start)
    print_steps(contestants, len(test_x))


def in_turn(contestants, rounds):
    """Yield each contestant once a round, each round starting with the next one."""
    for r in range(rounds):
        first = r % len(contestants)
        yield from contestants[first:] + contestants[:first]


def contestant(name, dtype, net, batches, test_data):
    """Return a network, its data in the form it takes, and the seconds of its turns."""
    return types.SimpleNamespace(name=name, dtype=dtype, net=net, batches=batches,
                                 test_data=test_data, step_seconds=[],
                                 evaluate_seconds=[])


def new_network(module, args, **kwargs):
    """A network of ``module`` drawn from the seed, so that all start alike."""
    np.random.seed(args.seed)
    return module.Network(args.sizes, **kwargs)


def print_steps(contestants, n_test):
    """Print each network's step (fastest, median) and evaluation times, and speedups."""
    baseline = contestants[0]
    print("{:<18} {:<8} {:>12} {:>12} {:>8} {:>12} {:>8}".format(
        "network", "dtype", "fastest us", "median us", "speedup",
        "evaluate ms", "speedup"))
    for c in contestants:
        step = statistics.median(c.step_seconds)
        evaluate = statistics.median(c.evaluate_seconds)
        print("{:<18} {:<8} {:>12.1f} {:>12.1f} {:>7.1f}x {:>12.1f} {:>7.1f}x".format(
            c.name, c.dtype, 1e6 * min(c.step_seconds), 1e6 * step,
            statistics.median(baseline.step_seconds) / step, 1e3 * evaluate,
            statistics.median(baseline.evaluate_seconds) / evaluate))
    print("us: microseconds per mini-batch step; evaluate: the {:,} test "
          "images".format(n_test), flush=True)


if __name__ == "__main__":
    cli.run(main, mnist_fetch.MNISTError)
