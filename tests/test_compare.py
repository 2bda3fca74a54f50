"""compare.py on a tiny synthetic data set: its table, its sweep, its plot
and its errors.  That its counts are the scripts' is tested in test_exec;
speed itself is measured by running it on the real data, never here."""

import importlib.util
import os
import re
import signal
import sys

import pytest

import compare
from conftest import POSIX_SIGNALS


def test_the_numbers_in_the_table(capsys):
    """Epoch times are differences of the times since the call that SGD
    returns; the summary lines compare medians and minimums of each side.
    Without test images, the plot draws the epochs completed."""
    normal = [(50, 4.0), (60, 9.0), (70, 12.0)]
    matrix = [(50, 1.0), (61, 1.5), (70, 2.5)]
    compare.print_table(normal, matrix)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["0", "50", "4.00", "50", "1.00", "4.0x"]
    assert lines[2].split() == ["1", "60", "5.00", "61", "0.50", "10.0x"]
    assert lines[4] == "median epoch: normal 4.00 s, matrix 1.00 s, speedup 4.0x"
    assert lines[5] == "fastest epoch: normal 3.00 s, matrix 0.50 s, speedup 6.0x"
    compare.print_sweep([(10, normal, matrix), (100, matrix, [(70, 0.0)])])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["10", "4.00", "1.00", "4.0x", "70", "70"]
    assert lines[2].split() == ["100", "1.00", "0.00", "n/a", "70", "70"]
    # Without test images: the times, and no counts.
    normal, matrix = [(None, 4.0), (None, 9.0)], [(None, 1.0), (None, 1.5)]
    compare.print_table(normal, matrix)
    assert capsys.readouterr().out.splitlines()[2].split() == [
        "1", "-", "5.00", "-", "0.50", "10.0x"]
    compare.print_sweep([(10, normal, matrix)])
    assert capsys.readouterr().out.splitlines()[1].split() == [
        "10", "4.50", "0.75", "6.0x", "-", "-"]
    if importlib.util.find_spec("matplotlib"):
        ax = compare.draw([(10, normal, matrix)]).axes[0]
        assert (ax.get_ylabel(), list(ax.lines[0].get_ydata())) == ("epochs completed", [1, 2])


def test_a_sweep_draws_its_plot_whole_in_the_format_its_name_says(
        mnist_file, tmp_path, monkeypatch, run_main):
    """An old plot stays until the new one is whole: here Ctrl-C comes
    while the first try is being written."""
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure
    target = tmp_path / "speed.SVG"
    target.write_bytes(b"old plot")
    args = ["--data", mnist_file, "--epochs", "1", "--seed", "1",
            "--mini-batch-sizes", "5,20", "--plot", str(target)]
    with monkeypatch.context() as patch:
        def interrupted(self, fname, **kwargs):
            with open(fname, "wb") as f:
                f.write(b"<svg torn")
            raise KeyboardInterrupt
        patch.setattr(Figure, "savefig", interrupted)
        assert run_main(compare.main, "compare.py", args)[0] == 130
    assert target.read_bytes() == b"old plot"
    assert sorted(os.listdir(tmp_path)) == ["mnist.pkl.gz", "speed.SVG"]
    status, out, err = run_main(compare.main, "compare.py", args)
    assert status is None, err
    lines = out.splitlines()
    assert lines[0] == "mini-batch 5,20, eta 3.0, sizes 784,30,10, seed 1, float64, 1 epoch"
    assert [line.split()[0] for line in lines[2:4]] == ["5", "20"]
    assert lines[4] == "plot written to {!r}".format(str(target))
    assert b"<svg" in target.read_bytes()[:500]
    assert sorted(os.listdir(tmp_path)) == ["mnist.pkl.gz", "speed.SVG"]


def test_the_time_axis_is_readable_within_a_decade():
    """Times from 0.4 s to 4 s: every tick label shown is a plain number,
    and no two of them overlap."""
    pytest.importorskip("matplotlib")
    fig = compare.draw([(10, [(80, 2.2), (90, 4.5)], [(80, 0.4), (91, 0.8)])])
    fig.canvas.draw()
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    labels = [t for t in ax.get_xticklabels(which="both")
              if t.get_text() and low <= t.get_position()[0] <= high]
    texts = [t.get_text() for t in labels]
    assert len(texts) >= 3 and "1" in texts
    assert all(re.match(r"^\d+(\.\d+)?$", text) for text in texts), texts
    boxes = sorted((t.get_window_extent() for t in labels), key=lambda b: b.x0)
    for a, b in zip(boxes, boxes[1:]):
        assert a.x1 < b.x0


CANNOT_WRITE = "cannot write '{tmp}/p.png'; name a file you can write"


@pytest.mark.parametrize("flags, message, refused", [
    (["--mini-batch-sizes", "0,10"], "comma-separated list of whole numbers of at least 1", 0),
    (["--mini-batch-sizes", "10 100"], "'10 100' is not a comma-separated list", 0),
    (["--plot", "out"], "'out' does not end in a format matplotlib writes (.", 0),
    (["--plot", "{tmp}/no/such/o.png"], "there is no folder '{tmp}/no/such'; make it", 0),
    (["--plot", "{tmp}/plot.png"], "'{tmp}/plot.png' is a folder; name the file itself", 0),
    (["--plot", "{tmp}/p.png"], CANNOT_WRITE, "{tmp}"),
    (["--plot", "{tmp}/p.png"], CANNOT_WRITE, "{tmp}/p.png"),
    (["--plot", "{tmp}/p.png"], "install it with: python -m pip install matplotlib",
     "matplotlib"),
    (["--data", "{tmp}/missing.pkl.gz"], "'{tmp}/missing.pkl.gz': No such file or", 0),
])
def test_bad_flags_and_data_exit_2_with_one_line_before_training(
        mnist_file, flags, message, refused, tmp_path, monkeypatch, run_main):
    """Refused: a folder or an old plot that cannot be written (as root all
    can be, so os.access says no), or matplotlib missing."""
    if "--plot" in flags and refused != "matplotlib":
        pytest.importorskip("matplotlib")
    (tmp_path / "plot.png").mkdir()
    (tmp_path / "p.png").write_bytes(b"old plot")
    if refused == "matplotlib":
        for name in ["matplotlib"] + [m for m in sys.modules if m.startswith("matplotlib.")]:
            monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    elif refused:
        no = refused.format(tmp=tmp_path)
        monkeypatch.setattr(compare.os, "access", lambda path, mode: path != no)
    flags = [flag.format(tmp=tmp_path) for flag in flags]
    status, out, err = run_main(compare.main, "compare.py", ["--data", mnist_file] + flags)
    assert (status, out) == (2, "")
    *usage, error = err.splitlines()  # argparse's usage, for a flag
    assert all(line.startswith(("usage: ", " ")) for line in usage)
    assert error.startswith("compare.py: error: ") and message.format(tmp=tmp_path) in error


@POSIX_SIGNALS
def test_epoch_lines_come_as_they_are_printed_and_ctrl_c_ends_with_one_line(
        mnist_file, launch):
    process = launch("compare.py", "--data", mnist_file, "--epochs", "500")
    for line in process.stderr:  # the first epoch, long before the last
        if line.startswith(b"Epoch 0: "):
            break
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    lines = err.decode().splitlines()
    assert lines[-1] == "interrupted"
    assert all(re.match(r"^Epoch \d+: ", line) for line in lines[:-1])
