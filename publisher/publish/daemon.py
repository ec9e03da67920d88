"""``publisher run``: the long-running publisher.

Built on the ``schedule`` library: one tick every ``tick_seconds`` (a minute) asks the ledger
what is due: channel jobs whose time came since they last ran (so a morning missed while the
machine was off is caught up at start) and deliveries. ``schedule`` keeps no state across
restarts; the ledger does. SIGTERM or SIGINT stops after the delivery under way.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import schedule

from publisher.config import SiteConfig
from publisher.i18n import _
from publisher.publish.runner import Publisher

log = logging.getLogger("publisher")


def clock_from_environment(tz: ZoneInfo) -> Callable[[], dt.datetime] | None:
    """A compressed clock for end-to-end tests and rehearsals: ``PUBLISHER_CLOCK_START`` (ISO time)
    and ``PUBLISHER_CLOCK_SPEED`` (how many seconds pass per real second)."""
    start = os.environ.get("PUBLISHER_CLOCK_START")
    if not start:
        return None
    origin = dt.datetime.fromisoformat(start)
    origin = origin if origin.tzinfo else origin.replace(tzinfo=tz)
    speed = float(os.environ.get("PUBLISHER_CLOCK_SPEED", "1"))
    began = time.monotonic()
    return lambda: origin + dt.timedelta(seconds=(time.monotonic() - began) * speed)


def run(site: Path, config: SiteConfig, clock: Callable[[], dt.datetime] | None = None) -> int:
    tz = ZoneInfo(config.timezone)
    publisher = Publisher(site, config, clock or clock_from_environment(tz))

    def stop(signum: int, _frame: object) -> None:
        log.info(_("received {signal}: stopping after the delivery under way").format(
            signal=signal.Signals(signum).name))
        publisher.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(_("publisher started for {site} (ledger {ledger})").format(site=site.resolve(),
                                                                        ledger=config.safety.ledger))
    publisher.start()
    scheduler = schedule.Scheduler()
    scheduler.every(config.publish.tick_seconds).seconds.do(_safe_tick, publisher)
    _safe_tick(publisher)  # catch up at once
    for name, due in publisher.next_due_times():
        log.info(_("next {channel} job at {time}").format(channel=name, time=due.strftime("%Y-%m-%d %H:%M")))
    while not publisher.stopping:
        scheduler.run_pending()
        time.sleep(min(1.0, config.publish.tick_seconds / 4))
    log.info(_("publisher stopped"))
    return 0


def _safe_tick(publisher: Publisher) -> None:
    try:
        publisher.tick()
    except Exception:  # one bad pass must not end the daemon; the next tick tries again
        log.exception(_("tick failed"))
