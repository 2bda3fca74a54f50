"""compare.py and bench.py: their tables, plot and errors (their counts: test_scripts)."""

import errno
import importlib.util
import os
import re
import signal
import sys

import pytest

import bench
import compare
from conftest import POSIX_SIGNALS


def printed(capsys, print_rows, *args):
    """Return the lines that ``print_rows(*args)`` printed, below its header, as words."""
    print_rows(*args)
    return [line.split() for line in capsys.readouterr().out.splitlines()[1:]]


def test_the_numbers_in_the_table_and_the_plot(capsys):
    """Epoch times, medians and minimums; without test images, no counts.

    The plot then draws the epochs completed; its time axis shows plain
    numbers that do not overlap.
    """
    normal = [(50, 4.0), (60, 9.0), (70, 12.0)]
    matrix = [(50, 1.0), (61, 1.5), (70, 2.5)]
    uncounted = [(None, 0.4), (None, 4.5)], [(None, 0.2), (None, 0.8)]
    *epochs, median, fastest = printed(capsys, compare.print_table, normal, matrix)
    assert epochs == [["0", "50", "4.00", "50", "1.00", "4.0x"],
                      ["1", "60", "5.00", "61", "0.50", "10.0x"],
                      ["2", "70", "3.00", "70", "1.00", "3.0x"]]
    assert " ".join(median) == "median epoch: normal 4.00 s, matrix 1.00 s, speedup 4.0x"
    assert " ".join(fastest) == "fastest epoch: normal 3.00 s, matrix 0.50 s, speedup 6.0x"
    *sizes, note = printed(capsys, compare.print_sweep,
                           [(10, normal, matrix), (100, matrix, [(70, 0.0)])])
    assert sizes == [["10", "4.00", "1.00", "4.0x", "70", "70"],
                     ["100", "1.00", "0.00", "n/a", "70", "70"]]
    assert "median" in note  # what s/epoch is
    assert printed(capsys, compare.print_table, *uncounted)[1] == [
        "1", "-", "4.10", "-", "0.60", "6.8x"]
    assert printed(capsys, compare.print_sweep, [(10, *uncounted)])[0] == [
        "10", "2.25", "0.40", "5.6x", "-", "-"]
    if importlib.util.find_spec("matplotlib"):
        fig = compare.draw([(10, *uncounted)])
        ax = fig.axes[0]
        assert (ax.get_ylabel(), list(ax.lines[0].get_ydata())) == ("epochs completed", [1, 2])
        fig.canvas.draw()
        low, high = ax.get_xlim()
        ticks = [t for t in ax.get_xticklabels(which="both")
                 if t.get_text() and low <= t.get_position()[0] <= high]
        assert len(ticks) >= 3 and all(re.match(r"^\d+(\.\d+)?$", t.get_text()) for t in ticks)
        boxes = sorted((t.get_window_extent() for t in ticks), key=lambda b: b.x0)
        assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:]))


def test_a_plot_is_written_whole_or_not_at_all(mnist_file, tmp_path, monkeypatch,
                                               run_script):
    """An old plot stays until the new one is whole, whatever stops the write."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    target = tmp_path / "speed.SVG"
    target.write_bytes(b"old plot")
    args = ["--data", mnist_file, "--epochs", "1", "--seed", "1",
            "--mini-batch-sizes", "5,20", "--plot", str(target)]
    save = Figure.savefig
    for failure, status, last_line in [
            (KeyboardInterrupt, 130, "interrupted"),
            (OSError(errno.ENOSPC, "No space left on device"), 2, "compare.py: error: "
             "--plot: cannot write {!r}: No space left on device".format(str(target)))]:
        def torn(self, fname, **kwargs):
            if not isinstance(fname, (str, os.PathLike)):  # the draft, in memory
                return save(self, fname, **kwargs)
            with open(fname, "wb") as f:
                f.write(b"<svg torn")
            raise failure
        with monkeypatch.context() as patch:
            patch.setattr(Figure, "savefig", torn)
            code, out, err = run_script("compare.py", args)
        assert (code, err.splitlines()[-1]) == (status, last_line)
        assert target.read_bytes() == b"old plot"
        assert sorted(os.listdir(tmp_path)) == ["mnist.pkl.gz", "speed.SVG"]
    status, out, err = run_script("compare.py", args)
    assert status is None, err
    lines = out.splitlines()
    assert lines[0] == "mini-batch 5,20, eta 3.0, sizes 784,30,10, seed 1, float64, 1 epoch"
    assert [line.split()[0] for line in lines[2:4]] == ["5", "20"]
    assert lines[-1] == "plot written to {!r}".format(str(target))
    assert b"<svg" in target.read_bytes()[:500]
    assert sorted(os.listdir(tmp_path)) == ["mnist.pkl.gz", "speed.SVG"]


CANNOT_WRITE = "cannot write '{tmp}/p.png'; name a file you can write"


@pytest.mark.parametrize("flags, message, refused", [
    (["--mini-batch-sizes", "0,10"], "comma-separated list of whole numbers of at least 1", 0),
    (["--mini-batch-sizes", "10 100"], "'10 100' is not a comma-separated list", 0),
    (["--plot", "out"], "'out' does not end in a format matplotlib writes (.", 0),
    (["--plot", "{tmp}/no/such/o.png"], "there is no folder '{tmp}/no/such'; make it", 0),
    (["--plot", "{tmp}/plot.png"], "'{tmp}/plot.png' is a folder; name the file itself", 0),
    (["--plot", "{tmp}/p.png"], CANNOT_WRITE, "{tmp}"),
    (["--plot", "{tmp}/p.png"], CANNOT_WRITE, "{tmp}/p.png"),
    (["--plot", "{tmp}/p.pgf"], "matplotlib cannot write '{tmp}/p.pgf' on this machine "
     "('xelatex' not found", "LaTeX"),
    (["--plot", "{tmp}/p.png"], "install it with: python -m pip install matplotlib",
     "matplotlib"),
    (["--data", "{tmp}/missing.pkl.gz"], "'{tmp}/missing.pkl.gz': No such file or", 0),
])
def test_bad_flags_and_data_exit_2_with_one_line_before_training(
        mnist_file, flags, message, refused, tmp_path, monkeypatch, run_script):
    """A place or format that cannot be written is refused before training.

    As root every place can be written, so os.access says no; an empty PATH
    takes LaTeX away.
    """
    if "--plot" in flags and refused != "matplotlib":
        pytest.importorskip("matplotlib")
    (tmp_path / "plot.png").mkdir()
    (tmp_path / "p.png").write_bytes(b"old plot")
    if refused == "matplotlib":
        for name in ["matplotlib"] + [m for m in sys.modules if m.startswith("matplotlib.")]:
            monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    elif refused == "LaTeX":
        monkeypatch.setenv("PATH", str(tmp_path))
    elif refused:
        no = refused.format(tmp=tmp_path)
        monkeypatch.setattr(compare.os, "access", lambda path, mode: path != no)
    flags = [flag.format(tmp=tmp_path) for flag in flags]
    status, out, err = run_script("compare.py", ["--data", mnist_file] + flags)
    assert (status, out) == (2, "")
    *usage, error = err.splitlines()  # argparse's usage, for a flag
    assert all(line.startswith(("usage: ", " ")) for line in usage)
    assert error.startswith("compare.py: error: ") and message.format(tmp=tmp_path) in error
    assert sorted(os.listdir(tmp_path)) == ["mnist.pkl.gz", "p.png", "plot.png"]


@POSIX_SIGNALS
def test_epoch_lines_come_as_they_are_printed_and_ctrl_c_ends_with_one_line(
        mnist_file, launch):
    process = launch("compare.py", "--data", mnist_file, "--epochs", "500")
    for line in process.stderr:  # the first epoch, long before the last
        if line.startswith("Epoch 0: "):
            break
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    lines = err.splitlines()
    assert lines[-1] == "interrupted"
    assert all(re.match(r"^Epoch \d+: ", line) for line in lines[:-1])


@pytest.mark.parametrize("rounds, named", [("1", "1 round"), ("3", "3 rounds")])
def test_bench_times_each_network(rounds, named, mnist_file, run_script):
    status, out, err = run_script("bench.py", [
        "--data", mnist_file, "--steps", "30", "--rounds", rounds, "--seed", "2",
        "--mini-batch-size", "5"])
    assert status is None, err
    lines = out.splitlines()
    assert lines[0] == ("30 steps of mini-batch size 5, eta 3.0, sizes 784,30,10, "
                        "seed 2; {}, the networks taking turns".format(named))
    rows = [line.split() for line in lines[2:5]]
    assert [row[:2] for row in rows] == [["network.py", "float64"], [
        "network_matrix.py", "float64"], ["network_matrix.py", "float32"]]
    assert rows[0][4] == rows[0][6] == "1.0x"
    assert all(float(row[2]) <= float(row[3]) for row in rows)  # fastest <= median
    assert lines[5].endswith("the 50 test images")


def contestant(name, dtype, step_us, evaluate_ms):
    c = bench.contestant(name, dtype, None, [], [])
    c.step_seconds = [t / 1e6 for t in step_us]
    c.evaluate_seconds = [t / 1e3 for t in evaluate_ms]
    return c


def test_the_numbers_in_benchs_table(capsys):
    """Fastest and median of the rounds, speedups of the medians."""
    bench.print_steps([
        contestant("network.py", "float64", [700, 600, 650, 900, 640], [150, 160, 155]),
        contestant("network_matrix.py", "float64", [60, 65, 80, 62, 61], [30, 31, 29]),
        contestant("network_matrix.py", "float32", [40, 52, 41], [10, 12, 11]),
    ], 10000)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split() for line in lines[1:4]] == [
        ["network.py", "float64", "600.0", "650.0", "1.0x", "155.0", "1.0x"],
        ["network_matrix.py", "float64", "60.0", "62.0", "10.5x", "30.0", "5.2x"],
        ["network_matrix.py", "float32", "40.0", "41.0", "15.9x", "11.0", "14.1x"]]
    assert lines[4].endswith("the 10,000 test images")


def test_bench_refuses_a_mini_batch_larger_than_the_data(mnist_file, run_script):
    status, out, err = run_script("bench.py", [
        "--data", mnist_file, "--mini-batch-size", "201"])
    assert (status, out) == (2, "")
    assert err.endswith("--mini-batch-size 201 is more than the 200 training images\n")
