#!/usr/bin/python3
"""Builds a large ticketbot SQLite database for bench/run.sh.

    bench/generate_data.py DB_PATH [--tickets N] [--messages M] [--seed S] [--bin PATH]

First runs `ticketbot migrate` with DATABASE_URL=sqlite:DB_PATH, so the schema is
exactly the server's, then bulk-loads in one transaction (WAL, synchronous=OFF for
the load only; the FTS triggers of the schema fire on every insert):

- the 4 categories of the demo data (Billing, Technical, Account, Other);
- the five demo people exactly as `DEMO=1` seeds them (telegram_id 9000000000 + level,
  Dana, Harper, Morgan, Alex, Devon, username demo_<role>); the demo helper handles
  Billing and Technical, the demo moderator every category, as in the demo data;
- about 2,000 customers and 20 helpers, each helper with one or two categories;
- N tickets over the past 90 days: old ones mostly closed, recent ones open, in
  progress or waiting, none resolved longer ago than the server's auto-close (7 days,
  so a server starting on the file changes nothing); priorities mixed; most assigned to staff of their category;
  the creator a random customer, except exactly 5 created by the demo user Dana;
- M messages (M >= N): every ticket's first message by its creator, the first staff
  reply at first_response_at, the rest spread (unevenly) over the tickets; about 3 %
  internal notes. messages_count, last_message_at and updated_at follow the server's
  rules (internal notes count for none of them).

Prints what it built and how long each step took. Refuses to overwrite DB_PATH.
"""

import argparse
import itertools
import os
import random
import sqlite3
import subprocess
import sys
import time

DAY = 86400
ROLES = ["user", "helper", "moderator", "admin", "developer"]
DEMO_NAMES = ["Dana", "Harper", "Morgan", "Alex", "Devon"]  # by role level, as the server seeds
DEMO_TELEGRAM_BASE = 9_000_000_000
CUSTOMERS = 2000
HELPERS = 20
INTERNAL_SHARE = 0.03

# name, sla_minutes (as in the demo data); all route least_loaded.
CATEGORIES = [("Billing", 240), ("Technical", 120), ("Account", 60), ("Other", 1440)]
CATEGORY_WEIGHTS = [30, 35, 20, 15]
PRIORITIES = ["low", "normal", "high", "critical"]
PRIORITY_WEIGHTS = [20, 50, 22, 8]

SUBJECTS = [
    ["Charged twice this month", "Invoice needs our VAT number", "Refund for the annual plan",
     "Card declined on renewal", "Upgrade to the team plan", "Wrong currency on invoice"],
    ["App crashes on start", "Sync stuck at 99%", "Export to CSV is empty",
     "Notifications arrive late", "Search returns nothing", "Upload fails over 10 MB"],
    ["Cannot log in", "Change the account owner", "Delete my account",
     "Two-factor code never arrives", "Merge two accounts", "Change my e-mail address"],
    ["Feature idea: dark mode", "Where is your office?", "Partnership question",
     "Do you have an API?", "Student discount?", "Accessibility of the web app"],
]
CUSTOMER_LINES = [
    "My card shows two charges for the same plan.", "Please add our VAT number to the last invoice.",
    "We cancelled within 14 days, can we get a refund?", "Since the update the app closes right after the logo.",
    "Sync never finishes on my laptop.", "The CSV export has headers but no rows.",
    "It says my password is wrong, but it is not.", "Our owner left; please move ownership to me.",
    "Please delete my account and my data.", "Would love a dark theme for the web app.",
    "Any update on this?", "Still happening today, on both phones.", "Thanks, that worked!",
    "I attached a screenshot in the previous message.", "It happens every morning around nine.",
    "Could you call me instead?", "The error code is E-4021.", "I tried reinstalling, no change.",
    "Is there a workaround until the fix?", "Great, closing on my side.",
]
STAFF_LINES = [
    "I see the duplicate charge; the refund is on its way, 3-5 days.",
    "Done — the corrected invoice is in your account now.",
    "Thanks! Could you send the app version from Settings → About?",
    "Please sign out and in again; we fixed a stuck sync on our side.",
    "Found it: the date filter was off by a day. Fixed in today's release.",
    "I've sent a reset link to your e-mail; it is valid for an hour.",
    "Ownership moved. You will get a confirmation e-mail.",
    "Great idea — it is on our roadmap for next quarter.",
    "I'm looking into it and will get back to you today.",
    "Could you tell me which browser and version you use?",
    "Our engineers reproduced it; a fix ships this week.", "Is it working for you now?",
]
INTERNAL_LINES = [
    "Checked the logs, nothing unusual on our side.", "Escalated to the backend team.",
    "Customer is on the legacy plan, careful with the refund.", "Duplicate of an older ticket.",
]
FIRST_NAMES = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofia", "Ivan", "Anna", "Yuki",
               "Omar", "Lena", "Chen", "Fatima", "Lucas", "Maya", "Arjun", "Zoe", "Kenji", "Elif"]
LAST_NAMES = ["Smith", "Garcia", "Ivanova", "Tanaka", "Khan", "Müller", "Rossi", "Kim", None, None]


def sla_due_at(created: int, sla_minutes, rank: int) -> int:
    """src/core/ticket.cpp sla_due_at, in seconds."""
    if sla_minutes is None:
        return created + 60 * [24 * 60, 8 * 60, 4 * 60, 60][rank]
    return created + 60 * max(1, sla_minutes * [200, 100, 50, 25][rank] // 100)


def pick_status(age: int, rng: random.Random) -> str:
    """Older tickets are mostly done; recent ones still in the queue."""
    r = rng.random()
    if age < DAY:
        return "open" if r < 0.45 else "in_progress" if r < 0.80 else "waiting"
    if age < 3 * DAY:
        return ("open" if r < 0.10 else "in_progress" if r < 0.40 else
                "waiting" if r < 0.65 else "resolved")
    if age < 14 * DAY:
        return ("waiting" if r < 0.05 else "in_progress" if r < 0.10 else
                "resolved" if r < 0.40 else "closed")
    return "resolved" if r < 0.01 else "closed"


class Timer:
    def __init__(self) -> None:
        self.start = self.last = time.monotonic()

    def step(self, what: str) -> None:
        now = time.monotonic()
        print(f"generate_data: {what}: {now - self.last:.1f} s", flush=True)
        self.last = now

    def total(self) -> float:
        return time.monotonic() - self.start


def migrate(binary: str, db_path: str) -> None:
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        sys.exit(f"generate_data: {binary} is missing or not executable "
                 "(build it: cmake --preset release && cmake --build --preset release)")
    env = {**os.environ, "DATABASE_URL": f"sqlite:{db_path}", "LOG_LEVEL": "warn"}
    result = subprocess.run([binary, "migrate"], env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"generate_data: {binary} migrate failed:\n{result.stdout}{result.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db_path")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--bin", default=os.environ.get("TICKETBOT_BIN", "build/release/ticketbot"))
    args = parser.parse_args()
    n_tickets, n_messages = args.tickets, args.messages
    if n_tickets < 0 or n_messages < 0:
        parser.error("--tickets and --messages must not be negative")
    if n_messages < n_tickets:
        parser.error("--messages must be at least --tickets (every ticket has a first message)")
    if os.path.exists(args.db_path):
        sys.exit(f"generate_data: {args.db_path} exists already; remove it first")

    rng = random.Random(args.seed)
    now = int(time.time())
    timer = Timer()
    migrate(args.bin, args.db_path)
    timer.step("ticketbot migrate")

    db = sqlite3.connect(args.db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")  # this connection only, for the load
    db.execute("PRAGMA cache_size = -262144")
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("BEGIN")

    # --- categories and people
    category_ids = []
    for position, (name, sla) in enumerate(CATEGORIES):
        cur = db.execute(
            "INSERT INTO categories (name, default_priority, sla_minutes, routing, active, position) "
            "VALUES (?, 'normal', ?, 'least_loaded', 1, ?)", (name, sla, position))
        category_ids.append(cur.lastrowid)
    sla_of = dict(zip(category_ids, (sla for _, sla in CATEGORIES)))

    next_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM users").fetchone()[0]
    users = []  # (id, telegram_id, username, first_name, last_name, language_code, role, available, created_at, last_seen_at)
    demo = {}
    for level, role in enumerate(ROLES):
        demo[role] = next_id
        users.append((next_id, DEMO_TELEGRAM_BASE + level, f"demo_{role}", DEMO_NAMES[level],
                      f"(demo {role})", "en", role, 1, now, now))
        next_id += 1
    customers = []
    for i in range(CUSTOMERS):
        first = rng.choice(FIRST_NAMES)
        created = now - rng.randint(120 * DAY, 400 * DAY)
        users.append((next_id, 100_000_000 + i, f"{first.lower()}{i}" if rng.random() < 0.7 else None,
                      first, rng.choice(LAST_NAMES), rng.choice(["en", "en", "ru", "de", "es"]),
                      "user", 1, created, now - rng.randint(0, 30 * DAY)))
        customers.append(next_id)
        next_id += 1
    staff_of = {c: [] for c in category_ids}  # category -> staff who handle it
    handles = []  # (user_id, category_id)
    for i in range(HELPERS):
        users.append((next_id, 200_000_000 + i, f"helper{i}", rng.choice(FIRST_NAMES),
                      rng.choice(LAST_NAMES), "en", "helper", 0 if i % 10 == 9 else 1,
                      now - 400 * DAY, now - rng.randint(0, 2 * DAY)))
        mine = {category_ids[i % 4]}
        if rng.random() < 0.5:
            mine.add(category_ids[(i + 1) % 4])
        handles += [(next_id, c) for c in sorted(mine)]
        next_id += 1
    handles += [(demo["helper"], c) for c in category_ids[:2]]
    handles += [(demo["moderator"], c) for c in category_ids]
    for user_id, category in handles:
        staff_of[category].append(user_id)
    db.executemany("INSERT INTO users (id, telegram_id, username, first_name, last_name, language_code, "
                   "role, available, created_at, last_seen_at) VALUES (?,?,?,?,?,?,?,?,?,?)", users)
    db.executemany("INSERT INTO user_categories (user_id, category_id) VALUES (?, ?)", handles)
    timer.step(f"{len(CATEGORIES)} categories, {len(users)} users")

    # --- tickets (in memory first: their counters depend on the messages)
    created_times = sorted(now - rng.randint(60, 90 * DAY) for _ in range(n_tickets))
    first_ticket = db.execute("SELECT coalesce(max(id), 0) + 1 FROM tickets").fetchone()[0]
    dana_tickets = set(rng.sample(range(n_tickets), min(5, n_tickets)))
    tickets = []
    for index, created in enumerate(created_times):
        age = now - created
        category = rng.choices(category_ids, CATEGORY_WEIGHTS)[0]
        rank = rng.choices(range(4), PRIORITY_WEIGHTS)[0]
        status = pick_status(age, rng)
        assignee = None
        if status != "open" or rng.random() < 0.65:
            assignee = rng.choice(staff_of[category])
        first_response = resolved = closed = None
        if status != "open":
            delay = int(min(rng.lognormvariate(7.8, 1.2), 3 * DAY))  # median ≈ 40 min
            first_response = max(created + 30, min(created + delay, now - 120))
        if status in ("resolved", "closed"):
            resolved = max(first_response + 1, min(first_response + rng.randint(600, 3 * DAY), now - 60))
        if status == "resolved" and resolved < now - 6 * DAY:
            status = "closed"  # the server closes resolved tickets after AUTO_CLOSE_DAYS (7)
        if status == "closed":
            closed = min(resolved + rng.randint(60, 7 * DAY), now)
        rating = None
        if resolved is not None and rng.random() < 0.35:
            rating = (rng.choices([1, 2, 3, 4, 5], [5, 5, 15, 35, 40])[0],
                      rng.choice(["Thanks, quick help!", "Took a while.", "Perfect."])
                      if rng.random() < 0.3 else None)
        tickets.append({
            "id": first_ticket + index, "subject": rng.choice(SUBJECTS[category_ids.index(category)]),
            "status": status, "rank": rank, "category": category,
            "creator": demo["user"] if index in dana_tickets else rng.choice(customers),
            "assignee": assignee, "created": created, "first_response": first_response,
            "resolved": resolved, "closed": closed, "sla_due": sla_due_at(created, sla_of[category], rank),
            "rating": rating, "count": 1, "last_message": created,
        })

    # --- how many messages each ticket gets: one each, a staff reply for each answered
    # ticket, and the rest spread unevenly (a few long threads, many short ones).
    extra = [0] * n_tickets
    budget = n_messages - n_tickets
    for index, ticket in enumerate(tickets):
        if budget == 0:
            break
        if ticket["first_response"] is not None:
            extra[index] = 1
            budget -= 1
    if budget > 0:
        weights = list(itertools.accumulate(rng.paretovariate(2.0) for _ in range(n_tickets)))
        for index in rng.choices(range(n_tickets), cum_weights=weights, k=budget):
            extra[index] += 1
    timer.step(f"planned {n_tickets} tickets")

    def message_rows():
        for index, ticket in enumerate(tickets):
            creator, staff, created = ticket["creator"], ticket["assignee"], ticket["created"]
            yield (ticket["id"], creator, rng.choice(CUSTOMER_LINES), 0,
                   "miniapp" if rng.random() < 0.6 else "bot", created)
            k = extra[index]
            if k == 0:
                continue
            end = ticket["resolved"] or now
            start = created
            if ticket["first_response"] is not None:
                start = ticket["first_response"]
                yield (ticket["id"], staff, rng.choice(STAFF_LINES), 0, "miniapp", start)
                ticket["count"] += 1
                ticket["last_message"] = start
                k -= 1
            end = max(end, start)
            turn = 0
            for when in sorted(rng.randint(start, end) for _ in range(k)):
                if staff is not None and rng.random() < INTERNAL_SHARE:
                    yield (ticket["id"], staff, rng.choice(INTERNAL_LINES), 1, "miniapp", when)
                    continue
                by_staff = staff is not None and turn % 2 == 1
                turn += 1
                if by_staff:
                    yield (ticket["id"], staff, rng.choice(STAFF_LINES), 0,
                           "miniapp" if rng.random() < 0.8 else "api", when)
                else:
                    yield (ticket["id"], creator, rng.choice(CUSTOMER_LINES), 0,
                           "miniapp" if rng.random() < 0.6 else "bot", when)
                ticket["count"] += 1
                ticket["last_message"] = when

    db.executemany("INSERT INTO messages (ticket_id, author_id, body, internal, source, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", message_rows())
    timer.step(f"{n_messages} messages (with their FTS trigger)")

    def ticket_rows():
        for t in tickets:
            updated = max(t["last_message"], t["resolved"] or 0, t["closed"] or 0)
            yield (t["id"], t["subject"], t["status"], PRIORITIES[t["rank"]], t["rank"], t["category"],
                   t["creator"], t["assignee"], t["created"], updated, t["first_response"],
                   t["resolved"], t["closed"], t["last_message"], t["count"], t["sla_due"],
                   t["rating"][0] if t["rating"] else None, t["rating"][1] if t["rating"] else None)

    db.executemany(
        "INSERT INTO tickets (id, subject, status, priority, priority_rank, category_id, creator_id, "
        "assignee_id, created_at, updated_at, first_response_at, resolved_at, closed_at, "
        "last_message_at, messages_count, sla_due_at, rating_score, rating_comment) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", ticket_rows())
    last_assigned = {}
    for t in tickets:
        if t["assignee"] is not None:
            last_assigned[t["assignee"]] = max(last_assigned.get(t["assignee"], 0), t["created"])
    db.executemany("UPDATE users SET last_assigned_at = ? WHERE id = ?",
                   [(when, user) for user, when in last_assigned.items()])
    timer.step(f"{n_tickets} tickets (with their FTS trigger)")

    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    timer.step("commit and checkpoint")

    by_status = {}
    for t in tickets:
        by_status[t["status"]] = by_status.get(t["status"], 0) + 1
    assigned = sum(t["assignee"] is not None for t in tickets)
    size_mb = os.path.getsize(args.db_path) / 1e6
    print(f"generate_data: {n_tickets} tickets ({', '.join(f'{s} {n}' for s, n in sorted(by_status.items()))}; "
          f"{assigned} assigned), {n_messages} messages, {len(users)} users; "
          f"{size_mb:.0f} MB; total {timer.total():.1f} s", flush=True)


if __name__ == "__main__":
    main()
