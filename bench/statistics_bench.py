#!/usr/bin/python3
"""GET /statistics over a large database: ticketbot against its FastAPI peer, same data.

    bench/statistics_bench.py [--tickets 1000000] [--days 120] [--requests 200]
                              [--peer-requests 20] [--rounds 3] [--keep DIR]

1. Builds a SQLite database with ticketbot's schema (`ticketbot migrate`): the demo people,
   4 categories, 20 helpers, and N tickets over the last D days (weekday and hour-of-day
   seasonality; old ones finished, recent ones open; first-response and resolution times by
   agent speed; SLA due times as src/core/ticket.cpp sets them; ratings; some reopens). The
   tickets go in with plain INSERTs: migration 0012's triggers build the rollups as they
   arrive (timed: the bulk write cost of the triggers). No messages: statistics read none.
2. Times the backfill: empties the rollups and rebuilds them with the statement migration
   0012 ends with (what upgrading a database of that size costs).
3. Serves the file with ticketbot, then a copy with the FastAPI peer (bench/peers/fastapi,
   gunicorn with 2 uvicorn workers; its /statistics is a plain SQL aggregation over the
   tickets table on covering indexes it creates at start), one after the other, and asks
   each for the last 90 days (tz=Europe/Moscow, interval=day) as the demo admin (everyone's
   figures) and as the demo helper (own figures): one request at a time, p50 and p99 over
   --requests (--peer-requests for the peer, which is slow; 0 skips it) per round, medians
   of --rounds. With --keep DIR an existing DIR/ticketbot.db is reused (no build).

Prints a Markdown table for docs/PERFORMANCE.md. The machine is shared: keep runs short.
"""

import argparse
import json
import math
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

DAY = 86400
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ROLES = ["user", "helper", "moderator", "admin", "developer"]
DEMO_NAMES = ["Dana", "Harper", "Morgan", "Alex", "Devon"]
DEMO_TELEGRAM_BASE = 9_000_000_000
CATEGORIES = [("Billing", 240), ("Technical", 120), ("Account", 60), ("Other", 1440)]
CATEGORY_WEIGHTS = [30, 35, 20, 15]
PRIORITIES = ["low", "normal", "high", "critical"]
PRIORITY_WEIGHTS = [20, 50, 22, 8]
HELPERS = 20
CUSTOMERS = 2000
# Tickets per hour of the week: busier on weekdays and in working hours (UTC).
HOUR_WEIGHTS = [0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 0.9, 1.4, 1.9, 2.2, 2.3, 2.2, 2.0, 2.1, 2.2,
                2.1, 1.9, 1.6, 1.3, 1.0, 0.8, 0.6, 0.5, 0.4]
DAY_WEIGHTS = [1.15, 1.1, 1.05, 1.0, 0.95, 0.5, 0.4]  # Monday … Sunday


def sla_due_at(created, sla_minutes, rank):
    """src/core/ticket.cpp sla_due_at."""
    return created + 60 * max(1, sla_minutes * [200, 100, 50, 25][rank] // 100)


def ticketbot_migrate(binary, path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:{path}", "LOG_LEVEL": "warn"}
    subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True)


def creation_times(rng, count, now, days):
    """`count` creation times over the last `days` days, with weekly seasonality."""
    start = now - days * DAY
    hours = days * 24
    weights = []
    for hour in range(hours):
        t = start + hour * 3600
        weekday = (t // DAY + 3) % 7  # 1970-01-01 was a Thursday
        weights.append(HOUR_WEIGHTS[(t % DAY) // 3600] * DAY_WEIGHTS[weekday])
    picks = rng.choices(range(hours), weights=weights, k=count)
    return sorted(min(now - 60, start + hour * 3600 + rng.randrange(3600)) for hour in picks)


def build(path, binary, count, days, seed):
    rng = random.Random(seed)
    now = int(time.time())
    ticketbot_migrate(binary, path)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")
    db.execute("BEGIN")
    categories = []
    for position, (name, sla) in enumerate(CATEGORIES):
        cur = db.execute("INSERT INTO categories (name, default_priority, sla_minutes, routing, "
                         "active, position) VALUES (?, 'normal', ?, 'least_loaded', 1, ?)",
                         (name, sla, position))
        categories.append((cur.lastrowid, sla))
    demo = {}
    for level, role in enumerate(ROLES):
        cur = db.execute("INSERT INTO users (telegram_id, username, first_name, last_name, role, "
                         "language_code, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, 'en', ?, ?)",
                         (DEMO_TELEGRAM_BASE + level, f"demo_{role}", DEMO_NAMES[level],
                          f"(demo {role})", role, now, now))
        demo[role] = cur.lastrowid
    customers = [db.execute("INSERT INTO users (telegram_id, first_name, role, created_at, last_seen_at) "
                            "VALUES (?, 'Customer', 'user', ?, ?)", (100_000_000 + i, now, now)).lastrowid
                 for i in range(CUSTOMERS)]
    staff = {c: [] for c, _ in categories}
    speed = {}  # agent -> how slow (1 = median)
    for i in range(HELPERS):
        user = db.execute("INSERT INTO users (telegram_id, first_name, role, created_at, last_seen_at) "
                          "VALUES (?, ?, 'helper', ?, ?)", (200_000_000 + i, f"Helper {i}", now, now)).lastrowid
        staff[categories[i % 4][0]].append(user)
        speed[user] = rng.lognormvariate(0, 0.5)
    staff[categories[0][0]].append(demo["helper"])
    staff[categories[1][0]].append(demo["helper"])
    speed[demo["helper"]] = 1.0
    db.executemany("INSERT OR IGNORE INTO user_categories (user_id, category_id) VALUES (?, ?)",
                   [(u, c) for c, users in staff.items() for u in users])

    def rows():
        for created in creation_times(rng, count, now, days):
            category, sla = rng.choices(categories, CATEGORY_WEIGHTS)[0]
            rank = rng.choices(range(4), PRIORITY_WEIGHTS)[0]
            age = now - created
            assignee = rng.choice(staff[category]) if rng.random() < 0.97 or age > 2 * DAY else None
            slow = speed.get(assignee, 3.0)
            first = resolved = closed = rating = None
            reopens = 0
            status = "open"
            reply = int(rng.lognormvariate(7.5, 1.0) * slow)  # median ≈ 30 min × speed
            if assignee is not None and created + reply < now:
                first = created + reply
                status = "in_progress" if rng.random() < 0.7 else "waiting"
                work = int(rng.lognormvariate(9.5, 1.0) * slow)  # median ≈ 3.7 h × speed
                if first + work < now:
                    resolved = first + work
                    status = "resolved"
                    if resolved + 3 * DAY < now:
                        status, closed = "closed", resolved + 3 * DAY
                    if rng.random() < 0.35:
                        rating = rng.choices([1, 2, 3, 4, 5], [4, 5, 12, 34, 45])[0]
                    reopens = 1 if rng.random() < 0.03 else 0
            due = sla_due_at(created, sla, rank)
            updated = max(t for t in (created, first, resolved, closed) if t is not None)
            yield ("Bench ticket", status, PRIORITIES[rank], rank, category,
                   rng.choice(customers), assignee, created, updated, first, resolved, closed,
                   created, due, rating, reopens)

    started = time.monotonic()
    db.executemany(
        "INSERT INTO tickets (subject, status, priority, priority_rank, category_id, creator_id, "
        "assignee_id, created_at, updated_at, first_response_at, resolved_at, closed_at, "
        "last_message_at, sla_due_at, rating_score, reopens) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows())
    db.execute("COMMIT")
    inserted = time.monotonic() - started
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return inserted


def backfill(path):
    """The rebuild migration 0012 ends with, timed (its statement, read from the file)."""
    sql = open(os.path.join(ROOT, "src/store/migrations/sqlite/0012_statistics.sql")).read()
    statement = sql[sql.rindex("INSERT INTO ticket_stats_changes"):]
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA cache_size = -262144")
    started = time.monotonic()
    db.execute("BEGIN")
    db.execute("DELETE FROM ticket_stats")
    db.execute(statement)
    db.execute("COMMIT")
    elapsed = time.monotonic() - started
    rows = db.execute("SELECT count(*) FROM ticket_stats").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return elapsed, rows


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, token=None, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=120) as response:
        return response.status, response.read()


def wait_ready(port, process, name, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"statistics_bench: {name} exited before answering /healthz")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"statistics_bench: {name} did not answer /healthz in {timeout} s")


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def measure(port, token, path, requests):
    request(port, "GET", path, token)  # warm-up (and a check that it answers)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        status, _ = request(port, "GET", path, token)
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200:
            sys.exit(f"statistics_bench: {path} answered {status}")
    return percentile(samples, 0.5), percentile(samples, 0.99)


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def run_server(name, command, env, port, tokens, path, requests, rounds, answers):
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        wait_ready(port, process, name)
        results = {}
        for role in ("admin", "helper"):
            _, body = request(port, "POST", "/auth/demo", body={"role": role})
            token = json.loads(body)["token"]
            answers[(name, role)] = json.loads(request(port, "GET", path, token)[1])
            rows = [measure(port, token, path, requests) for _ in range(rounds)]
            results[role] = (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
        return results
    finally:
        stop(process)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--peer-requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bin", default=os.environ.get("TICKETBOT_BIN",
                                                        os.path.join(ROOT, "build/release/ticketbot")))
    parser.add_argument("--keep", help="build the database in this directory and keep it")
    args = parser.parse_args()

    directory = args.keep or tempfile.mkdtemp(prefix="tb-stats-bench-")
    os.makedirs(directory, exist_ok=True)
    ours_db = os.path.join(directory, "ticketbot.db")
    peer_db = os.path.join(directory, "peer.db")
    try:
        if not os.path.exists(ours_db):
            inserted = build(ours_db, args.bin, args.tickets, args.days, args.seed)
            print(f"statistics_bench: {args.tickets} tickets inserted with the rollup triggers in "
                  f"{inserted:.1f} s ({args.tickets / inserted:.0f}/s)", flush=True)
            seconds, rows = backfill(ours_db)
            print(f"statistics_bench: backfill (rollups rebuilt from the tickets): {seconds:.1f} s, "
                  f"{rows} rollup rows", flush=True)
        shutil.copyfile(ours_db, peer_db)

        now = int(time.time())
        day = time.strftime("%Y-%m-%d", time.gmtime(now))
        start = time.strftime("%Y-%m-%d", time.gmtime(now - 89 * DAY))
        path = f"/statistics?from={start}&to={day}&tz=Europe/Moscow&interval=day"
        answers = {}
        port = free_port()
        ours = run_server("ticketbot", [args.bin, "serve"],
                          {**os.environ, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(port),
                           "HTTP_THREADS": "2", "LOG_LEVEL": "warn", "DEMO": "1",
                           "AUTH_RATE_LIMIT": "1000000", "DATABASE_URL": f"sqlite:{ours_db}"},
                          port, None, path, args.requests, args.rounds, answers)
        peer = {}
        if args.peer_requests > 0:
            port = free_port()
            peer = run_server("FastAPI", ["/usr/bin/python3", "-m", "gunicorn", "app:app", "--chdir",
                                          os.path.join(HERE, "peers/fastapi"), "--worker-class",
                                          "worker.PeerWorker", "--workers", "2", "--bind",
                                          f"127.0.0.1:{port}", "--timeout", "600", "--log-level", "warning"],
                              {**os.environ, "PEER_DATABASE": peer_db}, port, None, path,
                              args.peer_requests, args.rounds, answers)
            for role in ("admin", "helper"):
                a, b = answers[("ticketbot", role)], answers[("FastAPI", role)]
                print(f"statistics_bench: {role}: tickets {a['tickets']} vs {b['tickets']}, "
                      f"median first response {a['median_first_response_s']} vs {b['median_first_response_s']}, "
                      f"p90 {a['p90_first_response_s']} vs {b['p90_first_response_s']}", flush=True)
        print()
        print("| `GET /statistics`, 90 days, tz=Europe/Moscow, by day | server | requests × rounds | p50 ms | p99 ms | p50 × |")
        print("|---|---|---|---|---|---|")
        for role, who in (("admin", "the demo admin (everyone's figures)"),
                          ("helper", "the demo helper (own figures)")):
            ratio = f"{peer[role][0] / ours[role][0]:.0f}×" if peer else ""
            print(f"| as {who} | ticketbot | {args.requests} × {args.rounds} | {ours[role][0]:.2f} | "
                  f"{ours[role][1]:.2f} | {ratio} |")
            if peer:
                print(f"| as {who} | FastAPI | {args.peer_requests} × {args.rounds} | {peer[role][0]:.2f} | "
                      f"{peer[role][1]:.2f} | |")
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
