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
        assert ax.get_ylabel() == "epochs completed"
        assert list(ax.lines[0].get_ydata()) == [1, 2]


def test_a_sweep_draws_its_plot_in_the_format_its_name_says(mnist_file, tmp_path,
                                                              run_main):
    pytest.importorskip("matplotlib")
    target = tmp_path / "speed.SVG"
    status, out, err = run_main(compare.main, "compare.py", [
        "--data", mnist_file, "--epochs", "1", "--seed", "1",
        "--mini-batch-sizes", "5,20", "--plot", str(target)])
    assert status is None, err
    lines = out.splitlines()
    assert lines[0] == "mini-batch 5,20, eta 3.0, sizes 784,30,10, seed 1, float64, 1 epoch"
    assert [line.split()[0] for line in lines[2:4]] == ["5", "20"]
    assert lines[4] == "plot written to {!r}".format(str(target))
    assert b"<svg" in target.read_bytes()[:500]
    assert os.listdir(tmp_path) == ["mnist.pkl.gz", "speed.SVG"]


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


@pytest.mark.parametrize("flags, message", [
    (["--mini-batch-sizes", "0,10"], "is not a whole number of at least 1"),
    (["--mini-batch-sizes", "a,b"], "is not a whole number"),
    (["--plot", "out"], "'out' does not end in a format matplotlib writes (."),
    (["--plot", "{tmp}/no/such/out.png"], "cannot write into folder '{tmp}/no/such'"),
])
def test_bad_flags_exit_2_before_training(mnist_file, flags, message, tmp_path, run_main):
    if "--plot" in flags:
        pytest.importorskip("matplotlib")
    flags = [flag.format(tmp=tmp_path) for flag in flags]
    status, out, err = run_main(compare.main, "compare.py", ["--data", mnist_file] + flags)
    assert status == 2 and out == ""
    assert message.format(tmp=tmp_path) in err


def test_a_plot_that_could_not_be_written_stops_before_training(
        mnist_file, tmp_path, monkeypatch, run_main):
    """A read-only folder (as root every folder is writable, so os.access
    says no), or matplotlib missing."""
    args = ["--data", mnist_file, "--plot", str(tmp_path / "p.png")]
    if importlib.util.find_spec("matplotlib"):
        with monkeypatch.context() as patch:
            patch.setattr(compare.os, "access", lambda path, mode: False)
            status, out, err = run_main(compare.main, "compare.py", args)
        assert (status, out) == (2, "")
        assert err.endswith("cannot write into folder {!r}\n".format(str(tmp_path)))
    for name in ["matplotlib"] + [m for m in sys.modules if m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    status, out, err = run_main(compare.main, "compare.py", args)
    assert (status, out) == (2, "")
    assert err.endswith("install it with: python -m pip install matplotlib\n")


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
