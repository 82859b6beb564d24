"""Self-test of the fake Bot API server: python3 -m unittest tests/fakes/test_fake_bot_api.py -v

Starts fake_bot_api.py as a subprocess on port 0 (reading the port from its first line) and talks
to it over HTTP with urllib, as the bot and the tests do.
"""

import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_bot_api.py")
TOKEN = "123456:TEST-token_x"


def start_fake(*extra):
    """Starts the fake → (process, base URL, list the rest of its stdout lines go to)."""
    process = subprocess.Popen([sys.executable, SERVER, "--port", "0", "--token", TOKEN, *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    first = process.stdout.readline().strip()
    prefix = "listening on "
    if not first.startswith(prefix):
        process.kill()
        raise RuntimeError(f"unexpected first line {first!r}: {process.stderr.read()}")
    lines = []

    def drain():
        for line in process.stdout:
            lines.append(line.rstrip("\n"))

    threading.Thread(target=drain, daemon=True).start()
    return process, first[len(prefix):], lines


def stop_fake(process):
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


class FakeBotApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.process, cls.base, cls.lines = start_fake("--log-page", "--verbose")

    @classmethod
    def tearDownClass(cls):
        code = stop_fake(cls.process)
        assert code == 0, f"exit status {code}"

    def setUp(self):
        self.control("reset")

    # --- helpers ---

    def request(self, path, data=None, headers=None, method=None, timeout=15):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read(), error.headers

    def api(self, method, params=None, encoding="json", token=TOKEN, timeout=15):
        """Calls a Bot API method → (HTTP status, decoded body)."""
        path = f"/bot{token}/{method}"
        params = params or {}
        if encoding == "json":
            status, body, _ = self.request(path, json.dumps(params).encode(),
                                           {"Content-Type": "application/json"}, timeout=timeout)
        elif encoding == "form":
            status, body, _ = self.request(path, urllib.parse.urlencode(params).encode(),
                                           {"Content-Type": "application/x-www-form-urlencoded"}, timeout=timeout)
        elif encoding == "query":
            status, body, _ = self.request(path + "?" + urllib.parse.urlencode(params), timeout=timeout)
        elif encoding == "multipart":
            boundary = uuid.uuid4().hex
            parts = []
            for name, value in params.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
            data = ("".join(parts) + f"--{boundary}--\r\n").encode()
            status, body, _ = self.request(path, data, {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                                           timeout=timeout)
        else:
            raise ValueError(encoding)
        return status, json.loads(body)

    def ok(self, method, params=None, **kwargs):
        status, body = self.api(method, params, **kwargs)
        self.assertEqual((status, body.get("ok")), (200, True), body)
        return body["result"]

    def control(self, verb, body=None, expect=200):
        status, data, _ = self.request(f"/control/{verb}", json.dumps(body or {}).encode(),
                                       {"Content-Type": "application/json"})
        self.assertEqual(status, expect, data)
        return json.loads(data)

    def control_get(self, verb, **query):
        status, data, _ = self.request(f"/control/{verb}?" + urllib.parse.urlencode(query))
        self.assertEqual(status, 200, data)
        return json.loads(data)

    def assert_error(self, status_and_body, code, description):
        status, body = status_and_body
        self.assertEqual(status, code, body)
        self.assertEqual(body["ok"], False)
        self.assertEqual(body["error_code"], code)
        self.assertEqual(body["description"], description)

    # --- Bot API ---

    def test_get_me_token_and_unknown_method(self):
        me = self.ok("getMe")
        self.assertEqual((me["id"], me["username"], me["is_bot"]), (7000000001, "ticketbot_test_bot", True))
        self.assertEqual(self.ok("getme", encoding="query")["id"], 7000000001)  # names are case-insensitive
        self.assert_error(self.api("getMe", token="123456:wrong"), 401, "Unauthorized")
        self.assert_error(self.api("sendPigeon"), 404, "Not Found: method not found")

    def test_updates_are_dropped_once_confirmed_by_offset(self):
        ids = self.control("updates", {"updates": [
            {"message": {"chat": {"id": 42, "type": "private"}, "from": {"id": 42}, "text": f"m{i}"}}
            for i in range(3)]})["update_ids"]
        self.assertEqual(ids, [ids[0], ids[0] + 1, ids[0] + 2])
        self.assertGreaterEqual(ids[0], 1000)
        first = self.ok("getUpdates", {"timeout": 0})
        self.assertEqual([u["update_id"] for u in first], ids)
        self.assertEqual([u["message"]["text"] for u in first], ["m0", "m1", "m2"])
        self.assertIn("message_id", first[0]["message"])  # filled in when the test leaves it out
        self.assertEqual([u["update_id"] for u in self.ok("getUpdates", {"limit": 1})], ids[:1])
        # Without confirmation they come again; offset confirms everything below it.
        self.assertEqual([u["update_id"] for u in self.ok("getUpdates", {"offset": ids[2]})], ids[2:])
        self.assertEqual([u["update_id"] for u in self.ok("getUpdates", {})], ids[2:])  # gone for good
        self.assertEqual(self.ok("getUpdates", {"offset": str(ids[2] + 1)}, encoding="form"), [])
        self.assertEqual(self.ok("getUpdates", {}), [])
        # An update given with its own update_id keeps it (a duplicate, for tests of redelivery).
        self.assertEqual(self.control("updates", {"updates": [{"update_id": ids[1], "message": {"text": "again"}}]}),
                         {"update_ids": [ids[1]]})
        self.assertEqual([u["update_id"] for u in self.ok("getUpdates", {})], [ids[1]])

    def test_long_poll_answers_when_an_update_arrives(self):
        results = []

        def poll():
            started = time.monotonic()
            results.append((self.ok("getUpdates", {"timeout": 10}), time.monotonic() - started))

        pollers = [threading.Thread(target=poll) for _ in range(2)]  # two concurrent callers
        for poller in pollers:
            poller.start()
        time.sleep(0.4)
        self.assertEqual(results, [])
        update_id = self.control("updates", {"updates": [{"message": {"text": "hi"}}]})["update_ids"][0]
        for poller in pollers:
            poller.join(5)
        self.assertEqual(len(results), 2)
        for updates, elapsed in results:
            self.assertEqual([u["update_id"] for u in updates], [update_id])
            self.assertLess(elapsed, 3)
        # A queued update answers at once; an empty queue waits for the timeout.
        started = time.monotonic()
        self.ok("getUpdates", {"timeout": 30})
        self.assertLess(time.monotonic() - started, 2)
        started = time.monotonic()
        self.assertEqual(self.ok("getUpdates", {"offset": update_id + 1, "timeout": 1}), [])
        self.assertGreaterEqual(time.monotonic() - started, 0.9)

    def test_allowed_updates_filter_like_telegram(self):
        self.control("updates", {"updates": [{"message": {"text": "a"}}, {"chat_member": {}},
                                             {"callback_query": {"id": "q1"}}]})
        kinds = [next(k for k in u if k != "update_id") for u in self.ok("getUpdates", {})]
        self.assertEqual(kinds, ["message", "callback_query"])  # chat_member only when asked for
        self.control("reset")
        self.control("updates", {"updates": [{"message": {"text": "a"}}, {"callback_query": {"id": "q1"}}]})
        updates = self.ok("getUpdates", {"allowed_updates": json.dumps(["callback_query"])}, encoding="form")
        self.assertEqual([list(u) for u in updates], [["update_id", "callback_query"]])

    def test_injected_429_then_success(self):
        self.control("fail", {"method": "sendMessage", "times": 1, "error_code": 429, "retry_after": 2})
        status, body = self.api("sendMessage", {"chat_id": 5, "text": "hello"})
        self.assert_error((status, body), 429, "Too Many Requests: retry after 2")
        self.assertEqual(body["parameters"], {"retry_after": 2})
        result = self.ok("sendMessage", {"chat_id": 5, "text": "hello"})
        self.assertEqual((result["chat"]["id"], result["text"]), (5, "hello"))
        self.control("fail", {"method": "*", "error_code": 502, "times": 1})
        self.assert_error(self.api("getMe"), 502, "Bad Gateway")
        self.ok("getMe")

    def test_slow_answer_and_dropped_connection(self):
        self.control("fail", {"method": "getMe", "delay_ms": 300})
        started = time.monotonic()
        self.ok("getMe")
        self.assertGreaterEqual(time.monotonic() - started, 0.28)
        self.control("fail", {"method": "getMe", "close_connection": True})
        host, port = urllib.parse.urlsplit(self.base).netloc.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        connection.request("GET", f"/bot{TOKEN}/getMe")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            connection.getresponse()
        connection.close()
        self.assertEqual(self.control_get("calls", method="getMe")["calls"][-1]["status"], 0)

    def test_blocked_chat_gets_403(self):
        self.control("block", {"chat_id": 77})
        self.assert_error(self.api("sendMessage", {"chat_id": 77, "text": "x"}), 403,
                          "Forbidden: bot was blocked by the user")
        self.ok("sendMessage", {"chat_id": 78, "text": "x"})
        self.control("block", {"chat_id": 77, "description": "Forbidden: user is deactivated"})
        self.assert_error(self.api("sendMessage", {"chat_id": "77", "text": "x"}, encoding="form"), 403,
                          "Forbidden: user is deactivated")
        self.control("unblock", {"chat_id": 77})
        self.ok("sendMessage", {"chat_id": 77, "text": "x"})

    def test_text_length_and_emptiness(self):
        self.ok("sendMessage", {"chat_id": 1, "text": "a" * 4096})
        too_long = "Bad Request: message is too long"
        self.assert_error(self.api("sendMessage", {"chat_id": 1, "text": "a" * 4097}), 400, too_long)
        # Counted in UTF-16 code units: an emoji outside the BMP counts 2.
        self.ok("sendMessage", {"chat_id": 1, "text": "😀" * 2048})
        self.assert_error(self.api("sendMessage", {"chat_id": 1, "text": "😀" * 2049}), 400, too_long)
        # Counted after entity parsing: each &lt; is one character.
        self.ok("sendMessage", {"chat_id": 1, "text": "<b>" + "&lt;" * 4096 + "</b>", "parse_mode": "HTML"})
        empty = "Bad Request: message text is empty"
        self.assert_error(self.api("sendMessage", {"chat_id": 1, "text": ""}), 400, empty)
        self.assert_error(self.api("sendMessage", {"chat_id": 1}), 400, empty)
        self.assert_error(self.api("sendMessage", {"chat_id": 1, "text": "<b> </b>", "parse_mode": "HTML"}), 400, empty)
        self.assert_error(self.api("sendMessage", {"text": "x"}), 400, "Bad Request: chat_id is empty")

    def test_html_parse_mode(self):
        def send(text):
            return self.api("sendMessage", {"chat_id": 9, "text": text, "parse_mode": "HTML"})

        prefix = "Bad Request: can't parse entities: "
        for text, detail in [
            ("<b>bold", "Can't find end tag corresponding to start tag \"b\""),
            ("<marquee>x</marquee>", "Unsupported start tag \"marquee\" at byte offset 0"),
            ("1 < 2", "Unsupported start tag \"\" at byte offset 2"),
            ("<b>x</i>", "Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""),
            ("x</b>", "Unexpected end tag at byte offset 1"),
            ("<a href=\"https://x", "Unclosed start tag at byte offset 0"),
            ("<span>x</span>", "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"),
        ]:
            with self.subTest(text=text):
                self.assert_error(send(text), 400, prefix + detail)
        text = ("<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike>"
                "<del>d</del><a href=\"https://t.me/x?a=1&amp;b=2\">link</a><code>c</code>"
                "<pre><code class=\"language-cpp\">p</code></pre><tg-spoiler>t</tg-spoiler>"
                "<span class=\"tg-spoiler\">sp</span><blockquote expandable>q</blockquote>"
                " &lt;&gt;&amp;&quot; &#65;&#x42; AT&T")
        status, body = send(text)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["result"]["text"], "bsieunskdlinkcptspq <>&\" AB AT&T")
        self.assert_error(self.api("sendMessage", {"chat_id": 9, "text": "x", "parse_mode": "BBCode"}), 400,
                          "Bad Request: unsupported parse_mode")
        self.ok("sendMessage", {"chat_id": 9, "text": "<not parsed>"})  # no parse_mode: plain text

    def test_reply_markup_encodings_and_callback_data(self):
        markup = {"inline_keyboard": [[{"text": "Open", "callback_data": "t:" + "x" * 62}]]}
        for encoding in ("json", "form", "multipart", "query"):
            with self.subTest(encoding=encoding):
                params = {"chat_id": "-100123" if encoding != "json" else -100123, "text": "hi",
                          "reply_markup": json.dumps(markup) if encoding != "json" else markup,
                          "message_thread_id": "5" if encoding != "json" else 5}
                result = self.ok("sendMessage", params, encoding=encoding)
                self.assertEqual(result["reply_markup"], markup)
                self.assertEqual(result["chat"]["id"], -100123)
                call = self.control_get("calls", method="sendMessage")["calls"][-1]
                self.assertEqual(call["encoding"], encoding)
                self.assertEqual(call["params"]["chat_id"], -100123)
                self.assertEqual(call["params"]["message_thread_id"], 5)
                self.assertEqual(call["params"]["reply_markup"], markup)
        markup["inline_keyboard"][0][0]["callback_data"] = "é" * 33  # 66 bytes
        self.assert_error(self.api("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": markup}), 400,
                          "Bad Request: BUTTON_DATA_INVALID")
        self.assert_error(self.api("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": "{oops"},
                                   encoding="form"), 400, "Bad Request: can't parse reply keyboard markup JSON object")
        web_app = {"inline_keyboard": [[{"text": "App", "web_app": {"url": "https://example.org/app/"}}]]}
        self.ok("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": web_app})
        self.assert_error(self.api("sendMessage", {"chat_id": -100, "text": "x", "reply_markup": web_app}), 400,
                          "Bad Request: BUTTON_TYPE_INVALID")

    def test_message_ids_edits_topics_and_sent(self):
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        first = self.ok("sendMessage", {"chat_id": 11, "text": "one", "reply_markup": markup})
        second = self.ok("sendMessage", {"chat_id": 11, "text": "two", "reply_to_message_id": first["message_id"]})
        other = self.ok("sendMessage", {"chat_id": 12, "text": "other"})
        self.assertEqual(second["message_id"], first["message_id"] + 1)
        self.assertEqual(other["message_id"], 1)
        edited = self.ok("editMessageText", {"chat_id": 11, "message_id": first["message_id"], "text": "one!",
                                             "reply_markup": markup})
        self.assertEqual((edited["text"], edited["reply_markup"]), ("one!", markup))
        self.assert_error(self.api("editMessageText", {"chat_id": 11, "message_id": first["message_id"],
                                                       "text": "one!", "reply_markup": markup}), 400,
                          "Bad Request: message is not modified: specified new message content and reply markup "
                          "are exactly the same as a current content and reply markup of the message")
        self.ok("editMessageReplyMarkup", {"chat_id": 11, "message_id": first["message_id"]})
        self.assert_error(self.api("editMessageText", {"chat_id": 11, "message_id": 999, "text": "x"}), 400,
                          "Bad Request: message to edit not found")
        self.assertTrue(self.ok("answerCallbackQuery", {"callback_query_id": "q1", "text": "done"}))
        topic = self.ok("createForumTopic", {"chat_id": -1001, "name": "Ticket #1"})
        topic2 = self.ok("createForumTopic", {"chat_id": -1001, "name": "Ticket #2"})
        self.assertGreater(topic2["message_thread_id"], topic["message_thread_id"])
        self.ok("sendMessage", {"chat_id": -1001, "message_thread_id": topic["message_thread_id"], "text": "in topic"})
        sent = self.control_get("sent", chat_id=11)["messages"]
        self.assertEqual([(m["message_id"], m["text"], m["reply_markup"]) for m in sent],
                         [(first["message_id"], "one!", None), (second["message_id"], "two", None)])
        self.assertEqual(sent[1]["reply_to_message_id"], first["message_id"])
        in_topic = self.control_get("sent", chat_id=-1001)["messages"]
        self.assertEqual(in_topic[0]["message_thread_id"], topic["message_thread_id"])

    def test_commands_menu_button_and_webhook_info(self):
        commands = [{"command": "start", "description": "Start"}, {"command": "new", "description": "New ticket"}]
        self.assertTrue(self.ok("setMyCommands", {"commands": commands, "language_code": "en"}))
        self.assertEqual(self.ok("getMyCommands", {"language_code": "en"}), commands)
        self.assertEqual(self.ok("getMyCommands", {}), [])
        self.assert_error(self.api("setMyCommands", {"commands": [{"command": "Bad!", "description": "x"}]}), 400,
                          "Bad Request: BOT_COMMAND_INVALID")
        button = {"type": "web_app", "text": "Tickets", "web_app": {"url": "https://example.org/app/"}}
        self.assertTrue(self.ok("setChatMenuButton", {"menu_button": json.dumps(button)}, encoding="form"))
        self.assertEqual(self.ok("getChatMenuButton", {}), button)
        self.assertEqual(self.ok("getWebhookInfo")["url"], "")

    def test_get_file_and_download(self):
        content = bytes(range(256)) * 4
        self.control("file", {"file_id": "F1", "file_path": "documents/file_1.bin",
                              "content_base64": base64.b64encode(content).decode()})
        info = self.ok("getFile", {"file_id": "F1"})
        self.assertEqual((info["file_path"], info["file_size"]), ("documents/file_1.bin", len(content)))
        status, data, _ = self.request(f"/file/bot{TOKEN}/{info['file_path']}")
        self.assertEqual((status, data), (200, content))
        self.assertEqual(self.request(f"/file/bot{TOKEN}/documents/nope")[0], 404)
        self.assertEqual(self.request(f"/file/bot1:wrong/{info['file_path']}")[0], 401)
        self.assert_error(self.api("getFile", {"file_id": "F2"}), 400, "Bad Request: invalid file_id")

    def test_webhook_push_carries_the_secret(self):
        received = []

        class Receiver(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=receiver.serve_forever, daemon=True).start()
        try:
            url = f"http://127.0.0.1:{receiver.server_address[1]}/telegram/webhook"
            status, body = self.api("setWebhook", {"url": url, "secret_token": "s3cret-Token_1"})
            self.assertEqual((status, body["result"], body["description"]), (200, True, "Webhook was set"))
            self.assertEqual(self.ok("getWebhookInfo")["url"], url)
            self.assertEqual(self.api("getUpdates", {})[0], 409)
            answer = self.control("push", {"update": {"message": {"chat": {"id": 3}, "text": "via webhook"}}})
            self.assertEqual(answer["status"], 200)
            self.assertEqual(len(received), 1)
            secret, update = received[0]
            self.assertEqual(secret, "s3cret-Token_1")
            self.assertEqual((update["update_id"], update["message"]["text"]), (answer["update_id"], "via webhook"))
            self.ok("deleteWebhook")
            self.control("push", {"update": {"message": {"text": "x"}}}, expect=409)
        finally:
            receiver.shutdown()
            receiver.server_close()

    def test_calls_are_recorded_in_order(self):
        start = self.control_get("calls")["next"]
        self.ok("getMe")
        self.ok("sendMessage", {"chat_id": 21, "text": "a"})
        self.api("sendMessage", {"chat_id": 21, "text": ""})
        self.ok("sendMessage", {"chat_id": 22, "text": "b"})
        calls = self.control_get("calls", since=start)
        self.assertEqual([c["method"] for c in calls["calls"]], ["getMe", "sendMessage", "sendMessage", "sendMessage"])
        seqs = [c["seq"] for c in calls["calls"]]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), 4)
        self.assertEqual(calls["next"], seqs[-1])
        sends = self.control_get("calls", method="sendMessage", since=start)["calls"]
        self.assertEqual([(c["params"]["chat_id"], c["params"]["text"], c["status"]) for c in sends],
                         [(21, "a", 200), (21, "", 400), (22, "b", 200)])
        self.assertEqual(len(self.control_get("calls", method="sendMessage", chat_id=22, since=start)["calls"]), 1)
        self.assertEqual(self.control_get("calls", since=calls["next"])["calls"], [])
        # wait_ms: a read that waits for the next matching call.
        threading.Timer(0.3, lambda: self.ok("sendMessage", {"chat_id": 23, "text": "late"})).start()
        started = time.monotonic()
        late = self.control_get("calls", method="sendMessage", since=calls["next"], wait_ms=5000)["calls"]
        self.assertEqual([c["params"]["text"] for c in late], ["late"])
        self.assertLess(time.monotonic() - started, 3)

    def test_log_page_escapes_and_verbose_lines(self):
        self.ok("sendMessage", {"chat_id": 31, "text": "<script>alert(1)</script> & co"})
        status, page, headers = self.request("/")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        page = page.decode()
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", page)
        self.assertNotIn("<script>", page)
        self.assertIn('http-equiv="refresh" content="2"', page)
        deadline = time.monotonic() + 2
        while not any("chat 31" in line and "alert(1)" in line for line in self.lines) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertTrue(any(line.startswith("→ chat 31: <script>") for line in self.lines), self.lines)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_during_a_long_poll_exits_quickly(self):
        process, base, _ = start_fake()
        poll = threading.Thread(target=lambda: self._poll(base), daemon=True)
        poll.start()
        time.sleep(0.3)
        started = time.monotonic()
        self.assertEqual(stop_fake(process), 0)
        self.assertLess(time.monotonic() - started, 3)

    @staticmethod
    def _poll(base):
        try:
            urllib.request.urlopen(f"{base}/bot{TOKEN}/getUpdates?timeout=50", timeout=10).read()
        except OSError:
            pass


if __name__ == "__main__":
    unittest.main()
