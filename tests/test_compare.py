"""compare.py on a tiny synthetic data set: its options, its output and its
errors.  Speed itself is measured by running compare.py on the real data,
never here."""

import os
import re
import subprocess
import sys

import pytest

import compare as compare_module
from conftest import ROOT, synthetic_mnist, write_pickle

ROW = re.compile(r"^\s+(\d+)\s+(\d+\.\d\d)%\s+(\d+\.\d\d)\s+(\d+\.\d\d)%\s+(\d+\.\d\d)\s+(\d+\.\dx|n/a)$")


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    return write_pickle(tmp_path_factory.mktemp("data") / "mnist.pkl.gz",
                        synthetic_mnist((100, 10, 50)))


def compare(*args, env=None):
    return subprocess.run([sys.executable, os.path.join(ROOT, "compare.py")] + list(args),
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})))


def test_table_of_epochs_speedup_and_memory(small_data):
    result = compare("--data", small_data, "--epochs", "2", "--seed", "3")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ("mini-batch size 10, eta 3.0, sizes 784,30,10, seed 3, "
                        "float64, 2 epochs")
    rows = [ROW.match(line) for line in lines[2:4]]
    assert all(rows), lines
    assert [int(r.group(1)) for r in rows] == [0, 1]
    for r in rows:
        assert r.group(2) == r.group(4)  # same seed, same accuracy
    assert re.match(r"^median epoch: normal \d+\.\d\d s, matrix \d+\.\d\d s, "
                    r"speedup (\d+\.\dx|n/a)$", lines[4])
    assert re.match(r"^fastest epoch: normal \d+\.\d\d s, matrix \d+\.\d\d s, "
                    r"speedup (\d+\.\dx|n/a)$", lines[5])
    memory = re.match(r"^peak memory: normal (\d+) MB, matrix (\d+) MB "
                      r"\(matrix/normal (\d+\.\d\d)\)$", lines[6])
    assert memory and int(memory.group(1)) > 10 and int(memory.group(2)) > 10


def test_the_numbers_in_the_table(capsys):
    """Epoch times are differences of the cumulative times the scripts
    print; the summary lines compare medians and minimums of each side."""
    normal = compare_module.Run(correct=[50, 60, 70], n_test=100,
                                elapsed=[4.0, 9.0, 12.0], peak_bytes=400 * 2 ** 20)
    matrix = compare_module.Run(correct=[50, 61, 70], n_test=100,
                                elapsed=[1.0, 1.5, 2.5], peak_bytes=500 * 2 ** 20)
    assert normal.epoch_times == [4.0, 5.0, 3.0]
    assert matrix.epoch_times == [1.0, 0.5, 1.0]
    compare_module.print_table(normal, matrix)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["0", "50.00%", "4.00", "50.00%", "1.00", "4.0x"]
    assert lines[2].split() == ["1", "60.00%", "5.00", "61.00%", "0.50", "10.0x"]
    assert lines[4] == "median epoch: normal 4.00 s, matrix 1.00 s, speedup 4.0x"
    assert lines[5] == "fastest epoch: normal 3.00 s, matrix 0.50 s, speedup 6.0x"
    assert lines[6] == "peak memory: normal 400 MB, matrix 500 MB (matrix/normal 1.25)"


def test_passes_the_flags_on_to_both_scripts(small_data):
    result = compare("--data", small_data, "--epochs", "1", "--seed", "5",
                     "--eta", "0.5", "--sizes", "784,12,10", "--mini-batch-size", "7",
                     "--dtype", "float32")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "mini-batch size 7, eta 0.5, sizes 784,12,10, seed 5, float32, 1 epochs")
    assert ROW.match(result.stdout.splitlines()[2])


def test_mini_batch_sweep(small_data):
    result = compare("--data", small_data, "--epochs", "1", "--seed", "1",
                     "--mini-batch-sizes", "5,20")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "mini-batch size 5," in out and "mini-batch size 20," in out
    summary = out.splitlines()[-3:]
    assert summary[0].split() == ["mini-batch", "normal", "s/epoch", "matrix",
                                  "s/epoch", "speedup"]
    assert [line.split()[0] for line in summary[1:]] == ["5", "20"]


def test_plot_is_written(small_data, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "speed.png"
    result = compare("--data", small_data, "--epochs", "2", "--seed", "1",
                     "--mini-batch-sizes", "5,10", "--plot", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path) == ["speed.png"]


def test_plot_without_matplotlib_stops_before_training(small_data, tmp_path):
    """A matplotlib that fails to import stands in for one not installed."""
    fake = tmp_path / "fake"
    (fake / "matplotlib").mkdir(parents=True)
    (fake / "matplotlib" / "__init__.py").write_text("raise ImportError('no')\n")
    result = compare("--data", small_data, "--plot", str(tmp_path / "p.png"),
                     env={"PYTHONPATH": str(fake)})
    assert result.returncode == 2
    assert "python -m pip install matplotlib" in result.stderr
    assert "running" not in result.stderr and result.stdout == ""
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("flags, message", [
    (["--mini-batch-sizes", "0,10"], "is not at least 1"),
    (["--mini-batch-sizes", "a,b"], "is not a whole number"),
    (["--mini-batch-sizes", ""], "is not a whole number"),
    (["--epochs", "0"], "is not at least 1"),
    (["--plot", "out.jpg"], "does not end in .png"),
    (["--plot", "/no/such/folder/out.png"], "does not exist"),
    (["--dtype", "int8"], "invalid choice"),
])
def test_bad_flags_exit_2_before_training(small_data, flags, message,
                                         monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["compare.py", "--data", small_data] + flags)
    with pytest.raises(SystemExit) as e:
        compare_module.main()
    out, err = capsys.readouterr()
    assert e.value.code == 2
    assert message in err and out == ""


def test_plot_onto_a_folder_is_refused(small_data, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "plot.png"
    folder.mkdir()
    monkeypatch.setattr(sys, "argv", ["compare.py", "--data", small_data,
                                      "--plot", str(folder)])
    with pytest.raises(SystemExit) as e:
        compare_module.main()
    assert e.value.code == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("content", [b"not gzip", None])
def test_bad_data_exits_2_with_the_scripts_message(tmp_path, content):
    path = tmp_path / "bad.pkl.gz"
    if content is not None:
        path.write_bytes(content)
    result = compare("--data", str(path), "--epochs", "1")
    assert result.returncode == 2
    assert "error: {}".format(path) in result.stderr
    assert "Traceback" not in result.stderr
