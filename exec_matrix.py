"""Train network_matrix.py, the matrix-based network, on MNIST; --help lists the flags."""

import cli
import mnist_fetch
import mnist_loader
import network_matrix

FLAGS = ("epochs", "mini-batch-size", "eta", "sizes", "seed", "data", "dtype")


def train(args):
    """Train network_matrix.py as ``args`` say, for this script and for compare.py."""
    (train_x, train_y), _, (test_x, test_y) = mnist_loader.load_data(args.data)
    cli.seed(args)  # after loading, as in exec_normal.py
    net = network_matrix.Network(args.sizes, dtype=args.dtype)
    # The loader's images are rows, the network's columns: .T turns them, uncopied.
    return net.SGD((train_x.T, mnist_loader.vectorized_result(train_y)),
                   args.epochs, args.mini_batch_size, args.eta,
                   test_data=(test_x.T, test_y))


def main():
    p = cli.parser("Train network_matrix.py, which backpropagates a whole "
                   "mini-batch at once, on MNIST and print the test accuracy "
                   "and elapsed time after every epoch.", *FLAGS)
    train(p.parse_args())


if __name__ == "__main__":
    cli.run(main, mnist_fetch.MNISTError)
