"""The gunicorn worker class of the FastAPI peer: uvicorn's, with its choices pinned.

    gunicorn app:app --chdir bench/peers/fastapi --worker-class worker.PeerWorker --workers 2 ...

uvicorn.workers.UvicornWorker picks the loop and the HTTP parser with "auto" (uvloop and
httptools when installed, else asyncio and h11, silently). This one requires uvloop and
httptools, so a missing package fails at start instead of slowing the benchmark down, and
takes WebSockets with wsproto (Debian's python3-websockets is not needed). The access log
stays off: gunicorn gives it no handler unless --access-logfile is set.
"""

from uvicorn.workers import UvicornWorker


class PeerWorker(UvicornWorker):
    CONFIG_KWARGS = {"loop": "uvloop", "http": "httptools", "ws": "wsproto", "lifespan": "on"}
