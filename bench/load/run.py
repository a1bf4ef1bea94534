"""Run the load test: data, `make serve` on PostgreSQL, locust at 10 then 50 users, figures.

    .venv/bin/python -m bench.load.run [--users 10,50] [--spawn-rate 5,10] [--time 60s]

(`make load` runs exactly this.) Steps, each bounded in time:

1. `python -m bench.load.setup` on LOAD_DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/kpi_load; DATABASE_URL is ignored, so
   a test database is never emptied): builds the agency once;
2. `make serve` with production settings (DEBUG=0, a fresh SECRET_KEY) over
   plain HTTP on 127.0.0.1:PORT (8120): secure cookies and the HTTPS redirect
   off, ALLOWED_HOSTS=127.0.0.1, the login throttle effectively off (every
   simulated user logs in from the same address); the server's output goes
   to bench/out/load-server.log;
3. waits (at most 180 s) until /health/ answers 200;
4. for each user count: `locust --headless -u N -r R -t 60s --csv
   bench/out/load-uN` (killed if it overruns by 120 s), then the table of
   requests per second, median, p95 and failures per request type;
5. stops the server (SIGTERM to make, which passes it to deploy/serve.sh;
   SIGKILL to what is left after 60 s).

The tables are also written to bench/out/load-summary.md. The exit status is
1 when any request failed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"
PY = ROOT / ".venv" / "bin" / "python"
LOCUST = ROOT / ".venv" / "bin" / "locust"
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kpi_load"
HEALTH_WAIT = 180
STOP_WAIT = 60
LOCUST_GRACE = 120


def server_env(port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=os.environ.get("LOAD_DATABASE_URL") or DEFAULT_DATABASE_URL,
        ALLOWED_HOSTS="127.0.0.1",
        HOST="127.0.0.1",
        PORT=str(port),
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        TRUST_X_FORWARDED_PROTO="0",
        LOGIN_FAILURE_LIMIT="1000000",
        CONN_MAX_AGE=os.environ.get("CONN_MAX_AGE") or "60",
        PRIVATE_MEDIA_ROOT=str(OUT / "load-private"),
        TASKS_BACKEND="database",
        # Where gunicorn writes its pid, so a stuck server can still be stopped.
        GUNICORN_CMD_ARGS=f"--pid {OUT / 'load-gunicorn.pid'}",
    )
    return env


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc), children first."""
    found, todo = [], [pid]
    for _ in range(1000):  # bounded walk
        if not todo:
            break
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_health(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + HEALTH_WAIT
    url = f"http://127.0.0.1:{port}/health/"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited (status {server.returncode}); see the log")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    print(f"server up: {url} -> {response.read(200).decode()}")
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise SystemExit(f"{url} did not answer 200 within {HEALTH_WAIT} s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    below = descendants(server.pid)
    pidfile = OUT / "load-gunicorn.pid"
    if pidfile.exists():
        below.append(int(pidfile.read_text().strip() or 0))
    # make passes SIGTERM on to deploy/serve.sh and waits for it; serve.sh stops
    # gunicorn and the worker gracefully.
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=STOP_WAIT)
    except subprocess.TimeoutExpired:
        print(f"server still running after {STOP_WAIT} s: killing it", file=sys.stderr)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    for pid in below:
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)
    print(f"server stopped (status {server.returncode})")


def warm_up(port: int) -> None:
    """A few anonymous requests so each gunicorn worker has loaded the URLconf and locales."""
    from concurrent.futures import ThreadPoolExecutor

    def fetch(_number: int) -> None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=30) as r:
                r.read()
        except (urllib.error.URLError, OSError):
            pass

    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(fetch, range(20)))


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each of these processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return found


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots by the processes alive at the second."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def database_backends(name: str) -> list[int]:
    """PostgreSQL backends serving database `name` (read from /proc, nothing is signalled)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if command.startswith("postgres:") and f" {name} " in command:
                found.append(int(entry.name))
    return found


class CpuSampler:
    """CPU seconds used by the server's processes and its PostgreSQL backends during a run.

    Sampled every second in a thread, so that a backend or worker that ends
    mid-run (CONN_MAX_AGE, max_requests) still counts up to its last sample.
    """

    def __init__(self, server: subprocess.Popen, database: str) -> None:
        self.server, self.database = server, database
        self.start = {"app": self._app(), "db": self._db()}
        self.last = {key: dict(value) for key, value in self.start.items()}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _app(self) -> dict[int, float]:
        return cpu_seconds(descendants(self.server.pid))

    def _db(self) -> dict[int, float]:
        return cpu_seconds(database_backends(self.database))

    def _sample(self) -> None:
        for key, now in (("app", self._app()), ("db", self._db())):
            self.last[key].update(now)

    def _run(self) -> None:
        while not self.stopping.wait(1.0):
            self._sample()

    def stop(self) -> dict[str, float]:
        self.stopping.set()
        self.thread.join(timeout=10)
        self._sample()
        return {key: cpu_used(self.start[key], self.last[key]) for key in self.last}


def run_locust(users: int, rate: int, duration: str, port: int) -> Path:
    prefix = OUT / f"load-u{users}"
    command = [
        str(LOCUST), "-f", str(LOCUSTFILE), "--headless",
        "-u", str(users), "-r", str(rate), "-t", duration,
        "--host", f"http://127.0.0.1:{port}",
        "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
        "--loglevel", "INFO", "--logfile", f"{prefix}-locust.log",
    ]  # fmt: skip
    seconds = _seconds(duration)
    print(f"\n$ {' '.join(command[1:])}", flush=True)
    load_before = os.getloadavg()[0]
    extra = Path(f"{prefix}_extra.json")
    for old in (extra, Path(f"{prefix}-locust.log")):
        old.unlink(missing_ok=True)
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "LOAD_EXTRA_OUT": str(extra)},
        timeout=seconds + LOCUST_GRACE,
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 1):  # 1: some requests failed
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"locust failed (status {done.returncode})")
    errors = [line for line in done.stderr.splitlines() if "Error" in line or "Traceback" in line]
    if errors:
        print("locust reported:\n  " + "\n  ".join(errors[:20]), file=sys.stderr)
    print(f"load average (1 min) before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")
    return Path(f"{prefix}_stats.csv")


def _seconds(duration: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    if duration[-1] in units:
        return int(float(duration[:-1]) * units[duration[-1]])
    return int(duration)


def table(stats: Path, users: int) -> tuple[str, int]:
    """The markdown table of one run (request type rows, then the total); failures."""
    with stats.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    extra_path = stats.with_name(stats.name.replace("_stats.csv", "_extra.json"))
    extra = json.loads(extra_path.read_text()) if extra_path.exists() else {}
    started = ", ".join(f"{n} {k}" for k, n in sorted(extra.get("users", {}).items()))
    lines = [
        f"**{users} users** ({started or 'classes unknown'})",
        "",
        "| request | count | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    failures = 0
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "**total**" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        if row["Name"] == "Aggregated":
            failures = int(row["Failure Count"])
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} "
            f"| {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} "
            f"| {row['99%']} | {float(row['Max Response Time']):.0f} |"
        )
        labels = {
            "pages": "**total without log-in**",
            "steady": "**steady state** (all logged in, log-in excluded)",
        }
        for key, label in labels.items():
            if row["Name"] == "Aggregated" and extra.get(key):
                part = extra[key]
                lines.append(
                    f"| {label} | {part['count']} | | "
                    f"| {part['p50']:.0f} | {part['p95']:.0f} | {part['p99']:.0f} | |"
                )
    failed = stats.with_name(stats.name.replace("_stats.csv", "_failures.csv"))
    if failed.exists():
        with failed.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                lines.append(
                    f"\nfailure: {row['Method']} {row['Name']}: "
                    f"{row['Error']} ({row['Occurrences']}x)"
                )
    return "\n".join(lines), failures


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="10,50")
    parser.add_argument("--spawn-rate", default="5,10")
    parser.add_argument("--time", default="60s")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8120))
    parser.add_argument("--skip-setup", action="store_true")
    args = parser.parse_args(argv)
    users = [int(x) for x in args.users.split(",")]
    rates = [int(x) for x in args.spawn_rate.split(",")]
    rates += [rates[-1]] * (len(users) - len(rates))
    OUT.mkdir(parents=True, exist_ok=True)
    env = server_env(args.port)

    if not args.skip_setup:
        setup_env = {**os.environ, "LOAD_DATABASE_URL": env["DATABASE_URL"], "DEBUG": "1"}
        subprocess.run(
            [str(PY), "-m", "bench.load.setup"], cwd=ROOT, env=setup_env, check=True, timeout=1800
        )
    if port_in_use(args.port):
        raise SystemExit(f"port {args.port} is in use: stop that server or pass --port")

    log_path = OUT / "load-server.log"
    print(f"starting `make serve` on 127.0.0.1:{args.port} (log: {log_path})", flush=True)
    with log_path.open("w") as log:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"PORT={args.port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    summary = [f"Machine: {machine()}", ""]
    failures = 0
    try:
        wait_health(args.port, server)
        warm_up(args.port)
        database = env["DATABASE_URL"].rsplit("/", 1)[-1]
        for count, rate in zip(users, rates, strict=True):
            sampler = CpuSampler(server, database)
            client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            stats = run_locust(count, rate, args.time, args.port)
            used = sampler.stop()
            client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            client = (client_after.ru_utime + client_after.ru_stime) - (
                client_before.ru_utime + client_before.ru_stime
            )
            text, failed = table(stats, count)
            with stats.open(newline="", encoding="utf-8") as handle:
                total = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
            requests = max(1, int(total["Request Count"]))
            app, db = used["app"], used["db"]
            text += (
                f"\n\nServer CPU per request: {app * 1000 / requests:.0f} ms in gunicorn, "
                f"{db * 1000 / requests:.0f} ms in PostgreSQL ({requests} requests, "
                f"log-ins included)."
            )
            text += (
                f"\n\nCPU during the run: gunicorn and the worker {app:.1f} s, "
                f"PostgreSQL backends {db:.1f} s (sampled every second), "
                f"locust {client:.1f} s."
            )
            failures += failed
            print(text)
            summary += [text, ""]
    finally:
        stop_server(server)
    (OUT / "load-summary.md").write_text("\n".join(summary) + "\n", encoding="utf-8")
    print(f"\n{'no errors' if not failures else f'{failures} failed requests'}; "
          f"tables in {OUT / 'load-summary.md'}")  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
