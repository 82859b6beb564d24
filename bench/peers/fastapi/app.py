"""FastAPI peer of ticketbot, written the way the original Python stack would do it.

It is the side-by-side baseline that bench/run.sh measures ticketbot against
(results in docs/PERFORMANCE.md). Later issues add endpoints here as ticketbot
gains them, so each benchmarked endpoint has a counterpart doing the same work:
the same SQLite checks, the same session lookup, the same JSON.
"""

import hashlib
import os
import secrets
import sqlite3
import time
from typing import Iterator

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse

DATABASE = os.environ.get("PEER_DATABASE", "/tmp/peer.db")
SESSION_TTL = 7 * 24 * 3600
ROLES = ["user", "helper", "moderator", "admin", "developer"]
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

app = FastAPI(title="ticketbot FastAPI peer")


def get_db() -> Iterator[sqlite3.Connection]:
    """One SQLite connection per request, closed when the request is done.

    FastAPI runs this dependency's setup, the endpoint and the teardown in
    threadpool threads that may differ, hence check_same_thread=False (as in
    FastAPI's own SQL tutorial); the connection is still used by one request only.
    """
    conn = sqlite3.connect(DATABASE, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


@app.on_event("startup")
def create_schema() -> None:
    with sqlite3.connect(DATABASE) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(
            """
            CREATE TABLE IF NOT EXISTS users (
              id INTEGER PRIMARY KEY, telegram_id INTEGER UNIQUE NOT NULL,
              username TEXT, first_name TEXT NOT NULL, last_name TEXT, language_code TEXT,
              role TEXT NOT NULL, available INTEGER NOT NULL DEFAULT 1,
              created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS sessions (
              token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL,
              created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
            """
        )


@app.exception_handler(sqlite3.Error)
async def database_error(request: Request, exc: sqlite3.Error) -> JSONResponse:
    # Covers failures to open the file (raised in get_db) as well as failed queries.
    return JSONResponse(
        status_code=503,
        content={"status": "error", "database": "error", "redis": "disabled"},
    )


def iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def user_json(row: sqlite3.Row) -> dict:
    return {
        "id": row["id"], "telegram_id": row["telegram_id"], "username": row["username"],
        "first_name": row["first_name"], "last_name": row["last_name"],
        "language_code": row["language_code"], "role": row["role"], "category_ids": [],
        "available": bool(row["available"]), "created_at": iso(row["created_at"]),
        "last_seen_at": iso(row["last_seen_at"]),
    }


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
    db.execute(
        "INSERT OR IGNORE INTO users (telegram_id, username, first_name, role, language_code, "
        "created_at, last_seen_at) VALUES (?, ?, ?, ?, 'en', ?, ?)",
        (9_000_000_000 + ROLES.index(role), "demo_" + role, "Demo", role, now, now))
    user = db.execute("SELECT * FROM users WHERE role = ? ORDER BY id LIMIT 1", (role,)).fetchone()
    token = secrets.token_urlsafe(32)
    db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
               (hashlib.sha256(token.encode()).hexdigest(), user["id"], now, now + SESSION_TTL))
    db.commit()
    return {"token": token, "expires_at": iso(now + SESSION_TTL), "user": user_json(user)}


@app.get("/auth/me")
def me(user: sqlite3.Row = Depends(current_user)) -> dict:
    level = ROLES.index(user["role"])
    permissions = [p for granted in PERMISSIONS[: level + 1] for p in granted]
    return {**user_json(user), "permissions": permissions}
