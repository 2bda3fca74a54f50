"""The two exec scripts, run as a user runs them, in a subprocess, on a
small synthetic data set; the many bad values are fed to each script's
main() in this process, which is the same code without the cost of
starting Python each time."""

import importlib
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from conftest import POSIX_SIGNALS, ROOT, run_script as run, vouch, write_pickle

SCRIPTS = ["exec_normal.py", "exec_matrix.py"]
LINE = re.compile(r"^Epoch (\d+): (\d+) / 50, elapsed time: \d+\.\d\ds$")


def test_both_scripts_print_one_line_per_epoch_and_agree_from_one_seed(mnist_file):
    counts = []
    for script, flags in ((SCRIPTS[0], []), (SCRIPTS[1], []),
                          (SCRIPTS[1], ["--dtype", "float32"])):
        result = run(script, "--data", mnist_file, "--epochs", "3", "--seed", "4", *flags)
        assert result.returncode == 0, result.stderr
        epochs = [LINE.match(line) for line in result.stdout.splitlines()]
        assert all(epochs) and [int(e.group(1)) for e in epochs] == [0, 1, 2]
        counts.append([e.group(2) for e in epochs])
    assert counts[0] == counts[1]


def started(launch, script, mnist_file, ignore=()):
    """A long run of ``script``, once it has printed its first epoch."""
    process = launch(script, "--data", mnist_file, "--epochs", "200", ignore=ignore)
    assert LINE.match(process.stdout.readline().decode().strip())
    return process


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_closed_pipe_stops_quietly(script, mnist_file, launch):
    process = started(launch, script, mnist_file)
    process.stdout.close()  # as `| head -1` does
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in err and err == ""


@POSIX_SIGNALS
@pytest.mark.parametrize("script", SCRIPTS)
def test_ctrl_c_stops_with_a_message(script, mnist_file, launch):
    process = started(launch, script, mnist_file)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.decode() == "interrupted\n"


@POSIX_SIGNALS
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_stop_signal_during_a_download_leaves_nothing(name, server, tmp_path,
                                                        launch):
    dest = tmp_path / "new" / "data" / "mnist.pkl.gz"
    process = launch("exec_matrix.py", env={"MNIST_PATH": str(dest),
                                            "MNIST_URL": server + "/stall"})
    for _ in range(600):  # wait until the download is under way
        if dest.parent.exists() and os.listdir(dest.parent):
            break
        time.sleep(0.05)
    assert os.listdir(dest.parent)[0].endswith(".part")
    signum = getattr(signal, name)
    process.send_signal(signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum
    assert err.decode().splitlines()[-1] == "stopped by " + name
    assert out == b"" and b"Traceback" not in err
    assert os.listdir(dest.parent) == []


@POSIX_SIGNALS
def test_an_ignored_sighup_stays_ignored_as_under_nohup(mnist_file, launch):
    process = started(launch, "exec_normal.py", mnist_file, ignore=["SIGHUP"])
    process.send_signal(signal.SIGHUP)
    assert LINE.match(process.stdout.readline().decode().strip())  # still training
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert err.decode() == "stopped by SIGTERM\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("script", SCRIPTS)
def test_a_full_disk_ends_with_one_line(script, mnist_file):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, os.path.join(ROOT, script), "--data", mnist_file,
             "--epochs", "1"], stdout=full, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr == "{}: error: [Errno 28] No space left on device\n".format(
        script)


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_explains_every_flag(script):
    result = run(script, "--help")
    assert result.returncode == 0
    for flag in ("--epochs", "--mini-batch-size", "--eta", "--sizes", "--seed", "--data"):
        assert flag in result.stdout


BAD_FLAGS = [
    ["--epochs", "0"], ["--epochs", "-3"], ["--epochs", "2.5"], ["--epochs", "x"],
    ["--mini-batch-size", "0"], ["--mini-batch-size", "-1"], ["--mini-batch-size", "ten"],
    ["--eta", "0"], ["--eta", "-1.5"], ["--eta", "nan"], ["--eta", "inf"], ["--eta", "fast"],
    ["--sizes", "783,30,10"], ["--sizes", "784,30,9"], ["--sizes", "784,0,10"],
    ["--sizes", "784,-5,10"], ["--sizes", "784,30.5,10"], ["--sizes", "784"],
    ["--sizes", "784,,10"], ["--sizes", ""],
    ["--seed", "1.5"], ["--seed", "-1"], ["--seed", str(2 ** 32)], ["--seed", "abc"],
    ["--dtype", "float16"], ["--no-such-flag"],
]


def run_main(script, args, monkeypatch, capsys):
    """Run ``script``'s main() with ``args``; return (exit status, stderr)."""
    module = importlib.import_module(script[:-3])
    monkeypatch.setattr(sys, "argv", [script] + list(args))
    with pytest.raises(SystemExit) as e:
        module.main()
    out, err = capsys.readouterr()
    assert out == ""
    return e.value.code, err


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("flags", BAD_FLAGS, ids=" ".join)
def test_bad_values_exit_2(script, flags, mnist_file, monkeypatch, capsys):
    status, err = run_main(script, ["--data", mnist_file] + flags,
                           monkeypatch, capsys)
    assert status == 2
    assert "error: argument {}".format(flags[0]) in err or "unrecognized" in err


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_bad_value_gets_one_error_line_and_no_traceback(script, mnist_file):
    result = run(script, "--data", mnist_file, "--eta", "-1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "{}: error: argument --eta: '-1' is not a finite number above 0".format(script))
    assert "Traceback" not in result.stderr and result.stdout == ""


def bad_files(tmp_path, monkeypatch):
    unknown = write_pickle(tmp_path / "unknown.pkl.gz", ("not", "vouched", "for"))
    wrong = write_pickle(tmp_path / "wrong.pkl.gz", ("not", "mnist", "at all"))
    vouch(monkeypatch, wrong)
    return {
        "missing": str(tmp_path / "missing.pkl.gz"),
        "directory": str(tmp_path),
        "devnull": os.devnull,
        "unknown": unknown,
        "not mnist": wrong,
    }


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("kind", ["missing", "directory", "devnull", "unknown",
                                  "not mnist"])
def test_bad_data_files_exit_2_with_how_to_point_at_a_file(script, kind, tmp_path,
                                                          monkeypatch, capsys):
    path = bad_files(tmp_path, monkeypatch)[kind]
    status, err = run_main(script, ["--data", path], monkeypatch, capsys)
    assert status == 2
    assert err.startswith("{}: error: {}: ".format(script, path))
    assert err.endswith(". To use a copy you have, give --data PATH or set MNIST_PATH\n")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("script", SCRIPTS)
def test_offline_first_run_explains_what_to_do(script, tmp_path, closed_port_url):
    dest = tmp_path / "data" / "mnist.pkl.gz"
    result = run(script, env={"MNIST_PATH": str(dest), "MNIST_URL": closed_port_url})
    progress, error = result.stderr.splitlines()
    assert result.returncode == 2 and progress.startswith("downloading " + closed_port_url)
    assert error.startswith("{}: error: could not download MNIST to {}".format(script, dest))
    assert error.endswith("--data PATH or set MNIST_PATH")
    assert os.listdir(dest.parent) == []


def test_a_network_too_large_for_memory_ends_with_one_line(mnist_file):
    result = run("exec_matrix.py", "--data", mnist_file, "--sizes", "784,1000000000000,10")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("exec_matrix.py: error: out of memory; try a smaller")
    assert len(result.stderr.splitlines()) == 1
