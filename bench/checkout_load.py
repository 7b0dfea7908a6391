"""The checkout load: N client threads in this process (not the server's) review carts and place
their orders through the real form, as a browser would; prints what happened as JSON.

Input (JSON on stdin): {"bases": ["http://127.0.0.1:PORT", ...], "cookie": "name=value",
"carts": [ids], "clients": 20}. Client i talks to bases[i % len(bases)], so with two app
processes every cart's review and its order land on different hosts half of the time.
"""
import html
import http.client
import json
import os
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit

_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def request(base: str, method: str, path: str, cookie: str, body: dict | None = None):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Cookie": cookie}
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, response.getheader("Location") or "", text, time.perf_counter() - started
    finally:
        connection.close()


def checkout_form(page: str) -> dict:
    """The checkout form's fields as the page renders them: hidden fields, the chosen address."""
    fields, first_choice = {}, {}
    for tag in _INPUT.findall(page):
        attrs = {k: html.unescape(v or "") for k, v in _ATTR.findall(tag[6:])}
        name = attrs.get("name")
        if not name:
            continue
        if attrs.get("type") == "hidden":
            fields[name] = attrs.get("value", "")
        elif attrs.get("type") == "radio":
            first_choice.setdefault(name, attrs.get("value", ""))
            if "checked" in attrs:
                fields[name] = attrs.get("value", "")
    # A customer never delivered to has no address chosen in advance: the partner picks one.
    fields = {**first_choice, **fields}
    missing = {"csrf_token", "idempotency_key", "expected_total", "address"} - set(fields)
    if missing:
        raise ValueError(f"checkout page without {sorted(missing)}")
    return fields


def cpu_seconds(pids) -> float:
    """User + system CPU time of these processes so far (/proc/PID/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def processes(match) -> list[int]:
    """Pids whose (parent pid, command line) satisfy `match`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if match(ppid, cmdline):
            pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU spent by the app's workers (children of the gunicorn masters) and by PostgreSQL's
    backends serving `database`, between start() and stop()."""

    def __init__(self, masters: list[int], database: str | None):
        self.masters, self.database = set(masters), database

    def _pids(self):
        workers = processes(lambda ppid, cmd: ppid in self.masters)
        backends = processes(lambda ppid, cmd: bool(self.database) and cmd.startswith("postgres:")
                             and f" {self.database} " in cmd)
        return workers, backends

    def start(self):
        self.workers, self.backends = self._pids()
        self.app, self.db = cpu_seconds(self.workers), cpu_seconds(self.backends)

    def stop(self) -> tuple[float, float]:
        _, backends = self._pids()
        new = [pid for pid in backends if pid not in self.backends]  # connections opened meanwhile
        return cpu_seconds(self.workers) - self.app, cpu_seconds(self.backends) - self.db + cpu_seconds(new)


def run(bases: list[str], cookie: str, carts: list[int], clients: int, meter: CpuMeter | None = None) -> dict:
    lock = threading.Lock()
    forms: dict[int, dict] = {}
    errors: list[str] = []

    def review(i_cart):
        i, cart_id = i_cart
        status, _, page, _ = request(bases[i % len(bases)], "GET", f"/cart/{cart_id}/checkout", cookie)
        if status != 200:
            with lock:
                errors.append(f"review of cart {cart_id}: {status}")
            return
        form = checkout_form(page)
        form.update({"reference": f"BENCH-{cart_id}", "accept_terms": "y"})
        with lock:
            forms[cart_id] = form

    def place(i_cart, replay=False):
        i, cart_id = i_cart
        form = forms.get(cart_id)
        if form is None:
            return None
        # A replay goes to the other host, as a retry behind a load balancer may.
        base = bases[(i + (1 if replay else 0)) % len(bases)]
        status, location, _, seconds = request(base, "POST", f"/cart/{cart_id}/checkout", cookie, form)
        return {"cart": cart_id, "status": status, "location": location, "seconds": seconds}

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(review, enumerate(carts)))
    if meter:
        meter.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        placed = [r for r in pool.map(place, enumerate(carts)) if r]
    wall = time.perf_counter() - started
    app_cpu, db_cpu = meter.stop() if meter else (0.0, 0.0)
    with ThreadPoolExecutor(clients) as pool:
        replays = [r for r in pool.map(lambda ic: place(ic, replay=True), enumerate(carts)) if r]
    latencies = sorted(r["seconds"] for r in placed)
    first = {r["cart"]: r["location"] for r in placed}
    return {
        "reviewed": len(forms), "errors": errors, "posted": len(placed), "wall_seconds": wall,
        "orders_per_second": len(placed) / wall if wall else 0.0,
        "statuses": _count(r["status"] for r in placed),
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else None,
        "replay_statuses": _count(r["status"] for r in replays),
        "replays_to_same_order": sum(1 for r in replays if r["location"] and r["location"] == first.get(r["cart"])),
        "replays": len(replays),
        # CPU per order placed (the POST phase only): the app's workers, and the database's backends.
        "app_cpu_ms_per_order": 1000 * app_cpu / max(1, len(placed)),
        "db_cpu_ms_per_order": 1000 * db_cpu / max(1, len(placed)),
    }


def _count(values) -> dict:
    counts: dict[str, int] = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return counts


def main() -> int:
    spec = json.load(sys.stdin)
    meter = CpuMeter(spec.get("masters", []), spec.get("database")) if spec.get("masters") else None
    print(json.dumps(run(spec["bases"], spec["cookie"], spec["carts"], spec.get("clients", 20), meter)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
