"""The gunicorn worker class of the FastAPI peer: uvicorn's, with its choices pinned.

    gunicorn app:app --chdir bench/peers/fastapi --worker-class worker.PeerWorker --workers 2 ...

uvicorn.workers.UvicornWorker picks the loop and the HTTP parser with "auto" (uvloop and
httptools when installed, else asyncio and h11, silently). This one requires uvloop and
httptools, so a missing package fails at start instead of slowing the benchmark down, and
takes WebSockets with wsproto (Debian's python3-websockets is not needed). The access log
stays off: gunicorn gives it no handler unless --access-logfile is set.

The workers share the load: gunicorn's master opens the listening socket and every worker
accepts from it. Left alone, libuv accepts every pending connection at each wake-up, so
the first worker to wake after wrk opens its 64 connections can take nearly all of them
and keep them for the whole run (measured: 3 runs in 8 split the CPU 0/123, 88/15 and
100/1 ticks). UV_TCP_SINGLE_ACCEPT=1 makes libuv accept one connection per wake-up and
yield, so the other worker takes its share (8 runs in 8 within 40/60). It is set here,
in the master before it forks, so every worker's listen() sees it.
"""

import os

from uvicorn.workers import UvicornWorker

os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")


class PeerWorker(UvicornWorker):
    CONFIG_KWARGS = {"loop": "uvloop", "http": "httptools", "ws": "wsproto", "lifespan": "on"}
