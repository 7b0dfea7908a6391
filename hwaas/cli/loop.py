"""Run a job again and again beside the web server (`--loop`), until SIGTERM or SIGINT."""
import logging
import signal
import time
from collections.abc import Callable

from hwaas.extensions import db


def run_every(interval: float, work: Callable[[], None], log: logging.Logger, name: str) -> None:
    """Call `work` every `interval` seconds. A failure is logged and retried next time (the
    database may be briefly away); the session is removed after each round."""
    stopping = []

    def _stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    while not stopping:
        try:
            work()
        except Exception:  # keep the job alive
            log.exception("%s: failed; trying again in %s s", name, interval)
        finally:
            db.session.remove()
        deadline = time.monotonic() + interval
        while not stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))
