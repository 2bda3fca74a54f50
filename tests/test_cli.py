"""cli.py: what stops a command, on each platform, and networks too large to
train.  cli.run is called here in this process, with the stop signals left
alone so that pytest's own handlers stay as they are."""

import argparse
import errno
import io
import signal
import sys

import pytest

import cli


@pytest.fixture
def run(monkeypatch, capsys):
    """cli.run(main) without touching signals; returns (exit status, or
    None when it returned, stdout, stderr)."""
    monkeypatch.setattr(cli, "STOP_SIGNALS", ())
    monkeypatch.setattr(sys, "argv", ["exec_matrix.py"])

    def call(main):
        try:
            cli.run(main)
            status = None
        except SystemExit as e:
            status = e.code
        out, err = capsys.readouterr()
        return status, out, err
    return call


def raising(error):
    def main():
        raise error
    return main


def test_a_broken_pipe_is_quiet(run):
    assert run(raising(BrokenPipeError(errno.EPIPE, "Broken pipe"))) == (1, "", "")


@pytest.mark.parametrize("platform, err", [
    ("win32", ""),  # how Windows says that the reader went away
    ("linux", "exec_matrix.py: error: [Errno 22] Invalid argument\n"),
    ("darwin", "exec_matrix.py: error: [Errno 22] Invalid argument\n"),
])
def test_einval_is_a_gone_reader_only_on_windows(run, monkeypatch, platform, err):
    monkeypatch.setattr(sys, "platform", platform)
    assert run(raising(OSError(errno.EINVAL, "Invalid argument"))) == (1, "", err)


def test_a_full_disk_is_one_line(run):
    status, out, err = run(raising(OSError(errno.ENOSPC, "No space left on device")))
    assert status == 1
    assert err == "exec_matrix.py: error: [Errno 28] No space left on device\n"


def test_running_out_of_memory_is_one_line(run):
    status, _, err = run(raising(MemoryError()))
    assert status == 1
    assert err.startswith("exec_matrix.py: error: out of memory; try a smaller")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize("signum, name, status", [
    (signal.SIGTERM, "SIGTERM", 143), (signal.SIGINT, "SIGINT", 130)])
def test_a_stop_signal_is_one_line(run, signum, name, status):
    assert run(raising(cli.Stopped(signum))) == (status, "", "stopped by {}\n".format(name))


def test_a_name_the_console_cannot_encode_is_escaped(run, monkeypatch):
    """As on a Windows console whose code page lacks a character."""
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    assert run(lambda: print("plot written to caf\u00e9.png"))[0] is None
    assert raw.getvalue() == b"plot written to caf\\xe9.png\n"


def test_stop_signals_are_installed_where_they_exist_and_are_not_ignored(monkeypatch):
    """Windows has no SIGHUP; under nohup SIGHUP is ignored and stays so."""
    installed = {}
    monkeypatch.setattr(signal, "getsignal", lambda s: {
        signal.SIGTERM: signal.SIG_DFL}.get(s, signal.SIG_IGN))
    monkeypatch.setattr(signal, "signal", lambda s, h: installed.setdefault(s, h))
    monkeypatch.setattr(sys, "argv", ["exec_matrix.py"])
    cli.run(lambda: None)
    assert installed == {signal.SIGTERM: cli._stop}
    installed.clear()
    monkeypatch.delattr(signal, "SIGHUP", raising=False)
    cli.run(lambda: None)
    assert installed == {signal.SIGTERM: cli._stop}


def test_a_network_too_large_for_memory_is_refused(monkeypatch):
    monkeypatch.setattr(cli, "physical_memory", lambda: 16 * 10 ** 9)
    with pytest.raises(argparse.ArgumentTypeError) as e:
        cli.layer_sizes("784,10000000,10")
    assert str(e.value) == (
        "'784,10000000,10' has 7,950,000,010 weights and biases, which need "
        "about 191 GB to train, more than the 16 GB of memory here")
    assert cli.layer_sizes("784,100000,10") == [784, 100000, 10]  # 1.9 GB


def test_without_sysconf_only_what_no_process_can_address_is_refused(monkeypatch):
    monkeypatch.delattr(cli.os, "sysconf", raising=False)  # as on Windows
    assert cli.physical_memory() is None
    assert cli.layer_sizes("784,10000000,10") == [784, 10000000, 10]
    with pytest.raises(argparse.ArgumentTypeError, match="more than a process can address"):
        cli.layer_sizes("784,{},10".format(10 ** 20))


def test_a_closed_stdout_is_refused_before_any_work(run, monkeypatch):
    """As with >&-: nothing could be printed, so nothing is trained."""
    monkeypatch.setattr(sys, "stdout", None)
    called = []
    status, _, err = run(lambda: called.append(True))
    assert (status, called) == (2, [])
    assert err == "exec_matrix.py: error: standard output is closed, so nothing could be printed\n"
