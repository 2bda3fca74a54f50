"""compare.py on a tiny synthetic data set: its table, its sweep, its plot
and its errors.  That its counts are the scripts' is tested in test_exec;
speed itself is measured by running it on the real data, never here."""

import re
import signal
import sys

import pytest

import compare
from conftest import POSIX_SIGNALS


def test_the_numbers_in_the_table(capsys):
    """Epoch times are differences of the times since the call that SGD
    returns; the summary lines compare medians and minimums of each side."""
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


def test_a_sweep_draws_its_plot(mnist_file, tmp_path, run_main):
    pytest.importorskip("matplotlib")
    (tmp_path / "plots").mkdir()
    target = tmp_path / "plots" / "SPEED.PNG"  # any case of .png
    status, out, err = run_main(compare.main, "compare.py", [
        "--data", mnist_file, "--epochs", "1", "--seed", "1",
        "--mini-batch-sizes", "5,20", "--plot", str(target)])
    assert status is None, err
    lines = out.splitlines()
    assert lines[0] == "mini-batch 5,20, eta 3.0, sizes 784,30,10, seed 1, float64, 1 epoch"
    assert [line.split()[0] for line in lines[2:4]] == ["5", "20"]
    assert lines[4] == "plot written to {}".format(target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in target.parent.iterdir()] == ["SPEED.PNG"]


def test_the_time_axis_is_readable_within_a_decade():
    """Times from 0.4 s to 4 s: every tick label shown is a plain number,
    and no two of them overlap."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt
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
    plt.close(fig)


@pytest.mark.parametrize("flags, message", [
    (["--mini-batch-sizes", "0,10"], "is not a whole number of at least 1"),
    (["--mini-batch-sizes", "a,b"], "is not a whole number"),
    (["--mini-batch-sizes", ""], "is not a whole number"),
    (["--epochs", "0"], "is not a whole number of at least 1"),
    (["--plot", "out.jpg"], "'out.jpg' does not end in .png"),
    (["--plot", ""], "'' does not end in .png"),
    (["--plot", "{tmp}/no/such/out.png"], "cannot write to folder {tmp}/no/such"),
    (["--plot", "{tmp}/folder.png"], "is a folder"),
    (["--dtype", "int8"], "invalid choice"),
    (["--steps", "5"], "unrecognized arguments: --steps"),  # bench.py's
])
def test_bad_flags_exit_2_before_training(mnist_file, flags, message, tmp_path, run_main):
    (tmp_path / "folder.png").mkdir()
    flags = [flag.format(tmp=tmp_path) for flag in flags]
    status, out, err = run_main(compare.main, "compare.py", ["--data", mnist_file] + flags)
    assert status == 2 and out == ""
    assert message.format(tmp=tmp_path) in err


def test_a_plot_that_could_not_be_written_stops_before_training(
        mnist_file, tmp_path, monkeypatch, run_main):
    """matplotlib missing, or a read-only folder: as root every folder is
    writable, so a refusing TemporaryFile stands in."""
    def refuse(**kwargs):
        raise PermissionError(13, "Permission denied")
    args = ["--data", mnist_file, "--plot", str(tmp_path / "p.png")]
    with monkeypatch.context() as patch:
        patch.setattr(compare.tempfile, "TemporaryFile", refuse)
        status, out, err = run_main(compare.main, "compare.py", args)
    assert (status, out) == (2, "")
    assert err.endswith("cannot write to folder {} (Permission denied)\n".format(tmp_path))
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
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
