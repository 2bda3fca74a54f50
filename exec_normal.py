"""Train network.py, the book's per-example network, on MNIST; --help lists the flags."""

import cli
import mnist_fetch
import mnist_loader
import network

FLAGS = ("epochs", "mini-batch-size", "eta", "sizes", "seed", "data")


def train(args):
    """Train network.py on the book's lists as ``args`` say, for this script and compare.py."""
    training_data, _, test_data = mnist_loader.load_data_wrapper(args.data)
    cli.seed(args)  # after loading, so that bad data's error is the only line
    net = network.Network(args.sizes)
    return net.SGD(training_data, args.epochs, args.mini_batch_size, args.eta,
                   test_data=test_data)


def main():
    p = cli.parser("Train network.py, which backpropagates one example at a "
                   "time, on MNIST and print the test accuracy and elapsed "
                   "time after every epoch.", *FLAGS)
    train(p.parse_args())


if __name__ == "__main__":
    cli.run(main, mnist_fetch.MNISTError)
