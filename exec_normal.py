"""exec_normal.py: train the per-example network of network.py on MNIST.

Prints the test accuracy and the seconds since training began after every
epoch; ``python exec_normal.py --help`` lists the flags.
"""

import cli
import mnist_loader
import network

FLAGS = ("epochs", "mini-batch-size", "eta", "sizes", "seed", "data")


def train(args):
    """Train network.py as the book does, on its lists of column vectors,
    as the flags in ``args`` say, and return what SGD returns; compare.py
    trains it this way too."""
    # The network first: one too large for memory fails before the data
    # has been loaded for nothing.  Loading draws no random numbers.
    cli.seed(args.seed)
    net = network.Network(args.sizes)
    training_data, _, test_data = mnist_loader.load_data_wrapper(args.data)
    return net.SGD(training_data, args.epochs, args.mini_batch_size, args.eta,
                   test_data=test_data)


def main():
    p = cli.parser("Train network.py, which backpropagates one example at a "
                   "time, on MNIST and print the test accuracy and elapsed "
                   "time after every epoch.", *FLAGS)
    train(p.parse_args())


if __name__ == "__main__":
    cli.run(main)
