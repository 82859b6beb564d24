#!/usr/bin/env python3
"""Benchmarks the Telegram bot against the fake Bot API server (tests/fakes/fake_bot_api.py).

Three figures, each the median of --rounds runs on a fresh SQLite database:

1. Updates processed per second: --people customers each send "/new", press a category,
   write their question (a new ticket) and --messages more messages (joining it), queued in
   the fake at once and fetched by the bot's long polling in batches of 100 (getUpdates'
   limit), interleaved across people. Timed from queueing until /metrics counts every
   update processed. The bot's replies are queued meanwhile but sent afterwards (the fake
   holds the first sendMessage), since the fake, one Python process, would otherwise spend
   most of a core answering them (--send-while-processing measures that way too).
2. Notifications sent per second with Telegram's limits off (TELEGRAM_SEND_LIMITS=off): staff
   replies over REST to the tickets of step 1, one notification each. The fake holds the
   first sendMessage for 3 s while the replies are posted, so the timing covers only the
   sender draining its queue.
3. The webhook's answer: wrk posting new updates to POST /telegram/webhook (bench/lua/webhook.lua)
   while the bot processes them, from 40 connections (Telegram's default max_connections):
   once as fast as the server answers (req/s, p50, p99), once paced to --webhook-rate
   updates/s in all (p50, p99).

  bench/bot_bench.py [--binary PATH] [--rounds N] [--people N] [--messages N]
                     [--notifications N] [--webhook-seconds S] [--webhook-rate N]
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE = os.path.join(ROOT, "tests", "fakes", "fake_bot_api.py")
TOKEN = "7000000001:fake-token"
SECRET = "bench-webhook-secret-0123456789"


def http(method, url, body=None, headers=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
        return json.loads(raw) if raw and response.headers.get_content_type() == "application/json" else raw


def start(command, env=None, marker="listening on http://"):
    """Starts a process whose output announces "listening on http://HOST:PORT"; returns (process, url)."""
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + 20
    while time.time() < deadline:
        log.seek(0)
        found = re.search(re.escape(marker) + r"([0-9.]+):([0-9]+)", log.read())
        if found:
            return process, f"http://{found.group(1)}:{found.group(2)}"
        if process.poll() is not None:
            break
        time.sleep(0.05)
    log.seek(0)
    process.kill()
    sys.exit(f"bot_bench: {command[0]} did not start:\n{log.read()[-2000:]}")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(binary, env):
    """ticketbot at LOG_LEVEL=warn says nothing when it is up: wait for /healthz instead."""
    port = free_port()
    process = subprocess.Popen([binary, "serve"], env=dict(env, HTTP_PORT=str(port)),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            http("GET", url + "/healthz", timeout=1)
            return process, url
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.05)
    process.kill()
    sys.exit(f"bot_bench: {binary} did not start (run it by hand with these settings to see why)")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def metric(server, name):
    text = http("GET", server + "/metrics").decode()
    found = re.search(rf"^{name} ([0-9.]+)$", text, re.MULTILINE)
    return int(float(found.group(1))) if found else 0


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return time.time()
        time.sleep(0.05)
    sys.exit(f"bot_bench: timed out waiting for {what}")


class Round:
    def __init__(self, args, webhook=False):
        self.directory = tempfile.mkdtemp(prefix="bot-bench-")
        self.fake, self.fake_url = start([sys.executable, FAKE, "--port", "0"])
        env = dict(os.environ,
                   DATABASE_URL=f"sqlite:{self.directory}/bench.db",
                   LOG_LEVEL="warn", DEMO="1", TELEGRAM_BOT_TOKEN=TOKEN,
                   TELEGRAM_API_URL=self.fake_url, TELEGRAM_SEND_LIMITS="off",
                   WEBAPP_URL="https://example.org/app/", MESSAGE_RATE_LIMIT="1000000",
                   AUTH_RATE_LIMIT="1000000")
        if webhook:
            env.update(TELEGRAM_MODE="webhook", TELEGRAM_WEBHOOK_SECRET=SECRET,
                       TELEGRAM_WEBHOOK_URL="https://example.org/telegram/webhook")
        self.server, self.url = start_server(args.binary, env)
        # The bot is up once its start-up calls are done (the last sets or deletes the webhook).
        wait_for(lambda: self.calls("setWebhook" if webhook else "deleteWebhook"), 20, "the bot to start")

    def calls(self, method):
        return http("GET", f"{self.fake_url}/control/calls?method={method}")["calls"]

    def close(self):
        stop(self.server)
        stop(self.fake)
        shutil.rmtree(self.directory, ignore_errors=True)


def conversation_updates(people, messages, category_id):
    """Each person: /new, a category, the question, then `messages` more; interleaved."""
    steps = []
    for person in range(people):
        user = {"id": 1_000_000 + person, "is_bot": False, "first_name": f"Customer {person}",
                "language_code": "en" if person % 2 else "ru"}
        chat = {"id": user["id"], "type": "private"}
        texts = ["/new", None, f"Question {person}: the app does not start"] + [
            f"More detail {i} from {person}" for i in range(messages)]
        ups = []
        for i, text in enumerate(texts):
            if text is None:
                ups.append({"callback_query": {"id": f"cb{person}", "from": user, "data": f"cat:{category_id}",
                                               "message": {"message_id": 1, "chat": chat, "date": 1764650000}}})
            else:
                ups.append({"message": {"message_id": 10 + i, "date": 1764650000, "chat": chat,
                                        "from": user, "text": text}})
        steps.append(ups)
    return [update for group in zip(*steps) for update in group]


def updates_round(args):
    bench = Round(args)
    try:
        categories = http("GET", bench.url + "/categories",
                          headers={"Authorization": "Bearer " + login(bench.url, "user")})["items"]
        updates = conversation_updates(args.people, args.messages, categories[0]["id"])
        if args.hold_sends:
            # The fake is one Python process: its sendMessage answers would take the CPU the
            # processing is measured on. The first send hangs until the client's 10 s timeout.
            http("POST", bench.fake_url + "/control/fail", {"method": "sendMessage", "times": 1,
                                                            "delay_ms": 60000})
        started = time.time()
        for offset in range(0, len(updates), 5000):
            http("POST", bench.fake_url + "/control/updates", {"updates": updates[offset:offset + 5000]})
        done = wait_for(lambda: metric(bench.url, "ticketbot_telegram_updates_processed_total") >= len(updates),
                        600, "the updates to be processed")
        rate = len(updates) / (done - started)

        # Notifications: staff replies to the tickets just made, drained by the sender.
        moderator = login(bench.url, "moderator")
        tickets = []
        cursor = None
        while len(tickets) < args.notifications:
            page = http("GET", bench.url + "/tickets?limit=200" + (f"&cursor={cursor}" if cursor else ""),
                        headers={"Authorization": "Bearer " + moderator})
            tickets += [t["id"] for t in page["items"] if t["creator"]["first_name"].startswith("Customer")]
            cursor = page["next_cursor"]
            if not cursor:
                break
        wait_for(lambda: metric(bench.url, "ticketbot_telegram_deliveries_pending") == 0, 300,
                 "the conversation's replies to be sent")
        sent_before = metric(bench.url, "ticketbot_telegram_messages_sent_total")
        http("POST", bench.fake_url + "/control/fail", {"method": "sendMessage", "times": 1, "delay_ms": 3000})
        replies = [tickets[i % len(tickets)] for i in range(args.notifications)]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda ticket: http(
                "POST", f"{bench.url}/tickets/{ticket}/messages", {"body": "We are looking into it."},
                headers={"Authorization": "Bearer " + moderator}), replies))
        posted = metric(bench.url, "ticketbot_telegram_deliveries_pending")
        first = wait_for(lambda: metric(bench.url, "ticketbot_telegram_messages_sent_total") > sent_before,
                         60, "the held send")
        done = wait_for(lambda: metric(bench.url, "ticketbot_telegram_deliveries_pending") == 0, 600,
                        "the notifications to be sent")
        sent = metric(bench.url, "ticketbot_telegram_messages_sent_total") - sent_before
        return rate, len(updates), (sent - 1) / (done - first), posted
    finally:
        bench.close()


WEBHOOK_CONNECTIONS = 40


def webhook_round(args, rate=None):
    """wrk against the webhook: flat out, or paced to `rate` updates/s over all connections."""
    bench = Round(args, webhook=True)
    pause_ms = round(WEBHOOK_CONNECTIONS * 1000 / rate) if rate else 0
    try:
        output = subprocess.run(
            ["wrk", "-t1", f"-c{WEBHOOK_CONNECTIONS}", f"-d{args.webhook_seconds}s", "--latency", "-s",
             os.path.join(ROOT, "bench", "lua", "webhook.lua"), bench.url + "/telegram/webhook"],
            capture_output=True, text=True, check=True,
            env=dict(os.environ, WEBHOOK_SECRET=SECRET, WEBHOOK_PAUSE_MS=str(pause_ms))).stdout
        rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))
        percentiles = {p: parse_ms(v) for p, v in re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE)}
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        return rate, percentiles["50"], percentiles["99"], int(errors.group(1)) if errors else 0
    finally:
        bench.close()


def parse_ms(value):
    number = float(re.match(r"[0-9.]+", value).group(0))
    return number * {"us": 0.001, "ms": 1, "s": 1000}[re.search(r"[a-z]+$", value).group(0)]


def login(url, role):
    return http("POST", url + "/auth/demo", {"role": role})["token"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "release", "ticketbot"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=2, help="messages after the question, per person")
    parser.add_argument("--notifications", type=int, default=3000)
    parser.add_argument("--webhook-seconds", type=int, default=8)
    parser.add_argument("--webhook-rate", type=int, default=2000,
                        help="updates/s offered in the paced webhook run")
    parser.add_argument("--send-while-processing", dest="hold_sends", action="store_false",
                        help="let the bot's replies go out while the updates are processed")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bot_bench: wrk is missing (scripts/install-deps.sh --with-bench)")

    updates, notifications, webhook, paced = [], [], [], []
    for number in range(1, args.rounds + 1):
        rate, count, sent_rate, queued = updates_round(args)
        updates.append(rate)
        notifications.append(sent_rate)
        print(f"round {number}: {count} updates at {rate:,.0f}/s; {queued} notifications queued, "
              f"sent at {sent_rate:,.0f}/s", flush=True)
        webhook.append(webhook_round(args))
        print(f"round {number}: webhook {webhook[-1][0]:,.0f} req/s, p50 {webhook[-1][1]:.2f} ms, "
              f"p99 {webhook[-1][2]:.2f} ms, {webhook[-1][3]} errors", flush=True)
        paced.append(webhook_round(args, args.webhook_rate))
        print(f"round {number}: webhook paced to {args.webhook_rate:,}/s: {paced[-1][0]:,.0f} req/s, "
              f"p50 {paced[-1][1]:.2f} ms, p99 {paced[-1][2]:.2f} ms, {paced[-1][3]} errors", flush=True)

    median = statistics.median
    print()
    print("| figure | median | rounds |")
    print("|---|---:|---|")
    print(f"| updates processed (long polling, batches of 100) | {median(updates):,.0f}/s | "
          + ", ".join(f"{r:,.0f}" for r in updates) + " |")
    print(f"| notifications sent, limits off | {median(notifications):,.0f}/s | "
          + ", ".join(f"{r:,.0f}" for r in notifications) + " |")
    for name, runs in ((f"flat out, {WEBHOOK_CONNECTIONS} connections", webhook),
                       (f"paced to {args.webhook_rate:,}/s, {WEBHOOK_CONNECTIONS} connections", paced)):
        print(f"| webhook answers, {name} | {median([w[0] for w in runs]):,.0f} req/s | "
              + ", ".join(f"{w[0]:,.0f}" for w in runs) + " |")
        print(f"| its p50 / p99 | {median([w[1] for w in runs]):.2f} / {median([w[2] for w in runs]):.2f} ms | "
              + ", ".join(f"{w[1]:.2f}/{w[2]:.2f}" for w in runs) + " |")


if __name__ == "__main__":
    main()
