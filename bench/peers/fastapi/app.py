"""FastAPI peer of ticketbot: the fastest FastAPI a strong Python team would ship for the
same contract (see README.md for how it is built, tuned and run).

It is the side-by-side baseline that bench/run.sh measures ticketbot against (results in
docs/PERFORMANCE.md): each benchmarked endpoint does the same work as ticketbot's (the same
session lookup, the same SQL on the same indexes, the same rules, the same JSON), and
bench/peers/fastapi/check_parity.py checks the answers against a running ticketbot.

How it is made fast, the way a Python team would:
- raw SQL through aiosqlite (the asyncio SQLite driver SQLAlchemy's async engine uses), a
  pool of connections per worker process, tuples instead of ORM objects or Row mappings,
  one indexed query per list;
- timestamps formatted and `breached` computed by SQLite inside that query (C code, run
  on the driver's thread without the GIL) instead of per field in Python;
- responses serialized once with ujson into a plain Response, no response_model
  (pydantic) validation; request bodies parsed with ujson and checked by hand;
- writes on one writer connection per process behind an asyncio.Lock, each a
  BEGIN IMMEDIATE transaction, so a process's writers queue on the loop rather than
  sleeping in SQLite's busy handler;
- uvloop and httptools, gunicorn with uvicorn workers (see worker.py).

It runs on a copy of a ticketbot database (ticketbot's own schema and indexes, made by
`ticketbot migrate` or bench/generate_data.py): PEER_DATABASE names the file,
PEER_POOL_SIZE the read connections per worker (default 4).
"""

import asyncio
import base64
import binascii
import bisect
import datetime
import hashlib
import math
import os
import secrets
import time
import zoneinfo
from typing import Optional

import aiosqlite
import ujson
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response

DATABASE = os.environ.get("PEER_DATABASE", "/tmp/peer.db")
POOL_SIZE = int(os.environ.get("PEER_POOL_SIZE", "4"))
SESSION_TTL = 7 * 24 * 3600
DEMO_TELEGRAM_BASE = 9_000_000_000
ROLES = ["user", "helper", "moderator", "admin", "developer"]
DEMO_NAMES = ["Dana", "Harper", "Morgan", "Alex", "Devon"]
STAFF_ROLES = frozenset(("helper", "moderator", "admin", "developer"))
# src/core/role.cpp: every permission in its order, and the default table by role level.
ALL_PERMISSIONS = [
    "tickets.create", "tickets.view_all", "tickets.view_category", "tickets.take",
    "tickets.assign", "tickets.update", "tickets.delete", "messages.internal", "users.view",
    "users.manage_roles", "users.manage_categories", "users.manage_availability",
    "categories.manage", "auto_replies.manage", "statistics.view", "statistics.view_all",
    "forecast.view", "reports.export", "audit.view", "permissions.manage",
]
GRANTED_AT_LEVEL = [
    ["tickets.create"],
    ["tickets.view_category", "tickets.take", "tickets.update", "messages.internal", "statistics.view"],
    ["tickets.view_all", "tickets.assign", "users.view", "users.manage_categories",
     "users.manage_availability", "statistics.view_all", "forecast.view"],
    ["tickets.delete", "users.manage_roles", "categories.manage", "auto_replies.manage",
     "reports.export", "audit.view"],
    ["permissions.manage"],
]
PERMISSIONS = {  # role -> frozenset of its permissions
    role: frozenset(p for granted in GRANTED_AT_LEVEL[: level + 1] for p in granted)
    for level, role in enumerate(ROLES)
}
PERMISSION_NAMES = {  # role -> its permissions in ticketbot's order, for GET /auth/me
    role: [p for p in ALL_PERMISSIONS if p in granted] for role, granted in PERMISSIONS.items()
}
PRIORITIES = ["low", "normal", "high", "critical"]
CLIENT_SOURCES = ("miniapp", "bot", "api")
MAX_SUBJECT = 200
MAX_MESSAGE = 4096


def ts(column: str) -> str:
    """SQL for a unix-seconds column as ticketbot's ISO 8601 text (NULL stays NULL)."""
    return f"strftime('%Y-%m-%dT%H:%M:%SZ', {column}, 'unixepoch')"


# Column order of TICKET_SELECT rows; `breached` is src/core/ticket.cpp sla_breached.
TICKET_SELECT = f"""
  SELECT t.id, t.subject, t.status, t.priority, t.category_id,
         {ts('t.created_at')}, {ts('t.updated_at')}, {ts('t.first_response_at')},
         {ts('t.resolved_at')}, {ts('t.closed_at')}, {ts('t.last_message_at')},
         t.last_message_preview, t.messages_count, {ts('t.sla_due_at')},
         CASE WHEN t.sla_due_at IS NULL THEN 0
              WHEN t.first_response_at IS NOT NULL THEN t.first_response_at > t.sla_due_at
              ELSE coalesce(t.resolved_at, t.closed_at, :now) > t.sla_due_at END,
         t.rating_score, t.rating_comment,
         c.id, c.first_name, c.username, c.role, a.id, a.first_name, a.username, a.role,
         t.updated_at
  FROM tickets t
  JOIN users c ON c.id = t.creator_id
  LEFT JOIN users a ON a.id = t.assignee_id"""
TICKET_BY_ID = TICKET_SELECT + " WHERE t.id = :id AND t.deleted_at IS NULL"
# What a visibility check needs, without the joins.
TICKET_ACCESS = ("SELECT creator_id, assignee_id, category_id, status FROM tickets "
                 "WHERE id = ? AND deleted_at IS NULL")

MESSAGE_SELECT = f"""
  SELECT m.id, m.ticket_id, m.body, m.internal, m.source, {ts('m.created_at')},
         u.id, u.first_name, u.username, u.role
  FROM messages m JOIN users u ON u.id = m.author_id"""

USER_COLUMNS = (f"u.id, u.role, u.telegram_id, u.username, u.first_name, u.last_name, "
                f"u.language_code, u.available, {ts('u.created_at')}, {ts('u.last_seen_at')}, "
                "(SELECT group_concat(category_id) FROM user_categories WHERE user_id = u.id)")
# The caller of a request: (id, role) for most endpoints, the whole user for GET /auth/me.
SESSION_USER = ("SELECT u.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id "
                "WHERE s.token_hash = ? AND s.expires_at > ?")
SESSION_USER_FULL = (f"SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id "
                     "WHERE s.token_hash = ? AND s.expires_at > ?")

CATEGORY_SELECT = ("SELECT id, name, description, default_priority, sla_minutes, routing, "
                   "active, position FROM categories")

# src/store/sqlite/sqlite_tickets.cpp: the load is the trigger-maintained users.open_tickets.
ROUTING_CANDIDATES = """
  SELECT u.id, u.last_assigned_at, u.open_tickets
  FROM users u JOIN user_categories uc ON uc.user_id = u.id
  WHERE uc.category_id = ? AND u.available = 1
    AND u.role IN ('helper', 'moderator', 'admin', 'developer')"""

INSERT_TICKET = """
  INSERT INTO tickets (subject, priority, priority_rank, category_id, creator_id, created_at,
                       updated_at, last_message_at, messages_count, sla_due_at, assignee_id,
                       last_message_preview)
  VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?6, 1, ?7, ?8, substr(?9, 1, 160))"""
INSERT_MESSAGE = ("INSERT INTO messages (ticket_id, author_id, body, internal, source, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?)")
BUMP_TICKET = """
  UPDATE tickets SET messages_count = messages_count + 1, last_message_at = :now,
    updated_at = :now, last_message_preview = substr(:body, 1, 160),
    first_response_at = CASE WHEN :first = 1 AND first_response_at IS NULL THEN :now
                             ELSE first_response_at END,
    status = coalesce(:status, status)
  WHERE id = :id"""


# --- database --------------------------------------------------------------


async def connect() -> aiosqlite.Connection:
    # isolation_level=None: no implicit transactions; writes open their own.
    # synchronous=NORMAL is ticketbot's durability (WAL: a commit survives a crash of the
    # process, not a power loss), so writes are compared at equal cost.
    conn = await aiosqlite.connect(f"file:{DATABASE}?mode=rw", uri=True, isolation_level=None,
                                   timeout=10.0, check_same_thread=False)
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA temp_store = MEMORY")
    return conn


class Pool:
    """Per worker process: POOL_SIZE read connections handed out one request at a time (an
    asyncio.Queue, like SQLAlchemy's AsyncAdaptedQueuePool without its reset-on-return
    round trip), and one writer connection behind a lock."""

    def __init__(self) -> None:
        self.idle: Optional[asyncio.Queue] = None
        self.writer: Optional[aiosqlite.Connection] = None
        self.write_lock: Optional[asyncio.Lock] = None
        self.all: list = []

    async def open(self) -> None:
        self.idle = asyncio.Queue()
        self.write_lock = asyncio.Lock()
        for _ in range(POOL_SIZE):
            conn = await connect()
            self.all.append(conn)
            self.idle.put_nowait(conn)
        self.writer = await connect()
        self.all.append(self.writer)

    async def close(self) -> None:
        for conn in self.all:
            await conn.close()
        self.all.clear()


pool = Pool()


class Reader:
    """`async with Reader() as db:` a read connection of the pool for one request."""

    __slots__ = ("conn",)

    async def __aenter__(self) -> aiosqlite.Connection:
        self.conn = await pool.idle.get()
        return self.conn

    async def __aexit__(self, *exc) -> None:
        pool.idle.put_nowait(self.conn)


class Transaction:
    """`async with Transaction() as db:` the process's writer in a BEGIN IMMEDIATE
    transaction, committed on success and rolled back on an exception."""

    async def __aenter__(self) -> aiosqlite.Connection:
        await pool.write_lock.acquire()
        try:
            await pool.writer.execute("BEGIN IMMEDIATE")
        except BaseException:
            pool.write_lock.release()
            raise
        return pool.writer

    async def __aexit__(self, exc_type, exc, tb) -> None:
        try:
            await pool.writer.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            pool.write_lock.release()


app = FastAPI(title="ticketbot FastAPI peer", openapi_url=None, docs_url=None, redoc_url=None)


@app.on_event("startup")
async def startup() -> None:
    # The database is a copy of ticketbot's: never create an empty file by mistake (mode=rw).
    await pool.open()
    async with Reader() as db:
        tables = {row[0] for row in await db.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"users", "sessions", "user_categories", "tickets", "messages"} <= tables:
        raise RuntimeError(f"{DATABASE} lacks ticketbot's schema (run `ticketbot migrate` on it)")
    await create_statistics_indexes()


@app.on_event("shutdown")
async def shutdown() -> None:
    await pool.close()


# --- responses and errors --------------------------------------------------


def dumps(value) -> bytes:
    return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False).encode()


def json_response(value, status: int = 200) -> Response:
    return Response(dumps(value), status_code=status, media_type="application/json")


class ApiError(Exception):
    """An error answered the way ticketbot answers it: {"error": {"code", "message"}}."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message


@app.exception_handler(ApiError)
async def api_error(request: Request, exc: ApiError) -> Response:
    response = json_response({"error": {"code": exc.code, "message": exc.message}}, exc.status)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


@app.exception_handler(aiosqlite.Error)
async def database_error(request: Request, exc: aiosqlite.Error) -> Response:
    return json_response({"status": "error", "database": "error", "redis": "disabled"}, 503)


def invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message)


def forbidden(permission: str) -> ApiError:
    return ApiError(403, "forbidden", f"requires the {permission} permission")


def no_such_ticket() -> ApiError:
    return ApiError(404, "not_found", "no such ticket")


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def unb64(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def positive(text: Optional[str]) -> Optional[int]:
    """src/api/json.cpp parse_positive: digits only, above zero."""
    if not text or not text.isdigit() or not text.isascii():
        return None
    value = int(text)
    return value if value > 0 else None


def page_limit(request: Request) -> int:
    text = request.query_params.get("limit")
    if text is None:
        return 50
    limit = positive(text)
    if limit is None or limit > 200:
        raise invalid("limit must be from 1 to 200")
    return limit


def path_id(text: str) -> int:
    value = positive(text)
    if value is None:
        raise invalid("id must be a positive integer")
    return value


def json_body(body: bytes) -> dict:
    try:
        value = ujson.loads(body)
    except ValueError:
        raise invalid("the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise invalid("the body must be a JSON object")
    return value


def clean_text(value, max_length: int, what: str) -> str:
    """src/core/ticket.cpp clean_text: trimmed, 1 to max_length characters."""
    if not isinstance(value, str):
        raise invalid(f"{what} is required")
    cleaned = value.strip(" \t\r\n")
    if not cleaned or len(cleaned) > max_length:
        raise invalid(f"{what} must be 1 to {max_length} characters after trimming")
    return cleaned


# --- JSON shapes (src/api/json.cpp) ------------------------------------------


def ticket_json(row: tuple) -> dict:
    return {
        "id": row[0], "subject": row[1], "status": row[2], "priority": row[3],
        "category_id": row[4],
        "creator": {"id": row[17], "first_name": row[18], "username": row[19], "role": row[20]},
        "assignee": None if row[21] is None else {
            "id": row[21], "first_name": row[22], "username": row[23], "role": row[24]},
        "created_at": row[5], "updated_at": row[6], "first_response_at": row[7],
        "resolved_at": row[8], "closed_at": row[9], "last_message_at": row[10],
        "last_message_preview": row[11], "messages_count": row[12], "sla_due_at": row[13],
        "breached": bool(row[14]),
        "rating": None if row[15] is None else {"score": row[15], "comment": row[16]},
    }


def message_json(row: tuple) -> dict:
    return {
        "id": row[0], "ticket_id": row[1],
        "author": {"id": row[6], "first_name": row[7], "username": row[8], "role": row[9]},
        "body": row[2], "internal": bool(row[3]), "attachments": [], "source": row[4],
        "created_at": row[5],
    }


def user_json(row: tuple) -> dict:
    return {
        "id": row[0], "telegram_id": row[2], "username": row[3], "first_name": row[4],
        "last_name": row[5], "language_code": row[6], "role": row[1],
        "category_ids": sorted(int(c) for c in row[10].split(",")) if row[10] else [],
        "available": bool(row[7]), "created_at": row[8], "last_seen_at": row[9],
    }


def category_json(row: tuple) -> dict:
    return {"id": row[0], "name": row[1], "description": row[2], "default_priority": row[3],
            "sla_minutes": row[4], "routing": row[5], "active": bool(row[6]),
            "position": row[7]}


# --- authentication and visibility -------------------------------------------


def token_hash_of(authorization: Optional[str]) -> str:
    if not authorization or not authorization.startswith("Bearer "):
        raise ApiError(401, "unauthorized", "missing credentials")
    return hashlib.sha256(authorization[7:].encode()).hexdigest()


async def caller(db: aiosqlite.Connection, request: Request, full: bool = False) -> tuple:
    """The session's user: (id, role), or with full=True the USER_COLUMNS row."""
    token_hash = token_hash_of(request.headers.get("authorization"))
    rows = await db.execute_fetchall(SESSION_USER_FULL if full else SESSION_USER,
                                     (token_hash, int(time.time())))
    if not rows:
        raise ApiError(401, "unauthorized", "invalid or revoked session token")
    return rows[0]


async def category_ids_of(db: aiosqlite.Connection, user_id: int) -> list:
    return [row[0] for row in await db.execute_fetchall(
        "SELECT category_id FROM user_categories WHERE user_id = ?", (user_id,))]


async def visible_ticket(db: aiosqlite.Connection, user: tuple, ticket_id: int) -> tuple:
    """(creator_id, assignee_id, category_id, status) of a ticket the user may see
    (src/core/ticket.cpp can_view), else 404."""
    rows = await db.execute_fetchall(TICKET_ACCESS, (ticket_id,))
    if not rows:
        raise no_such_ticket()
    ticket = rows[0]
    permissions = PERMISSIONS[user[1]]
    if "tickets.view_all" in permissions or ticket[0] == user[0]:
        return ticket
    if "tickets.view_category" in permissions:
        if ticket[1] is not None:
            if ticket[1] == user[0]:
                return ticket
        elif ticket[2] in await category_ids_of(db, user[0]):
            return ticket
    raise no_such_ticket()


# --- endpoints ---------------------------------------------------------------

HEALTHY = dumps({"status": "ok", "database": "ok", "redis": "disabled"})


@app.get("/healthz")
async def healthz() -> Response:
    async with Reader() as db:
        await db.execute_fetchall("SELECT 1")
    return Response(HEALTHY, media_type="application/json",
                    headers={"Cache-Control": "no-store"})


@app.post("/auth/demo")
async def demo_login(request: Request) -> Response:
    role = json_body(await request.body()).get("role")
    if not isinstance(role, str):
        raise invalid("role is required")
    if role not in ROLES:
        raise invalid("unknown role")
    now = int(time.time())
    level = ROLES.index(role)
    token = secrets.token_urlsafe(32)
    async with Transaction() as db:
        # The demo person of that role, as ticketbot seeds it with DEMO=1.
        await db.execute(
            "INSERT OR IGNORE INTO users (telegram_id, username, first_name, last_name, role, "
            "language_code, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, 'en', ?, ?)",
            (DEMO_TELEGRAM_BASE + level, "demo_" + role, DEMO_NAMES[level], f"(demo {role})",
             role, now, now))
        user = (await db.execute_fetchall(f"SELECT {USER_COLUMNS} FROM users u WHERE telegram_id = ?",
                                          (DEMO_TELEGRAM_BASE + level,)))[0]
        await db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                         (hashlib.sha256(token.encode()).hexdigest(), user[0], now,
                          now + SESSION_TTL))
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + SESSION_TTL))
    return json_response({"token": token, "expires_at": expires, "user": user_json(user)})


@app.get("/auth/me")
async def me(request: Request) -> Response:
    async with Reader() as db:
        user = await caller(db, request, full=True)
    body = user_json(user)
    body["permissions"] = PERMISSION_NAMES[user[1]]
    return json_response(body)


@app.get("/categories")
async def categories(request: Request) -> Response:
    async with Reader() as db:
        user = await caller(db, request)
        # Inactive categories only for those who manage them (CategoryService::list).
        sql = CATEGORY_SELECT
        if "categories.manage" not in PERMISSIONS[user[1]]:
            sql += " WHERE active = 1"
        rows = await db.execute_fetchall(sql + " ORDER BY position, id")
    return json_response({"items": [category_json(row) for row in rows], "next_cursor": None})


@app.get("/tickets")
async def list_tickets(request: Request) -> Response:
    """The caller's visibility (a user their own tickets, a helper theirs and the unassigned
    ones of their categories, moderator+ all), newest updated_at first, keyset-paged: one
    query on tickets_by_updated / tickets_by_creator, as ticketbot's."""
    limit = page_limit(request)
    cursor = request.query_params.get("cursor")
    params = {"limit": limit + 1, "now": int(time.time())}
    sql = TICKET_SELECT + " WHERE t.deleted_at IS NULL"
    if cursor:
        try:
            value, _, ticket_id = unb64(cursor).partition(".")
            params["after_value"], params["after_id"] = int(value), int(ticket_id)
        except (ValueError, binascii.Error):
            raise invalid("malformed cursor") from None
    async with Reader() as db:
        user = await caller(db, request)
        permissions = PERMISSIONS[user[1]]
        if "tickets.view_all" not in permissions:
            params["viewer"] = user[0]
            sql += " AND (t.creator_id = :viewer"
            if "tickets.view_category" in permissions:
                sql += (" OR t.assignee_id = :viewer OR (t.assignee_id IS NULL AND t.category_id IN"
                        " (SELECT category_id FROM user_categories WHERE user_id = :viewer))")
            sql += ")"
        if cursor:
            sql += (" AND (t.updated_at < :after_value"
                    " OR (t.updated_at = :after_value AND t.id < :after_id))")
        sql += " ORDER BY t.updated_at DESC, t.id DESC LIMIT :limit"
        rows = await db.execute_fetchall(sql, params)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = b64(f"{rows[-1][25]}.{rows[-1][0]}")
    return json_response({"items": [ticket_json(row) for row in rows], "next_cursor": next_cursor})


@app.get("/tickets/{ticket_id}")
async def get_ticket(ticket_id: str, request: Request) -> Response:
    tid = path_id(ticket_id)
    async with Reader() as db:
        user = await caller(db, request)
        await visible_ticket(db, user, tid)
        rows = await db.execute_fetchall(TICKET_BY_ID, {"id": tid, "now": int(time.time())})
    if not rows:
        raise no_such_ticket()
    return json_response(ticket_json(rows[0]))


@app.get("/tickets/{ticket_id}/messages")
async def list_messages(ticket_id: str, request: Request) -> Response:
    tid = path_id(ticket_id)
    after_text = request.query_params.get("after_id")
    after_id = 0
    if after_text is not None and after_text != "0":
        after_id = positive(after_text)
        if after_id is None:
            raise invalid("after_id must be 0 or a message id")
    limit = page_limit(request)
    async with Reader() as db:
        user = await caller(db, request)
        await visible_ticket(db, user, tid)
        sql = MESSAGE_SELECT + " WHERE m.ticket_id = ? AND m.id > ?"
        if "messages.internal" not in PERMISSIONS[user[1]]:
            sql += " AND m.internal = 0"
        rows = await db.execute_fetchall(sql + " ORDER BY m.id LIMIT ?", (tid, after_id, limit + 1))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = b64(str(rows[-1][0]))
    return json_response({"items": [message_json(row) for row in rows], "next_cursor": next_cursor})


def sla_due_at(created: int, sla_minutes: Optional[int], priority: str) -> int:
    """src/core/ticket.cpp sla_due_at."""
    rank = PRIORITIES.index(priority)
    if sla_minutes is None:
        return created + 60 * [24 * 60, 8 * 60, 4 * 60, 60][rank]
    return created + 60 * max(1, sla_minutes * [200, 100, 50, 25][rank] // 100)


async def add_message(db: aiosqlite.Connection, ticket_id: int, author_id: int, body: str,
                      internal: bool, source: str, now: int, first_response: bool = False,
                      move_to: Optional[str] = None) -> tuple:
    """In a write transaction: the message and, unless internal, the ticket's counters."""
    message_id = (await db.execute_insert(
        INSERT_MESSAGE, (ticket_id, author_id, body, int(internal), source, now)))[0]
    if not internal:
        await db.execute(BUMP_TICKET, {"now": now, "body": body, "first": int(first_response),
                                       "status": move_to, "id": ticket_id})
    return (await db.execute_fetchall(MESSAGE_SELECT + " WHERE m.id = ?", (message_id,)))[0]


async def run_auto_replies(ticket_id: int, category_id: Optional[int], event: str,
                           text: str) -> None:
    """The active auto-replies of the event whose category and keywords match, once each
    per ticket (AutoReplyService::run)."""
    async with Reader() as db:
        replies = await db.execute_fetchall(
            "SELECT id, keywords, category_id, body FROM auto_replies "
            "WHERE active = 1 AND event = ? ORDER BY id", (event,))
        if not replies:
            return
        system = await db.execute_fetchall("SELECT id FROM users WHERE telegram_id = 0")
    if not system:
        return
    haystack = text.lower()
    for reply_id, keywords, reply_category, body in replies:
        if reply_category is not None and reply_category != category_id:
            continue
        words = [k.lower() for k in keywords.split("\n") if k]
        if words and not any(k in haystack for k in words):
            continue
        async with Transaction() as db:
            cur = await db.execute("INSERT OR IGNORE INTO auto_reply_fired VALUES (?, ?)",
                                   (reply_id, ticket_id))
            if cur.rowcount:
                message = await add_message(db, ticket_id, system[0][0], body, False, "system",
                                            int(time.time()))
        if cur.rowcount:
            hub.publish(ticket_id, message_json(message), internal=False)


@app.post("/tickets")
async def create_ticket(request: Request) -> Response:
    body_json = json_body(await request.body())
    async with Reader() as db:
        user = await caller(db, request)
        if "tickets.create" not in PERMISSIONS[user[1]]:
            raise forbidden("tickets.create")
        subject = clean_text(body_json.get("subject"), MAX_SUBJECT, "subject")
        body = clean_text(body_json.get("body"), MAX_MESSAGE, "body")
        priority = body_json.get("priority")
        if priority is not None and priority not in PRIORITIES:
            raise invalid("unknown priority")
        category_id = body_json.get("category_id")
        category = None
        if category_id is not None:
            if not isinstance(category_id, int) or isinstance(category_id, bool):
                raise invalid("category_id must be an id or null")
            rows = await db.execute_fetchall(
                "SELECT id, default_priority, sla_minutes, routing FROM categories "
                "WHERE id = ? AND active = 1", (category_id,))
            if not rows:
                raise invalid(f"no active category with id {category_id}")
            category = rows[0]
    priority = priority or (category[1] if category else "normal")
    source = body_json.get("source")
    source = source if source in CLIENT_SOURCES else "api"
    now = int(time.time())
    due = sla_due_at(now, category[2] if category else None, priority)

    async with Transaction() as db:
        assignee = None
        if category is not None and category[3] == "least_loaded":
            # The least-loaded available staff of the category; ties: idle longest, then
            # lowest id (src/core/ticket.cpp choose_assignee).
            candidates = await db.execute_fetchall(ROUTING_CANDIDATES, (category[0],))
            if candidates:
                assignee = min(candidates, key=lambda c: (c[2], c[1], c[0]))[0]
                await db.execute("UPDATE users SET last_assigned_at = ? WHERE id = ?",
                                 (now, assignee))
        ticket_id = (await db.execute_insert(
            INSERT_TICKET, (subject, priority, PRIORITIES.index(priority), category_id, user[0],
                            now, due, assignee, body)))[0]
        await db.execute(INSERT_MESSAGE, (ticket_id, user[0], body, 0, source, now))
        rows = await db.execute_fetchall(TICKET_BY_ID, {"id": ticket_id, "now": now})
    await run_auto_replies(ticket_id, category_id, "ticket_created", subject + "\n" + body)
    return json_response(ticket_json(rows[0]), 201)


@app.post("/tickets/{ticket_id}/messages")
async def post_message(ticket_id: str, request: Request) -> Response:
    tid = path_id(ticket_id)
    request_json = json_body(await request.body())
    async with Reader() as db:
        user = await caller(db, request)
        ticket = await visible_ticket(db, user, tid)
    internal = request_json.get("internal", False)
    if not isinstance(internal, bool):
        raise invalid("internal must be a boolean")
    if internal and "messages.internal" not in PERMISSIONS[user[1]]:
        raise forbidden("messages.internal")
    body = clean_text(request_json.get("body"), MAX_MESSAGE, "body")
    source = request_json.get("source")
    source = source if source in CLIENT_SOURCES else "api"
    by_creator = ticket[0] == user[0]
    async with Transaction() as db:
        message = await add_message(
            db, tid, user[0], body, internal, source, int(time.time()),
            first_response=not internal and not by_creator and user[1] in STAFF_ROLES,
            move_to="in_progress" if by_creator and ticket[3] == "waiting" else None)
    payload = message_json(message)
    hub.publish(tid, payload, internal=internal)
    if by_creator and not internal:
        await run_auto_replies(tid, ticket[2], "message", body)
    return json_response(payload, 201)


# --- WebSocket -----------------------------------------------------------------


class Hub:
    """The usual FastAPI WebSocket "connection manager": subscribers per ticket, and a
    broadcast that awaits each send in turn on the event loop. Within one process only
    (several workers would need a broker), so bench/ws.sh runs the peer with one worker."""

    def __init__(self) -> None:
        self.by_ticket: dict = {}
        self.tasks: set = set()

    def publish(self, ticket_id: int, message: dict, internal: bool) -> None:
        if self.by_ticket.get(ticket_id):
            task = asyncio.get_running_loop().create_task(
                self.broadcast(ticket_id, message, internal))
            self.tasks.add(task)  # a reference, so the task is not collected mid-way
            task.add_done_callback(self.tasks.discard)

    async def broadcast(self, ticket_id: int, message: dict, internal: bool) -> None:
        text = ujson.dumps({"type": "message.created", "ticket_id": ticket_id, "message": message},
                           ensure_ascii=False, escape_forward_slashes=False)
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
    async with Reader() as db:
        rows = await db.execute_fetchall(SESSION_USER, (hashlib.sha256(token.encode()).hexdigest(),
                                                        int(time.time())))
    if not rows:
        await websocket.close(code=1008)
        return
    user = rows[0]
    await websocket.accept()
    await websocket.send_text(ujson.dumps({"type": "ready", "user": {"id": user[0]}}))
    staff = "messages.internal" in PERMISSIONS[user[1]]
    subscribed = []
    try:
        while True:
            message = ujson.loads(await websocket.receive_text())
            if message.get("type") == "subscribe" and str(message.get("topic", "")).startswith("ticket:"):
                ticket_id = int(message["topic"][7:])
                try:
                    async with Reader() as db:
                        await visible_ticket(db, user, ticket_id)
                except ApiError:
                    await websocket.send_text(ujson.dumps({"type": "error", "code": "not_found"}))
                    continue
                hub.by_ticket.setdefault(ticket_id, {})[websocket] = staff
                subscribed.append(ticket_id)
                await websocket.send_text(ujson.dumps(
                    {"type": "subscribed", "topic": message["topic"], "replayed": 0},
                    escape_forward_slashes=False))
            elif message.get("type") == "ping":
                await websocket.send_text('{"type":"pong"}')
    except (WebSocketDisconnect, ValueError, KeyError, AttributeError):
        pass
    finally:
        for ticket_id in subscribed:
            hub.by_ticket.get(ticket_id, {}).pop(websocket, None)


# --- statistics --------------------------------------------------------------
# GET /statistics as a strong Python team would write it without rollups: plain SQL
# aggregations over the tickets of the period on covering indexes the peer adds at start
# (STATISTICS_INDEXES), exact medians and p90 from the durations sorted in Python, days from
# zoneinfo. Same parameters, rules and answer shape as ticketbot's (docs/API.md).

STATISTICS_INDEXES = [
    "CREATE INDEX IF NOT EXISTS peer_tickets_by_created ON tickets (created_at, category_id, "
    "assignee_id, status, priority, sla_due_at, first_response_at, resolved_at, closed_at, "
    "rating_score, reopens) WHERE deleted_at IS NULL",
    "CREATE INDEX IF NOT EXISTS peer_tickets_by_finished ON tickets "
    "(coalesce(resolved_at, closed_at), category_id, assignee_id) WHERE deleted_at IS NULL",
]
STATUSES = ["open", "in_progress", "waiting", "resolved", "closed"]
HOUR, DAY = 3600, 86400


async def create_statistics_indexes() -> None:
    # Its own connection with a long timeout: the other worker may be building them.
    conn = await aiosqlite.connect(f"file:{DATABASE}?mode=rw", uri=True, isolation_level=None,
                                   timeout=600.0)
    try:
        for statement in STATISTICS_INDEXES:
            await conn.execute(statement)
    finally:
        await conn.close()


def _bound(text: str, field: str, zone, is_end: bool) -> int:
    try:
        if len(text) == 20 and text.endswith("Z"):
            moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
            return int(moment.replace(tzinfo=datetime.timezone.utc).timestamp())
        if len(text) == 10:
            day = datetime.date.fromisoformat(text) + datetime.timedelta(days=1 if is_end else 0)
            midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
            return int(midnight.timestamp()) // HOUR * HOUR
    except ValueError:
        pass
    raise invalid(f"{field}: expected a day (2026-11-25) or a UTC time (2026-11-25T14:50:00Z)")


def _quantile(ordered: list, q: float):
    """Nearest rank: the value at rank ceil(q × n)."""
    if not ordered:
        return None
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def _figures(counts: list, first: list, resolution: list) -> dict:
    """The performance figures of one group from its summed counts and its durations."""
    first.sort()
    resolution.sort()
    with_sla, breached, finished, finished_once, reopened, rated, rating_sum = counts[10:17]
    return {"resolved": finished,
            "median_first_response_s": _quantile(first, 0.5),
            "p90_first_response_s": _quantile(first, 0.9),
            "median_resolution_s": _quantile(resolution, 0.5),
            "reopen_rate": reopened / finished_once if finished_once else None,
            "sla_breach_rate": breached / with_sla if with_sla else None,
            "csat_avg": rating_sum / rated if rated else None,
            "csat_count": rated}


@app.get("/statistics")
async def get_statistics(request: Request) -> Response:
    params = request.query_params
    async with Reader() as db:
        user = await caller(db, request)
        permissions = PERMISSIONS[user[1]]
        if "statistics.view" not in permissions:
            raise forbidden("statistics.view")
        try:
            zone = zoneinfo.ZoneInfo(params.get("tz") or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise invalid("tz: unknown time zone; use an IANA name such as Europe/Moscow")
        category = positive(params.get("category_id"))
        if params.get("category_id") is not None and category is None:
            raise invalid("category_id: expected a positive integer")
        assignee = user[0] if params.get("assignee_id") == "me" else positive(params.get("assignee_id"))
        if params.get("assignee_id") not in (None, "me") and assignee is None:
            raise invalid("assignee_id: expected a positive integer")
        if "statistics.view_all" not in permissions:
            if assignee is not None and assignee != user[0]:
                raise ApiError(403, "forbidden", "assignee_id: only your own figures")
            assignee = user[0]
        now = int(time.time())
        end = (-(-_bound(params["to"], "to", zone, True) // HOUR) * HOUR if "to" in params
               else now // HOUR * HOUR + HOUR)
        if "from" in params:
            start = _bound(params["from"], "from", zone, False) // HOUR * HOUR
        else:
            today = datetime.datetime.fromtimestamp(now, zone).date() - datetime.timedelta(days=29)
            start = int(datetime.datetime.combine(today, datetime.time(), tzinfo=zone).timestamp()) // HOUR * HOUR
        if start >= end:
            raise invalid("from: must be before to")
        if end - start > 366 * DAY:
            raise invalid("from: the period is at most 366 days")
        interval = params.get("interval") or ("hour" if end - start <= 2 * DAY else "day")
        if interval not in ("hour", "day"):
            raise invalid("interval: expected hour or day")
        if interval == "hour" and end - start > 31 * DAY:
            raise invalid("interval: hour covers at most 31 days; use day")

        where = " WHERE deleted_at IS NULL AND created_at >= :start AND created_at < :end"
        filters = ""
        if category is not None:
            filters += " AND category_id = :category"
        if assignee is not None:
            filters += " AND assignee_id = :assignee"
        args = {"start": start, "end": end, "category": category, "assignee": assignee, "now": now}
        cells = await db.execute_fetchall(
            "SELECT coalesce(category_id, 0), coalesce(assignee_id, 0), count(*), "
            + ", ".join(f"sum(status = '{s}')" for s in STATUSES) + ", "
            + ", ".join(f"sum(priority = '{p}')" for p in PRIORITIES) + ", "
            "sum(sla_due_at IS NOT NULL), "
            "sum(CASE WHEN sla_due_at IS NULL THEN 0 WHEN first_response_at IS NOT NULL "
            "    THEN first_response_at > sla_due_at "
            "    ELSE coalesce(resolved_at, closed_at, :now) > sla_due_at END), "
            "sum(coalesce(resolved_at, closed_at) IS NOT NULL), "
            "sum(coalesce(resolved_at, closed_at) IS NOT NULL OR reopens > 0), sum(reopens > 0), "
            "count(rating_score), coalesce(sum(rating_score), 0) "
            "FROM tickets INDEXED BY peer_tickets_by_created" + where + filters + " GROUP BY 1, 2", args)
        durations = await db.execute_fetchall(
            "SELECT coalesce(category_id, 0), coalesce(assignee_id, 0), "
            "first_response_at - created_at, coalesce(resolved_at, closed_at) - created_at "
            "FROM tickets INDEXED BY peer_tickets_by_created" + where + filters
            + " AND (first_response_at IS NOT NULL OR coalesce(resolved_at, closed_at) IS NOT NULL)", args)
        created = await db.execute_fetchall(
            "SELECT created_at / 3600, count(*) FROM tickets INDEXED BY peer_tickets_by_created"
            + where + filters + " GROUP BY 1", args)
        finished = await db.execute_fetchall(
            "SELECT coalesce(resolved_at, closed_at) / 3600, count(*) FROM tickets "
            "INDEXED BY peer_tickets_by_finished WHERE deleted_at IS NULL "
            "AND coalesce(resolved_at, closed_at) >= :start AND coalesce(resolved_at, closed_at) < :end"
            + filters + " GROUP BY 1", args)
        backlog = (await db.execute_fetchall(
            "SELECT count(*), min(created_at) FROM tickets INDEXED BY tickets_backlog "
            "WHERE status IN ('open', 'in_progress', 'waiting') AND deleted_at IS NULL" + filters, args))[0]
        names = {row[0]: row[1] for row in await db.execute_fetchall(
            "SELECT id, name FROM categories ORDER BY position, id")}
        agent_ids = sorted({cell[1] for cell in cells if cell[1]})
        users = {row[0]: row for row in await db.execute_fetchall(
            f"SELECT id, first_name, username, role FROM users WHERE id IN ({','.join('?' * len(agent_ids))})",
            agent_ids)} if agent_ids else {}

    width = len(cells[0]) - 2 if cells else 17
    total, by_category, by_agent = [0] * width, {}, {}
    for cell in cells:
        for group in (total, by_category.setdefault(cell[0], [0] * width),
                      *([by_agent.setdefault(cell[1], [0] * width)] if cell[1] else [])):
            for i, value in enumerate(cell[2:]):
                group[i] += value
    lists = {}  # (kind, key) -> ([first responses], [resolutions])
    for category_key, assignee_key, first, resolution in durations:
        for key in (("all", 0), ("category", category_key), *((("agent", assignee_key),) if assignee_key else ())):
            first_list, resolution_list = lists.setdefault(key, ([], []))
            if first is not None:
                first_list.append(first)
            if resolution is not None:
                resolution_list.append(resolution)

    # counts: created, 5 statuses, 4 priorities, then the 7 sums _figures reads at [10:17]
    def perf(kind, key, counts):
        return _figures(counts, *lists.get((kind, key), ([], [])))

    result = {
        "from": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
        "to": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end)),
        "tz": str(zone.key), "tickets": total[0],
        "by_status": dict(zip(STATUSES, total[1:6])),
        "by_priority": dict(zip(PRIORITIES, total[6:10])),
        "unassigned": sum(sum(cell[3:6]) for cell in cells if cell[1] == 0),
        "breached": total[11],
        "backlog": {"open": backlog[0], "oldest_open_age_s": max(0, now - backlog[1]) if backlog[1] else None},
        "quantile_relative_error": 0.0,  # exact
    }
    result.update(perf("all", 0, total))
    ordered_categories = [c for c in names if c in by_category] + sorted(c for c in by_category if c not in names)
    result["by_category"] = [
        {"category_id": c or None, "name": names.get(c), "tickets": by_category[c][0],
         "open": sum(by_category[c][1:4]), **perf("category", c, by_category[c])}
        for c in ordered_categories]
    result["agents"] = [
        {"user": {"id": a, "first_name": users[a][1], "username": users[a][2], "role": users[a][3]},
         "assigned": by_agent[a][0], "open": sum(by_agent[a][1:4]), **perf("agent", a, by_agent[a])}
        for a in sorted(by_agent, key=lambda a: -by_agent[a][0])]

    # The time series: hours, or local days (midnights in the zone, on whole hours).
    starts = [start]
    if interval == "hour":
        starts += list(range(start + HOUR, end, HOUR))
    else:
        day = datetime.datetime.fromtimestamp(start, zone).date()
        while True:
            day += datetime.timedelta(days=1)
            t = int(datetime.datetime.combine(day, datetime.time(), tzinfo=zone).timestamp()) // HOUR * HOUR
            if t >= end:
                break
            if t > starts[-1]:
                starts.append(t)
    points = [{"t": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)), "created": 0, "resolved": 0}
              for t in starts]
    for rows, field in ((created, "created"), (finished, "resolved")):
        for hour, count in rows:
            points[bisect.bisect_right(starts, hour * HOUR) - 1][field] += count
    result["timeseries"] = {"interval": interval, "points": points}
    return json_response(result)
