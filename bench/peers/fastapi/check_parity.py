#!/usr/bin/python3
"""Checks that the FastAPI peer answers like ticketbot, endpoint by endpoint.

    bench/peers/fastapi/check_parity.py DB [--bin build/release/ticketbot] [--workers 2]
    bench/peers/fastapi/check_parity.py --ours URL --peer URL

With DB (a ticketbot database, e.g. from `bench/generate_data.py DB --tickets 2000
--messages 20000`), it starts ticketbot (`ticketbot serve`, DEMO=1) and the peer (gunicorn
with the peer's uvicorn workers, as bench/run.sh does) each on its own copy of the file, on
free ports of 127.0.0.1, and stops both when done. With --ours and --peer it checks two
servers already running on copies of the same data (ticketbot with DEMO=1).

Both are logged in as the demo user, helper, moderator and admin (POST /auth/demo), then
asked the same reads: GET /healthz, /auth/me, /categories, /tickets?limit=50 (and the next
page, limit=200, bad limits and cursors), /tickets/{id} and /tickets/{id}/messages?limit=50
(and paging, after_id) for ids each role can and cannot see, requests without or with a
bad token; then the same writes on both: POST /tickets and POST /tickets/{id}/messages
(as the creator, as staff, an internal note), each followed by reads of what changed.

Every answer's status and JSON must be equal, except for fields that legitimately differ:
`breached` (computed from the time of the request), the timestamps a write sets
(created_at, updated_at, last_message_at, first_response_at, sla_due_at of what the writes
made or touched), tokens and expiry times. Exits 1 on any difference, listing them.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
ROLES = ["user", "helper", "moderator", "admin"]
ALWAYS_IGNORED = {"breached"}
WRITE_TIMES = {"created_at", "updated_at", "last_message_at", "first_response_at", "sla_due_at"}


def request(base: str, method: str, path: str, token: str = None, body=None, headers=None):
    """(status, parsed JSON or raw text) of one request."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def differences(a, b, ignored: set, path: str = "") -> list:
    """Where the JSON values a and b differ, as readable lines; keys in `ignored` skipped."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            if key in ignored:
                continue
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'ticketbot' if key in a else 'peer'}")
            else:
                out += differences(a[key], b[key], ignored, f"{path}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        out = []
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items in ticketbot, {len(b)} in peer")
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, ignored, f"{path}[{i}]")
        return out
    if a != b or type(a) is not type(b):
        return [f"{path or '.'}: ticketbot {json.dumps(a)[:120]}, peer {json.dumps(b)[:120]}"]
    return []


class Checker:
    def __init__(self, ours: str, peer: str) -> None:
        self.base = {"ours": ours, "peer": peer}
        self.token = {"ours": {}, "peer": {}}
        self.checks = 0
        self.failures = []

    def login(self) -> None:
        for role in ROLES:
            users = {}
            for side in ("ours", "peer"):
                status, body = request(self.base[side], "POST", "/auth/demo", body={"role": role})
                if status != 200:
                    sys.exit(f"check_parity: {side} refused the demo {role}: {status} {body}")
                self.token[side][role] = body["token"]
                users[side] = (status, body["user"])
            self.compare_values(f"POST /auth/demo {role} (its user)", users["ours"], users["peer"],
                                set())

    def compare_values(self, what: str, ours: tuple, peer: tuple, ignored: set) -> None:
        self.checks += 1
        found = []
        if ours[0] != peer[0]:
            found.append(f"status: ticketbot {ours[0]}, peer {peer[0]}")
        found += differences(ours[1], peer[1], ignored | ALWAYS_IGNORED)
        if found:
            self.failures.append((what, found))
            print(f"DIFF {what}")
            for line in found[:10]:
                print(f"     {line}")
            if len(found) > 10:
                print(f"     … and {len(found) - 10} more")

    def both(self, method: str, path: str, role: str = None, body=None, ignored: set = frozenset(),
             token: str = None) -> tuple:
        """Asks both servers, compares, and returns ticketbot's (status, JSON)."""
        answers = {}
        for side in ("ours", "peer"):
            tok = token if token is not None else (self.token[side][role] if role else None)
            answers[side] = request(self.base[side], method, path, tok, body)
        who = f" as {role}" if role else ""
        self.compare_values(f"{method} {path}{who}", answers["ours"], answers["peer"], set(ignored))
        return answers["ours"]

    def run(self) -> None:
        self.login()
        self.both("GET", "/healthz")
        self.both("GET", "/auth/me")  # 401: no credentials
        self.both("GET", "/auth/me", token="not-a-token")
        self.both("GET", "/tickets?limit=50", token="not-a-token")
        for role in ROLES:
            self.both("GET", "/auth/me", role)
            self.both("GET", "/categories", role)

        ids = set()
        for role in ROLES:
            status, page = self.both("GET", "/tickets?limit=50", role)
            if status == 200:
                ids.update(t["id"] for t in page["items"][:10])
                if page["next_cursor"]:
                    status, page2 = self.both("GET", f"/tickets?limit=50&cursor={page['next_cursor']}", role)
                    ids.update(t["id"] for t in page2["items"][:5])
            self.both("GET", "/tickets?limit=200", role)
        for bad in ("limit=0", "limit=201", "limit=abc", "cursor=%21%21", "cursor=MTIz"):
            self.both("GET", f"/tickets?{bad}", "moderator")
        # Ids some roles may not see, and ones that do not exist.
        ids.update({1, 2, 3, 17, 250, 999999})
        for ticket_id in sorted(ids):
            for role in ROLES:
                self.both("GET", f"/tickets/{ticket_id}", role)
                status, page = self.both("GET", f"/tickets/{ticket_id}/messages?limit=50", role)
                if status == 200 and len(page["items"]) > 2 and role in ("user", "moderator"):
                    status, small = self.both("GET", f"/tickets/{ticket_id}/messages?limit=2", role)
                    self.both("GET", f"/tickets/{ticket_id}/messages?limit=50&after_id={small['items'][-1]['id']}", role)
        for bad in ("/tickets/0", "/tickets/abc", "/tickets/5/messages?limit=0",
                    "/tickets/5/messages?after_id=-1", "/tickets/5/messages?after_id=0"):
            self.both("GET", bad, "moderator")

        # Writes: the same sequence on both, so ids and routing must agree as well.
        status, created = self.both("POST", "/tickets", "user", ignored=WRITE_TIMES, body={
            "subject": "Cannot log in", "body": "It says my password is wrong, but it is not.",
            "category_id": 1})
        self.both("POST", "/tickets", "user", ignored=WRITE_TIMES, body={
            "subject": "  Printer / scanner  ", "body": "Ünïcode ✓ and \"quotes\"", "priority": "high"})
        self.both("POST", "/tickets", "user", body={"subject": " ", "body": "x", "category_id": 1})
        self.both("POST", "/tickets", "user", body={"subject": "x", "body": "x", "category_id": 999})
        self.both("POST", "/tickets", "user", body={"subject": "x", "body": "x", "priority": "urgent"})
        if status in (200, 201):
            tid = created["id"]
            msg = {"body": "Thanks for the details, we are looking into it now."}
            self.both("POST", f"/tickets/{tid}/messages", "moderator", body=msg, ignored=WRITE_TIMES)
            self.both("POST", f"/tickets/{tid}/messages", "moderator", ignored=WRITE_TIMES,
                      body={"body": "internal note", "internal": True})
            self.both("POST", f"/tickets/{tid}/messages", "user", body={"body": "a note", "internal": True})
            self.both("POST", f"/tickets/{tid}/messages", "user", body={"body": "Still broken."},
                      ignored=WRITE_TIMES)
            self.both("POST", f"/tickets/{tid}/messages", "helper", body={"body": "hi"})
            self.both("POST", "/tickets/999999/messages", "moderator", body=msg)
            for role in ("user", "moderator"):
                self.both("GET", f"/tickets/{tid}", role, ignored=WRITE_TIMES)
                self.both("GET", f"/tickets/{tid}/messages?limit=50", role, ignored=WRITE_TIMES)
            self.both("GET", "/tickets?limit=5", "moderator", ignored=WRITE_TIMES)
            self.both("GET", "/tickets?limit=5", "user", ignored=WRITE_TIMES)
        # A post on an existing, busy ticket, then its page as the moderator sees it.
        status, page = self.both("GET", "/tickets?limit=50", "moderator", ignored=WRITE_TIMES)
        if status == 200 and len(page["items"]) > 10:
            tid = page["items"][10]["id"]
            self.both("POST", f"/tickets/{tid}/messages", "moderator", ignored=WRITE_TIMES,
                      body={"body": "Following up on this one."})
            self.both("GET", f"/tickets/{tid}", "moderator", ignored=WRITE_TIMES)


# --- starting the two servers ---------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(name: str, proc: subprocess.Popen, base: str, log: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"check_parity: {name} exited:\n" + open(log).read()[-2000:])
        try:
            if request(base, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"check_parity: {name} did not answer /healthz within 30 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", help="a ticketbot database to copy for both servers")
    parser.add_argument("--bin", default=os.path.join(ROOT, "build/release/ticketbot"))
    parser.add_argument("--workers", type=int, default=2, help="the peer's gunicorn workers")
    parser.add_argument("--ours", help="base URL of a running ticketbot (with --peer)")
    parser.add_argument("--peer", help="base URL of a running peer (with --ours)")
    args = parser.parse_args()
    if bool(args.ours) != bool(args.peer) or bool(args.ours) == bool(args.db):
        parser.error("give either DB, or both --ours and --peer")

    procs = []
    tmp = None
    try:
        if args.db:
            tmp = tempfile.mkdtemp(prefix="peer-parity.")
            for name in ("ours.db", "peer.db"):
                shutil.copyfile(args.db, os.path.join(tmp, name))
            ours_port, peer_port = free_port(), free_port()
            env = dict(os.environ, HTTP_HOST="127.0.0.1", HTTP_PORT=str(ours_port), DEMO="1",
                       LOG_LEVEL="warn", AUTH_RATE_LIMIT="1000000", MESSAGE_RATE_LIMIT="1000000",
                       DATABASE_URL="sqlite:" + os.path.join(tmp, "ours.db"))
            ours_log = os.path.join(tmp, "ours.log")
            procs.append(subprocess.Popen([args.bin, "serve"], env=env, start_new_session=True,
                                          stdout=open(ours_log, "w"), stderr=subprocess.STDOUT))
            peer_log = os.path.join(tmp, "peer.log")
            env = dict(os.environ, PEER_DATABASE=os.path.join(tmp, "peer.db"))
            procs.append(subprocess.Popen(
                ["/usr/bin/python3", "-m", "gunicorn", "app:app", "--chdir", HERE,
                 "--worker-class", "worker.PeerWorker", "--workers", str(args.workers),
                 "--bind", f"127.0.0.1:{peer_port}", "--log-level", "warning"],
                env=env, start_new_session=True, stdout=open(peer_log, "w"),
                stderr=subprocess.STDOUT))
            args.ours, args.peer = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{peer_port}"
            wait_healthy("ticketbot", procs[0], args.ours, ours_log)
            wait_healthy("the peer", procs[1], args.peer, peer_log)
        checker = Checker(args.ours.rstrip("/"), args.peer.rstrip("/"))
        checker.run()
    finally:
        for proc in procs:
            stop(proc)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    failed = len(checker.failures)
    print(f"check_parity: {checker.checks} comparisons, {failed} with differences"
          + ("" if failed else ": the peer answers like ticketbot"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
