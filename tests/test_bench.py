"""bench.py on a tiny synthetic data set: its table and its errors.  The
timings themselves are measured by running it on the real data, never
here."""

import re

import bench

STEP_ROW = re.compile(r"^(network\.py|network_matrix\.py) +(float64|float32) +"
                      r"(\d+\.\d) +(\d+\.\d) +(\d+\.\dx) +(\d+\.\d) +(\d+\.\dx)$")


def test_each_network_is_timed(mnist_file, run_main):
    status, out, err = run_main(bench.main, "bench.py", [
        "--data", mnist_file, "--steps", "30", "--rounds", "3", "--seed", "2",
        "--mini-batch-size", "5"])
    assert status is None, err
    lines = out.splitlines()
    assert lines[0] == ("30 steps of mini-batch size 5, eta 3.0, sizes 784,30,10, "
                        "seed 2; 3 rounds, the networks taking turns")
    rows = [STEP_ROW.match(line) for line in lines[2:5]]
    assert all(rows), lines
    assert [(r.group(1), r.group(2)) for r in rows] == [
        ("network.py", "float64"), ("network_matrix.py", "float64"),
        ("network_matrix.py", "float32")]
    assert rows[0].group(5) == rows[0].group(7) == "1.0x"
    for r in rows:
        assert float(r.group(3)) <= float(r.group(4))  # fastest <= median
    assert lines[5].endswith("the 50 test images")


def contestant(name, dtype, step_us, evaluate_ms):
    c = bench.contestant(name, dtype, None, [], [])
    c.step_seconds = [t / 1e6 for t in step_us]
    c.evaluate_seconds = [t / 1e3 for t in evaluate_ms]
    return c


def test_the_numbers_in_the_table(capsys):
    """Fastest and median of the rounds, speedups of the medians."""
    bench.print_steps([
        contestant("network.py", "float64", [700, 600, 650, 900, 640], [150, 160, 155]),
        contestant("network_matrix.py", "float64", [60, 65, 80, 62, 61], [30, 31, 29]),
        contestant("network_matrix.py", "float32", [40, 52, 41], [10, 12, 11]),
    ], 10000)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["network.py", "float64", "600.0", "650.0", "1.0x",
                                "155.0", "1.0x"]
    assert lines[2].split() == ["network_matrix.py", "float64", "60.0", "62.0",
                                "10.5x", "30.0", "5.2x"]
    assert lines[3].split() == ["network_matrix.py", "float32", "40.0", "41.0",
                                "15.9x", "11.0", "14.1x"]
    assert lines[4].endswith("the 10,000 test images")


def test_a_mini_batch_larger_than_the_data_exits_2(mnist_file, run_main):
    status, out, err = run_main(bench.main, "bench.py", [
        "--data", mnist_file, "--mini-batch-size", "201"])
    assert (status, out) == (2, "")
    assert err.endswith("--mini-batch-size 201 is more than the 200 training images\n")
