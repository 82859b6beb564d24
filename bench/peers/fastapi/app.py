"""FastAPI peer of ticketbot, written the way the original Python stack would do it.

It is the side-by-side baseline that bench/run.sh measures ticketbot against
(results in docs/PERFORMANCE.md). Later issues add endpoints here as ticketbot
gains them, so each benchmarked endpoint has a counterpart doing the same work.
"""

import os
import sqlite3
from typing import Iterator

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

DATABASE = os.environ.get("PEER_DATABASE", "/tmp/peer.db")

app = FastAPI(title="ticketbot FastAPI peer")


def get_db() -> Iterator[sqlite3.Connection]:
    """One SQLite connection per request, closed when the request is done.

    FastAPI runs this dependency's setup, the endpoint and the teardown in
    threadpool threads that may differ, hence check_same_thread=False (as in
    FastAPI's own SQL tutorial); the connection is still used by one request only.
    """
    conn = sqlite3.connect(DATABASE, check_same_thread=False)
    try:
        yield conn
    finally:
        conn.close()


@app.exception_handler(sqlite3.Error)
async def database_error(request: Request, exc: sqlite3.Error) -> JSONResponse:
    # Covers failures to open the file (raised in get_db) as well as failed queries.
    return JSONResponse(
        status_code=503,
        content={"status": "error", "database": "error", "redis": "disabled"},
    )


@app.get("/healthz")
def healthz(db: sqlite3.Connection = Depends(get_db)) -> dict:
    db.execute("SELECT 1").fetchone()
    return {"status": "ok", "database": "ok", "redis": "disabled"}
