"""Kill the daemon with SIGKILL during deliveries, 20 times, then check that most kills landed
inside a delivery, that no file or message was delivered twice, that nothing due was lost, and that
the ledger agrees with what arrived (the machinery is tests/crashkit.py; benchmarks/bench_crash.py
runs it with 200 kills)."""

from __future__ import annotations

import crashkit

KILLS = 20


def test_sigkill_during_deliveries_loses_nothing_and_sends_nothing_twice(tmp_path):
    result = crashkit.scenario(tmp_path, kills=KILLS, seed=20211)
    print(result.line(), "states:", dict(result.states), "delivered:", dict(result.deliveries),
          "killed in:", dict(result.killed_in))
    assert result.exit_code == 0, result.output[-2000:]
    assert result.kills == KILLS
    # The test bites: at least half of the kills landed while a delivery was under way.
    assert result.mid_delivery * 2 >= result.kills, result.line()
    assert result.duplicates == 0 and result.lost == 0, result.problems
    assert not result.problems, result.problems
    # Every target took part: both folders, the FTP server, the robot.
    assert {"team", "usb", "ftp", "robot"} <= set(result.deliveries), result.deliveries
