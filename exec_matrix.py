"""exec_matrix.py: train the matrix-based network of network_matrix.py on
MNIST, printing the same lines as exec_normal.py.  The images go to the
network as the matrices the loader returns, one image per column, not as the
book's 50,000 column vectors; ``python exec_matrix.py --help`` lists the flags.
"""

import cli
import mnist_loader
import network_matrix

FLAGS = ("epochs", "mini-batch-size", "eta", "sizes", "seed", "data", "dtype")


def train(args):
    """Train network_matrix.py on matrices, as the flags in ``args`` say,
    and return what SGD returns; compare.py trains it this way too."""
    # The network first, as in exec_normal.py.
    cli.seed(args.seed)
    net = network_matrix.Network(args.sizes, dtype=args.dtype)
    (train_x, train_y), _, (test_x, test_y) = mnist_loader.load_data(args.data)
    return net.SGD((train_x.T, mnist_loader.vectorized_result(train_y)),
                   args.epochs, args.mini_batch_size, args.eta,
                   test_data=(test_x.T, test_y))


def main():
    p = cli.parser("Train network_matrix.py, which backpropagates a whole "
                   "mini-batch at once, on MNIST and print the test accuracy "
                   "and elapsed time after every epoch.", *FLAGS)
    train(p.parse_args())


if __name__ == "__main__":
    cli.run(main)
