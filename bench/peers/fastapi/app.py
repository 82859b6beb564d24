"""FastAPI peer of ticketbot, written the way the original Python stack would do it.

It is the side-by-side baseline that bench/run.sh measures ticketbot against
(results in docs/PERFORMANCE.md). Later issues add endpoints here as ticketbot
gains them, so each benchmarked endpoint has a counterpart doing the same work:
the same SQLite checks, the same session lookup, the same JSON.

It runs on a copy of a ticketbot database (ticketbot's own schema, made by
`ticketbot migrate` or bench/generate_data.py): PEER_DATABASE names the file.
"""

import asyncio
import base64
import contextlib
import hashlib
import json
import os
import secrets
import sqlite3
import time
from typing import Iterator, Optional

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import BaseModel

DATABASE = os.environ.get("PEER_DATABASE", "/tmp/peer.db")
SESSION_TTL = 7 * 24 * 3600
DEMO_TELEGRAM_BASE = 9_000_000_000
ROLES = ["user", "helper", "moderator", "admin", "developer"]
DEMO_NAMES = ["Dana", "Harper", "Morgan", "Alex", "Devon"]
STAFF_ROLES = ("helper", "moderator", "admin", "developer")
# The same default table as src/core/role.cpp, by role level.
PERMISSIONS = [
    ["tickets.create"],
    ["tickets.view_category", "tickets.take", "tickets.update", "messages.internal", "statistics.view"],
    ["tickets.view_all", "tickets.assign", "users.view", "users.manage_categories",
     "users.manage_availability", "statistics.view_all", "forecast.view"],
    ["tickets.delete", "users.manage_roles", "categories.manage", "auto_replies.manage",
     "reports.export", "audit.view"],
    ["permissions.manage"],
]
PRIORITIES = ["low", "normal", "high", "critical"]
SOURCES = ["miniapp", "bot", "api", "system"]
MAX_SUBJECT = 200
MAX_MESSAGE = 4096

TICKET_SELECT = """
  SELECT t.id, t.subject, t.status, t.priority, t.category_id, t.created_at, t.updated_at,
         t.first_response_at, t.resolved_at, t.closed_at, t.last_message_at, t.messages_count,
         t.sla_due_at, t.rating_score, t.rating_comment,
         c.id AS c_id, c.first_name AS c_first_name, c.username AS c_username, c.role AS c_role,
         a.id AS a_id, a.first_name AS a_first_name, a.username AS a_username, a.role AS a_role
  FROM tickets t
  JOIN users c ON c.id = t.creator_id
  LEFT JOIN users a ON a.id = t.assignee_id"""

MESSAGE_SELECT = """
  SELECT m.id, m.ticket_id, m.body, m.internal, m.source, m.created_at,
         u.id AS u_id, u.first_name AS u_first_name, u.username AS u_username, u.role AS u_role
  FROM messages m JOIN users u ON u.id = m.author_id"""

ROUTING_CANDIDATES = """
  SELECT u.id, u.last_assigned_at,
         (SELECT count(*) FROM tickets t
          WHERE t.assignee_id = u.id AND t.deleted_at IS NULL
            AND t.status IN ('open', 'in_progress', 'waiting')) AS open_tickets
  FROM users u JOIN user_categories uc ON uc.user_id = u.id
  WHERE uc.category_id = ? AND u.available = 1
    AND u.role IN ('helper', 'moderator', 'admin', 'developer')"""

app = FastAPI(title="ticketbot FastAPI peer")


def get_db() -> Iterator[sqlite3.Connection]:
    """One SQLite connection per request, closed when the request is done.

    FastAPI runs this dependency's setup, the endpoint and the teardown in
    threadpool threads that may differ, hence check_same_thread=False (as in
    FastAPI's own SQL tutorial); the connection is still used by one request only.
    synchronous=NORMAL is ticketbot's durability (WAL: a commit survives a crash of
    the process, not a power loss), so writes are compared at equal cost.
    """
    conn = sqlite3.connect(DATABASE, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA synchronous = NORMAL")
        yield conn
    finally:
        conn.close()


@app.on_event("startup")
def check_schema() -> None:
    # The database is a copy of ticketbot's; never create an empty file by mistake.
    with sqlite3.connect(f"file:{DATABASE}?mode=rw", uri=True) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"users", "sessions", "user_categories", "tickets", "messages"} <= tables:
        raise RuntimeError(f"{DATABASE} lacks ticketbot's schema (run `ticketbot migrate` on it)")


@app.exception_handler(sqlite3.Error)
async def database_error(request: Request, exc: sqlite3.Error) -> JSONResponse:
    # Covers failures to open the file (raised in get_db) as well as failed queries.
    return JSONResponse(
        status_code=503,
        content={"status": "error", "database": "error", "redis": "disabled"},
    )


def iso(seconds: Optional[int]) -> Optional[str]:
    if seconds is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def permissions_of(role: str) -> list:
    return [p for granted in PERMISSIONS[: ROLES.index(role) + 1] for p in granted]


def category_ids_of(db: sqlite3.Connection, user_id: int) -> list:
    return [row[0] for row in db.execute(
        "SELECT category_id FROM user_categories WHERE user_id = ? ORDER BY category_id", (user_id,))]


def user_json(row: sqlite3.Row, category_ids: list) -> dict:
    return {
        "id": row["id"], "telegram_id": row["telegram_id"], "username": row["username"],
        "first_name": row["first_name"], "last_name": row["last_name"],
        "language_code": row["language_code"], "role": row["role"], "category_ids": category_ids,
        "available": bool(row["available"]), "created_at": iso(row["created_at"]),
        "last_seen_at": iso(row["last_seen_at"]),
    }


def user_ref(row: sqlite3.Row, prefix: str) -> Optional[dict]:
    if row[prefix + "id"] is None:
        return None
    return {"id": row[prefix + "id"], "first_name": row[prefix + "first_name"],
            "username": row[prefix + "username"], "role": row[prefix + "role"]}


def breached(row: sqlite3.Row, now: int) -> bool:
    """src/core/ticket.cpp sla_breached."""
    due = row["sla_due_at"]
    if due is None:
        return False
    if row["first_response_at"] is not None:
        return row["first_response_at"] > due
    ended = row["resolved_at"] if row["resolved_at"] is not None else (
        row["closed_at"] if row["closed_at"] is not None else now)
    return ended > due


def ticket_json(row: sqlite3.Row, now: int) -> dict:
    rating = None
    if row["rating_score"] is not None:
        rating = {"score": row["rating_score"], "comment": row["rating_comment"]}
    return {
        "id": row["id"], "subject": row["subject"], "status": row["status"],
        "priority": row["priority"], "category_id": row["category_id"],
        "creator": user_ref(row, "c_"), "assignee": user_ref(row, "a_"),
        "created_at": iso(row["created_at"]), "updated_at": iso(row["updated_at"]),
        "first_response_at": iso(row["first_response_at"]), "resolved_at": iso(row["resolved_at"]),
        "closed_at": iso(row["closed_at"]), "last_message_at": iso(row["last_message_at"]),
        "messages_count": row["messages_count"], "sla_due_at": iso(row["sla_due_at"]),
        "breached": breached(row, now), "rating": rating,
    }


def message_json(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"], "ticket_id": row["ticket_id"], "author": user_ref(row, "u_"),
        "body": row["body"], "internal": bool(row["internal"]), "attachments": [],
        "source": row["source"], "created_at": iso(row["created_at"]),
    }


def clean_text(text: str, max_length: int, what: str) -> str:
    cleaned = text.strip(" \t\r\n")
    if not cleaned or len(cleaned) > max_length:
        raise HTTPException(status_code=400,
                            detail=f"{what} must be 1 to {max_length} characters after trimming")
    return cleaned


def current_user(authorization: str = Header(default=""),
                 db: sqlite3.Connection = Depends(get_db)) -> sqlite3.Row:
    if not authorization.startswith("Bearer "):
        raise HTTPException(status_code=401, detail="missing credentials")
    token_hash = hashlib.sha256(authorization[7:].encode()).hexdigest()
    row = db.execute(
        "SELECT u.*, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = ?", (token_hash,)).fetchone()
    if row is None or row["expires_at"] <= time.time():
        raise HTTPException(status_code=401, detail="invalid or expired session")
    return row


@app.get("/healthz")
def healthz(db: sqlite3.Connection = Depends(get_db)) -> dict:
    db.execute("SELECT 1").fetchone()
    return {"status": "ok", "database": "ok", "redis": "disabled"}


@app.post("/auth/demo")
def demo_login(body: dict, db: sqlite3.Connection = Depends(get_db)) -> dict:
    role = body.get("role")
    if role not in ROLES:
        raise HTTPException(status_code=400, detail="unknown role")
    now = int(time.time())
    level = ROLES.index(role)
    # The demo person of that role, as ticketbot seeds it with DEMO=1.
    db.execute(
        "INSERT OR IGNORE INTO users (telegram_id, username, first_name, last_name, role, "
        "language_code, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, 'en', ?, ?)",
        (DEMO_TELEGRAM_BASE + level, "demo_" + role, DEMO_NAMES[level], f"(demo {role})", role,
         now, now))
    user = db.execute("SELECT * FROM users WHERE telegram_id = ?",
                      (DEMO_TELEGRAM_BASE + level,)).fetchone()
    token = secrets.token_urlsafe(32)
    db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
               (hashlib.sha256(token.encode()).hexdigest(), user["id"], now, now + SESSION_TTL))
    db.commit()
    return {"token": token, "expires_at": iso(now + SESSION_TTL),
            "user": user_json(user, category_ids_of(db, user["id"]))}


@app.get("/auth/me")
def me(user: sqlite3.Row = Depends(current_user), db: sqlite3.Connection = Depends(get_db)) -> dict:
    return {**user_json(user, category_ids_of(db, user["id"])),
            "permissions": permissions_of(user["role"])}


# --- tickets ---------------------------------------------------------------


def can_view(user: sqlite3.Row, ticket: sqlite3.Row, db: sqlite3.Connection) -> bool:
    """src/core/ticket.cpp can_view."""
    permissions = permissions_of(user["role"])
    if "tickets.view_all" in permissions or ticket["c_id"] == user["id"]:
        return True
    if "tickets.view_category" not in permissions:
        return False
    if ticket["a_id"] is not None:
        return ticket["a_id"] == user["id"]
    return ticket["category_id"] in category_ids_of(db, user["id"])


def find_ticket(db: sqlite3.Connection, ticket_id: int) -> Optional[sqlite3.Row]:
    return db.execute(TICKET_SELECT + " WHERE t.id = ? AND t.deleted_at IS NULL",
                      (ticket_id,)).fetchone()


def encode_cursor(updated_at: int, ticket_id: int) -> str:
    return base64.urlsafe_b64encode(f"{updated_at}.{ticket_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        value, ticket_id = text.split(".")
        return int(value), int(ticket_id)
    except ValueError:
        raise HTTPException(status_code=400, detail="malformed cursor") from None


@app.get("/tickets")
def list_tickets(limit: int = Query(default=50, ge=1, le=200), cursor: Optional[str] = None,
                 user: sqlite3.Row = Depends(current_user),
                 db: sqlite3.Connection = Depends(get_db)) -> dict:
    permissions = permissions_of(user["role"])
    sql = TICKET_SELECT + " WHERE t.deleted_at IS NULL"
    params: dict = {"viewer": user["id"], "limit": limit + 1}
    if "tickets.view_all" not in permissions:
        sql += " AND (t.creator_id = :viewer"
        if "tickets.view_category" in permissions:
            sql += (" OR t.assignee_id = :viewer OR (t.assignee_id IS NULL AND t.category_id IN"
                    " (SELECT category_id FROM user_categories WHERE user_id = :viewer))")
        sql += ")"
    if cursor:
        params["after_value"], params["after_id"] = decode_cursor(cursor)
        sql += (" AND (t.updated_at < :after_value"
                " OR (t.updated_at = :after_value AND t.id < :after_id))")
    sql += " ORDER BY t.updated_at DESC, t.id DESC LIMIT :limit"
    rows = db.execute(sql, params).fetchall()
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1]["updated_at"], rows[-1]["id"])
    now = int(time.time())
    return {"items": [ticket_json(row, now) for row in rows], "next_cursor": next_cursor}


class NewTicket(BaseModel):
    subject: str
    body: str
    category_id: Optional[int] = None
    priority: Optional[str] = None
    source: Optional[str] = None


class NewMessage(BaseModel):
    body: str
    internal: bool = False
    source: Optional[str] = None


def sla_due_at(created: int, sla_minutes: Optional[int], priority: str) -> int:
    """src/core/ticket.cpp sla_due_at."""
    rank = PRIORITIES.index(priority)
    if sla_minutes is None:
        return created + 60 * [24 * 60, 8 * 60, 4 * 60, 60][rank]
    return created + 60 * max(1, sla_minutes * [200, 100, 50, 25][rank] // 100)


def add_message(db: sqlite3.Connection, ticket_id: int, author_id: int, body: str, internal: bool,
                source: str, now: int, first_response: bool = False,
                move_to: Optional[str] = None) -> sqlite3.Row:
    """Inserts a message and, unless internal, bumps the ticket's counters (not committed)."""
    cur = db.execute(
        "INSERT INTO messages (ticket_id, author_id, body, internal, source, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)", (ticket_id, author_id, body, int(internal), source, now))
    if not internal:
        db.execute(
            "UPDATE tickets SET messages_count = messages_count + 1, last_message_at = :now, "
            "updated_at = :now, first_response_at = CASE WHEN :first = 1 AND first_response_at "
            "IS NULL THEN :now ELSE first_response_at END, status = COALESCE(:status, status) "
            "WHERE id = :id",
            {"now": now, "first": int(first_response), "status": move_to, "id": ticket_id})
    return db.execute(MESSAGE_SELECT + " WHERE m.id = ?", (cur.lastrowid,)).fetchone()


def run_auto_replies(db: sqlite3.Connection, ticket: sqlite3.Row, event: str, text: str) -> None:
    """The auto-replies of the ticket's category (or of none) whose keywords match, once each."""
    haystack = text.lower()
    for reply in db.execute("SELECT * FROM auto_replies ORDER BY id").fetchall():
        if not reply["active"] or reply["event"] != event:
            continue
        if reply["category_id"] is not None and reply["category_id"] != ticket["category_id"]:
            continue
        keywords = [k for k in reply["keywords"].split("\n") if k]
        if keywords and not any(k.lower() in haystack for k in keywords):
            continue
        system = db.execute("SELECT id FROM users WHERE telegram_id = 0").fetchone()
        if system is None:
            return
        fired = db.execute("INSERT OR IGNORE INTO auto_reply_fired VALUES (?, ?)",
                           (reply["id"], ticket["id"])).rowcount
        if fired:
            add_message(db, ticket["id"], system["id"], reply["body"], False, "system",
                        int(time.time()))
        db.commit()


@app.post("/tickets", status_code=201)
def create_ticket(request: NewTicket, user: sqlite3.Row = Depends(current_user),
                  db: sqlite3.Connection = Depends(get_db)) -> dict:
    if "tickets.create" not in permissions_of(user["role"]):
        raise HTTPException(status_code=403, detail="forbidden")
    subject = clean_text(request.subject, MAX_SUBJECT, "subject")
    body = clean_text(request.body, MAX_MESSAGE, "body")
    if request.priority is not None and request.priority not in PRIORITIES:
        raise HTTPException(status_code=400, detail="unknown priority")
    category = None
    if request.category_id is not None:
        category = db.execute("SELECT * FROM categories WHERE id = ?",
                              (request.category_id,)).fetchone()
        if category is None or not category["active"]:
            raise HTTPException(status_code=400,
                                detail=f"no active category with id {request.category_id}")
    priority = request.priority or (category["default_priority"] if category else "normal")
    source = request.source if request.source in ("miniapp", "bot", "api") else "api"
    now = int(time.time())
    due = sla_due_at(now, category["sla_minutes"] if category else None, priority)

    cur = db.execute(
        "INSERT INTO tickets (subject, priority, priority_rank, category_id, creator_id, created_at, "
        "updated_at, last_message_at, messages_count, sla_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
        (subject, priority, PRIORITIES.index(priority), request.category_id, user["id"], now, now,
         now, due))
    ticket_id = cur.lastrowid
    db.execute("INSERT INTO messages (ticket_id, author_id, body, internal, source, created_at) "
               "VALUES (?, ?, ?, 0, ?, ?)", (ticket_id, user["id"], body, source, now))
    if category is not None and category["routing"] == "least_loaded":
        # The least-loaded available staff of the category; ties: idle longest, then lowest id.
        candidates = db.execute(ROUTING_CANDIDATES, (category["id"],)).fetchall()
        if candidates:
            best = min(candidates, key=lambda c: (c["open_tickets"], c["last_assigned_at"], c["id"]))
            db.execute("UPDATE tickets SET assignee_id = ? WHERE id = ?", (best["id"], ticket_id))
            db.execute("UPDATE users SET last_assigned_at = ? WHERE id = ?", (now, best["id"]))
    created = find_ticket(db, ticket_id)
    db.commit()
    run_auto_replies(db, created, "ticket_created", subject + "\n" + body)
    return ticket_json(find_ticket(db, ticket_id), int(time.time()))


@app.post("/tickets/{ticket_id}/messages", status_code=201)
def post_message(ticket_id: int, request: NewMessage, user: sqlite3.Row = Depends(current_user),
                 db: sqlite3.Connection = Depends(get_db)) -> dict:
    ticket = find_ticket(db, ticket_id)
    if ticket is None or not can_view(user, ticket, db):
        raise HTTPException(status_code=404, detail="no such ticket")
    permissions = permissions_of(user["role"])
    if request.internal and "messages.internal" not in permissions:
        raise HTTPException(status_code=403, detail="forbidden")
    body = clean_text(request.body, MAX_MESSAGE, "body")
    source = request.source if request.source in ("miniapp", "bot", "api") else "api"
    by_creator = ticket["c_id"] == user["id"]
    message = add_message(
        db, ticket_id, user["id"], body, request.internal, source, int(time.time()),
        first_response=not request.internal and not by_creator and user["role"] in STAFF_ROLES,
        move_to="in_progress" if by_creator and ticket["status"] == "waiting" else None)
    db.commit()
    if by_creator and not request.internal:
        run_auto_replies(db, ticket, "message", body)
    payload = message_json(message)
    hub.publish_from_thread(ticket_id, payload, internal=request.internal)
    return payload


class Hub:
    """The usual FastAPI WebSocket "connection manager": subscribers per ticket, and a
    broadcast that awaits each send in turn on the event loop. Within one process only
    (several workers would need a broker), so bench/ws.sh runs the peer with one worker."""

    def __init__(self) -> None:
        self.by_ticket: dict = {}
        self.loop: Optional[asyncio.AbstractEventLoop] = None

    def publish_from_thread(self, ticket_id: int, message: dict, internal: bool) -> None:
        # Endpoints declared with `def` run in the threadpool; the sockets live on the loop.
        if self.loop is not None and self.by_ticket.get(ticket_id):
            asyncio.run_coroutine_threadsafe(self.broadcast(ticket_id, message, internal), self.loop)

    async def broadcast(self, ticket_id: int, message: dict, internal: bool) -> None:
        text = json.dumps({"type": "message.created", "ticket_id": ticket_id, "message": message})
        for websocket, staff in list(self.by_ticket.get(ticket_id, {}).items()):
            if internal and not staff:
                continue
            try:
                await websocket.send_text(text)
            except Exception:
                self.by_ticket.get(ticket_id, {}).pop(websocket, None)


hub = Hub()


@app.websocket("/ws")
async def websocket_endpoint(websocket: WebSocket, token: str = "") -> None:
    hub.loop = asyncio.get_running_loop()
    with contextlib.closing(sqlite3.connect(DATABASE)) as db:
        db.row_factory = sqlite3.Row
        row = db.execute(
            "SELECT u.*, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.token_hash = ?", (hashlib.sha256(token.encode()).hexdigest(),)).fetchone()
    if row is None or row["expires_at"] <= time.time():
        await websocket.close(code=1008)
        return
    await websocket.accept()
    await websocket.send_text(json.dumps({"type": "ready", "user": {"id": row["id"]}}))
    staff = "messages.internal" in permissions_of(row["role"])
    subscribed = []
    try:
        while True:
            message = json.loads(await websocket.receive_text())
            if message.get("type") == "subscribe" and str(message.get("topic", "")).startswith("ticket:"):
                ticket_id = int(message["topic"][7:])
                with contextlib.closing(sqlite3.connect(DATABASE)) as db:
                    db.row_factory = sqlite3.Row
                    ticket = find_ticket(db, ticket_id)
                    allowed = ticket is not None and can_view(row, ticket, db)
                if not allowed:
                    await websocket.send_text(json.dumps({"type": "error", "code": "not_found"}))
                    continue
                hub.by_ticket.setdefault(ticket_id, {})[websocket] = staff
                subscribed.append(ticket_id)
                await websocket.send_text(json.dumps(
                    {"type": "subscribed", "topic": message["topic"], "replayed": 0}))
            elif message.get("type") == "ping":
                await websocket.send_text(json.dumps({"type": "pong"}))
    except (WebSocketDisconnect, ValueError, KeyError):
        pass
    finally:
        for ticket_id in subscribed:
            hub.by_ticket.get(ticket_id, {}).pop(websocket, None)
