#!/usr/bin/env python3
"""A fake Telegram Bot API server for ticketbot's tests and demo (Python 3 standard library only).

It answers the Bot API methods the bot uses the way api.telegram.org does (same bodies, same HTTP
statuses, same validation where it matters), and has a control API over which a test queues
updates, pushes them to a webhook, injects failures, blocks chats, registers files and reads back
every call the bot made. tests/fakes/README.md describes both sides.

    python3 tests/fakes/fake_bot_api.py --port 0 [--token TOKEN] [--log-page] [--verbose]

The first stdout line is `listening on http://HOST:PORT` (flushed), so a harness can start it on
port 0 and read the port. SIGTERM and SIGINT stop it at once with exit status 0.
"""

import argparse
import base64
import html
import json
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from email import policy as email_policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BOT_ID = 7000000001
BOT_USERNAME = "ticketbot_test_bot"
BOT_FIRST_NAME = "Ticket Bot (test)"
DEFAULT_TOKEN = f"{BOT_ID}:fake-token"
FIRST_UPDATE_ID = 1000
MAX_TEXT_LENGTH = 4096  # UTF-16 code units of the text after entity parsing
MAX_CALLBACK_DATA_BYTES = 64
MAX_POLL_TIMEOUT_S = 50
MAX_UPDATES_LIMIT = 100
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_CALLS_WAIT_MS = 30000
WEBHOOK_PUSH_TIMEOUT_S = 10

# Parameters whose value Telegram reads as a JSON-serialized object or array when it arrives as a
# string (form encoding, multipart, query string; also a JSON body that sends them as strings).
JSON_PARAMS = frozenset({
    "reply_markup", "entities", "caption_entities", "commands", "scope", "menu_button",
    "allowed_updates", "reply_parameters", "link_preview_options", "media", "results",
    "options", "permissions", "rights", "reaction", "message_ids",
})
INTEGER_PARAMS = frozenset({
    "offset", "limit", "timeout", "message_id", "message_thread_id", "reply_to_message_id",
    "max_connections", "icon_color", "cache_time", "user_id", "until_date", "duration",
})
BOOLEAN_PARAMS = frozenset({
    "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
    "disable_web_page_preview", "allow_sending_without_reply", "is_anonymous",
    "allow_paid_broadcast", "for_channels",
})
CHAT_PARAMS = frozenset({"chat_id", "from_chat_id"})

# Update types Telegram delivers when allowed_updates was never given (or given empty).
DEFAULT_EXCLUDED_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """A Bot API error answer: {"ok":false,"error_code":code,"description":…[,"parameters":…]}."""

    def __init__(self, code, description=None, retry_after=None):
        if description is None:
            if code == 429:
                description = f"Too Many Requests: retry after {retry_after or 1}"
            else:
                description = DEFAULT_DESCRIPTIONS.get(code, "Error")
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self):
        answer = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            answer["parameters"] = {"retry_after": self.retry_after}
        return answer


def bad_request(detail):
    return ApiError(400, "Bad Request: " + detail)


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


# --- Telegram's HTML parse mode ---------------------------------------------------------------

SUPPORTED_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
})
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(Exception):
    pass


def utf16_length(text):
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text, index):
    return len(text[:index].encode("utf-8"))


def _decode_entity(text, index):
    """At text[index] == '&': (decoded character, length consumed) or (None, 0) if no entity."""
    end = text.find(";", index + 1, index + 12)
    if end < 0:
        return None, 0
    name = text[index + 1:end]
    if name in NAMED_ENTITIES:
        return NAMED_ENTITIES[name], end - index + 1
    if name.startswith("#") and len(name) > 1:
        try:
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:], 10)
        except ValueError:
            return None, 0
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end - index + 1
    return None, 0  # Telegram keeps an unknown entity such as &nbsp; as literal text


def _is_name_char(ch):
    return ch.isascii() and (ch.isalnum() or ch in "-_")


def parse_html(text):
    """The plain text of `text` in parse_mode HTML, or EntityParseError with Telegram's wording."""
    out = []
    stack = []  # open tag names
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            decoded, length = _decode_entity(text, i)
            if decoded is not None:
                out.append(decoded)
                i += length
            else:
                out.append("&")
                i += 1
            continue
        if ch != "<":
            out.append(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":  # an end tag
            i += 1
            name_start = i
            while i < n and _is_name_char(text[i]):
                i += 1
            name = text[name_start:i].lower()
            while i < n and text[i].isspace():
                i += 1
            if i >= n or text[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            i += 1
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            expected = stack.pop()
            if expected != name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {_byte_offset(text, begin)}, '
                    f'expected "</{expected}>", found "</{name}>"')
            continue
        name_start = i
        while i < n and _is_name_char(text[i]):
            i += 1
        name = text[name_start:i].lower()
        if name not in SUPPORTED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}')
        attributes = {}
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            if text[i] == ">":
                i += 1
                break
            attribute_start = i
            while i < n and _is_name_char(text[i]):
                i += 1
            attribute = text[attribute_start:i].lower()
            if not attribute:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {_byte_offset(text, begin)}')
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] == "=":
                i += 1
                while i < n and text[i].isspace():
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                if text[i] in "\"'":
                    quote = text[i]
                    close = text.find(quote, i + 1)
                    if close < 0:
                        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
                    value = html.unescape(text[i + 1:close])
                    i = close + 1
                else:
                    value_start = i
                    while i < n and not text[i].isspace() and text[i] != ">":
                        i += 1
                    value = text[value_start:i]
            else:
                value = ""  # e.g. <blockquote expandable>
            attributes[attribute] = value
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}')
        stack.append(name)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


# --- parameters -------------------------------------------------------------------------------


def _normalize_chat_id(value):
    """Telegram accepts a chat id as an integer or its decimal string (and @username, which this
    fake does not know: that answers "chat not found")."""
    if isinstance(value, bool):
        raise bad_request("chat not found")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            raise bad_request("chat_id is empty")
        try:
            return int(stripped, 10)
        except ValueError:
            raise bad_request("chat not found") from None
    raise bad_request("chat not found")


def normalize_params(raw):
    """Decodes parameters as Telegram does, whichever encoding they came in: JSON-serialized
    objects in strings, integers and booleans as strings, chat_id as a string."""
    params = {}
    for name, value in raw.items():
        if name in JSON_PARAMS and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise bad_request("can't parse reply keyboard markup JSON object") from None
                raise bad_request(f"can't parse {name} JSON object") from None
        elif name in CHAT_PARAMS:
            value = _normalize_chat_id(value)
        elif name in INTEGER_PARAMS and isinstance(value, str):
            try:
                value = int(value.strip(), 10)
            except ValueError:
                pass  # the method's own check reports it
        elif name in BOOLEAN_PARAMS and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("true", "1"):
                value = True
            elif lowered in ("false", "0", ""):
                value = False
        params[name] = value
    return params


def parse_multipart(content_type, body):
    message = BytesParser(policy=email_policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise bad_request("can't parse multipart/form-data body")
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            fields[name] = {"file_name": filename, "size": len(payload)}
        else:
            charset = part.get_content_charset() or "utf-8"
            fields[name] = payload.decode(charset, errors="replace")
    return fields


def _int_param(params, name, default=None, required_message=None):
    value = params.get(name)
    if value is None or value == "":
        if required_message is not None:
            raise bad_request(required_message)
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise bad_request(f"invalid {name} specified")
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"invalid {name} specified") from None


def _text_param(params, name):
    value = params.get(name)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _chat_param(params):
    if "chat_id" not in params or params["chat_id"] in (None, ""):
        raise bad_request("chat_id is empty")
    return params["chat_id"]


def chat_object(chat_id):
    if chat_id > 0:
        return {"id": chat_id, "first_name": f"User {chat_id}", "type": "private"}
    return {"id": chat_id, "title": f"Chat {chat_id}", "type": "supergroup", "is_forum": True}


def bot_user():
    return {"id": BOT_ID, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME}


def update_type(update):
    for key in update:
        if key != "update_id":
            return key
    return ""


# --- the fake's state -------------------------------------------------------------------------


class FakeTelegram:
    """Everything the fake knows, behind one Condition (its lock). Nothing waits while holding
    it: a long poll waits on the Condition, a slow answer sleeps outside it."""

    def __init__(self, token, verbose=False):
        self.token = token
        self.verbose = verbose
        self.cond = threading.Condition()
        self.closing = False
        self.closed_event = threading.Event()
        self.print_lock = threading.Lock()
        # Counters survive a reset, so ids never repeat within one run of the fake.
        self.next_seq = 1
        self.next_update_id = FIRST_UPDATE_ID
        self.last_message_id = {}  # chat id -> last message id used in that chat
        self._forget_everything()

    def _forget_everything(self):
        self.calls = []
        self.queue = []  # updates waiting for getUpdates, in the order queued
        self.failures = []  # injected failure rules, in the order given
        self.blocked = {}  # chat id -> 403 description
        self.sent = {}  # chat id -> {message id -> message}, in send order
        self.chat_activity = {}  # chat id -> seq of the last call that changed what it shows
        self.files = {}  # file id -> {"file_path", "content"}
        self.webhook = {"url": "", "secret_token": "", "max_connections": 40, "allowed_updates": None,
                        "last_error_date": None, "last_error_message": None}
        self.allowed_updates = None
        self.commands = {}  # (scope json, language code) -> commands
        self.menu_buttons = {}  # chat id or None -> menu button
        self.topics = {}  # chat id -> [topic]

    def close(self):
        with self.cond:
            self.closing = True
            self.cond.notify_all()
        self.closed_event.set()

    def reset(self):
        with self.cond:
            self._forget_everything()
            self.cond.notify_all()

    def next_message_id(self, chat_id):
        message_id = self.last_message_id.get(chat_id, 0) + 1
        self.last_message_id[chat_id] = message_id
        return message_id

    def record(self, method, params, status, arrived, encoding, description=None):
        with self.cond:
            entry = {"seq": self.next_seq, "method": method, "params": params, "status": status,
                     "at": round(arrived, 6), "duration_ms": round((time.time() - arrived) * 1000, 1),
                     "encoding": encoding}
            if description is not None:
                entry["description"] = description
            self.next_seq += 1
            self.calls.append(entry)
            self.cond.notify_all()
            return entry["seq"]

    def take_failure(self, method, params):
        with self.cond:
            for rule in self.failures:
                if rule["method"] not in ("*", method):
                    continue
                if rule["chat_id"] is not None and params.get("chat_id") != rule["chat_id"]:
                    continue
                rule["times"] -= 1
                if rule["times"] <= 0:
                    self.failures.remove(rule)
                return dict(rule)
        return None

    def say(self, line):
        if not self.verbose:
            return
        with self.print_lock:
            try:
                print(line, flush=True)
            except (OSError, ValueError):
                pass

    # --- updates ---

    def queue_updates(self, updates):
        for update in updates:
            if "update_id" in update and (isinstance(update["update_id"], bool)
                                          or not isinstance(update["update_id"], int)):
                raise ControlError(400, "update_id must be an integer")
        with self.cond:
            completed = [self._complete_update(update) for update in updates]
            self.queue.extend(completed)
            self.cond.notify_all()
        return [update["update_id"] for update in completed]

    def _complete_update(self, update):
        """Gives an update without update_id the next one, and a message without message_id or
        date the chat's next message id and the current time. Called with the lock held."""
        if not isinstance(update, dict):
            raise ControlError(400, "an update must be a JSON object")
        update = dict(update)
        if "update_id" in update:
            if isinstance(update["update_id"], bool) or not isinstance(update["update_id"], int):
                raise ControlError(400, "update_id must be an integer")
            self.next_update_id = max(self.next_update_id, update["update_id"] + 1)
        else:
            update = {"update_id": self.next_update_id, **update}  # first, as Telegram writes it
            self.next_update_id += 1
        for key in ("message", "edited_message", "channel_post", "edited_channel_post"):
            message = update.get(key)
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                chat_id = message["chat"].get("id")
                if isinstance(chat_id, int):
                    message = dict(message)
                    if "message_id" in message and isinstance(message["message_id"], int):
                        self.last_message_id[chat_id] = max(self.last_message_id.get(chat_id, 0),
                                                            message["message_id"])
                    else:
                        message["message_id"] = self.next_message_id(chat_id)
                    message.setdefault("date", int(time.time()))
                    update[key] = message
        return update

    def _allowed(self, update):
        allowed = self.allowed_updates
        kind = update_type(update)
        if not allowed:
            return kind not in DEFAULT_EXCLUDED_UPDATE_TYPES
        return kind in allowed

    def get_updates(self, params):
        offset = _int_param(params, "offset", 0)
        limit = _int_param(params, "limit", MAX_UPDATES_LIMIT)
        if limit < 1 or limit > MAX_UPDATES_LIMIT:
            limit = MAX_UPDATES_LIMIT
        timeout = _int_param(params, "timeout", 0)
        timeout = max(0, min(timeout, MAX_POLL_TIMEOUT_S))
        allowed = params.get("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        deadline = time.monotonic() + timeout
        with self.cond:
            if allowed is not None:
                self.allowed_updates = [str(kind) for kind in allowed]
            while True:
                if self.webhook["url"]:
                    raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                        "use deleteWebhook to delete the webhook first")
                if offset > 0:  # confirmed: gone for good
                    self.queue = [u for u in self.queue if u["update_id"] >= offset]
                # Updates of types the bot did not ask for are dropped, as Telegram does.
                self.queue = [u for u in self.queue if self._allowed(u)]
                ready = self.queue[:limit]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self.closing:
                    return [json.loads(json.dumps(u)) for u in ready]
                self.cond.wait(remaining)

    # --- messages ---

    def check_not_blocked(self, chat_id):
        with self.cond:
            description = self.blocked.get(chat_id)
        if description is not None:
            raise ApiError(403, description)

    def store_sent(self, chat_id, message):
        with self.cond:
            self.sent.setdefault(chat_id, {})[message["message_id"]] = message
            self.chat_activity[chat_id] = self.next_seq
            self.cond.notify_all()

    def find_sent(self, chat_id, message_id):
        with self.cond:
            message = self.sent.get(chat_id, {}).get(message_id)
            return dict(message) if message is not None else None


# --- validation shared by the sending methods ---------------------------------------------------


def check_text(params, name="text"):
    """Validates a message text (with its parse_mode) → (raw text, plain text after parsing)."""
    text = _text_param(params, name)
    parse_mode = _text_param(params, "parse_mode").strip()
    plain = text
    if parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            try:
                plain = parse_html(text)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif mode not in ("markdown", "markdownv2"):
            raise bad_request("unsupported parse_mode")
    plain = plain.strip()
    if not plain:
        raise bad_request("message text is empty")
    if utf16_length(plain) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text, plain


def check_reply_markup(markup, chat_id):
    """Validates reply_markup as Telegram does where the bot can get it wrong."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
                if not isinstance(button.get("text"), str):
                    raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type String")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str):
                        raise bad_request(
                            "can't parse inline keyboard button: Field \"callback_data\" must be of type String")
                    size = len(data.encode("utf-8"))
                    if size < 1 or size > MAX_CALLBACK_DATA_BYTES:
                        raise bad_request("BUTTON_DATA_INVALID")
                elif "web_app" in button:
                    if chat_id is not None and chat_id < 0:
                        raise bad_request("BUTTON_TYPE_INVALID")  # web_app buttons: private chats only
                elif not any(key in button for key in (
                        "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
                        "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay")):
                    raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the "
                                      "inline keyboard")
    elif not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def message_result(message):
    result = {"message_id": message["message_id"], "from": bot_user(), "chat": chat_object(message["chat_id"]),
              "date": message["date"], "text": message["plain_text"]}
    if message.get("edit_date"):
        result["edit_date"] = message["edit_date"]
    if message.get("message_thread_id") is not None:
        result["message_thread_id"] = message["message_thread_id"]
        result["is_topic_message"] = True
    if message.get("reply_to_message_id") is not None:
        result["reply_to_message"] = {"message_id": message["reply_to_message_id"],
                                      "chat": chat_object(message["chat_id"]), "date": message["date"]}
    markup = message.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        result["reply_markup"] = {"inline_keyboard": markup["inline_keyboard"]}
    return result


NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message")


# --- Bot API methods ----------------------------------------------------------------------------
# Each takes (state, params) and returns the result, or (result, description) to add a description.


def method_get_me(state, params):
    return dict(bot_user(), can_join_groups=True, can_read_all_group_messages=False,
                supports_inline_queries=False, can_connect_to_business=False, has_main_web_app=False)


def method_get_updates(state, params):
    return state.get_updates(params)


def method_send_message(state, params):
    chat_id = _chat_param(params)
    text, plain = check_text(params)
    markup = check_reply_markup(params.get("reply_markup"), chat_id)
    thread_id = _int_param(params, "message_thread_id")
    reply_to = _int_param(params, "reply_to_message_id")
    reply_parameters = params.get("reply_parameters")
    if reply_to is None and isinstance(reply_parameters, dict):
        reply_to = _int_param(reply_parameters, "message_id")
    state.check_not_blocked(chat_id)
    with state.cond:
        message = {"chat_id": chat_id, "message_id": state.next_message_id(chat_id), "date": int(time.time()),
                   "text": text, "plain_text": plain, "parse_mode": params.get("parse_mode"),
                   "reply_markup": markup, "message_thread_id": thread_id, "reply_to_message_id": reply_to,
                   "edit_date": None}
        state.store_sent(chat_id, message)
    return message_result(message)


def _edited_message(state, params):
    if params.get("inline_message_id"):
        return None, None
    chat_id = _chat_param(params)
    message_id = _int_param(params, "message_id", required_message="message identifier is not specified")
    message = state.find_sent(chat_id, message_id)
    if message is None:
        raise bad_request("message to edit not found")
    return chat_id, message


def method_edit_message_text(state, params):
    chat_id, message = _edited_message(state, params)
    text, plain = check_text(params)
    # Like Telegram: an edit without reply_markup removes the message's inline keyboard.
    markup = check_reply_markup(params.get("reply_markup"), chat_id)
    if message is None:
        return True
    if (message["text"], message["parse_mode"], message["reply_markup"]) == (text, params.get("parse_mode"), markup):
        raise bad_request(NOT_MODIFIED)
    message.update(text=text, plain_text=plain, parse_mode=params.get("parse_mode"), reply_markup=markup,
                   edit_date=int(time.time()))
    state.store_sent(chat_id, message)
    return message_result(message)


def method_edit_message_reply_markup(state, params):
    chat_id, message = _edited_message(state, params)
    markup = check_reply_markup(params.get("reply_markup"), chat_id)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    if message is None:
        return True
    if message["reply_markup"] == markup:
        raise bad_request(NOT_MODIFIED)
    message.update(reply_markup=markup, edit_date=int(time.time()))
    state.store_sent(chat_id, message)
    return message_result(message)


def method_answer_callback_query(state, params):
    if not _text_param(params, "callback_query_id"):
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    if len(_text_param(params, "text")) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    return True


def _commands_key(params):
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), _text_param(params, "language_code")


def method_set_my_commands(state, params):
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand: BotCommand must be an Object")
        name = command.get("command")
        if not isinstance(name, str) or not 1 <= len(name) <= 32 or not all(
                ch.isascii() and (ch.islower() or ch.isdigit() or ch == "_") for ch in name):
            raise bad_request("BOT_COMMAND_INVALID")
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    with state.cond:
        state.commands[_commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands]
    return True


def method_get_my_commands(state, params):
    with state.cond:
        return list(state.commands.get(_commands_key(params), []))


def method_delete_my_commands(state, params):
    with state.cond:
        state.commands.pop(_commands_key(params), None)
    return True


def method_set_chat_menu_button(state, params):
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button")
    if button["type"] == "web_app":
        web_app = button.get("web_app")
        if not isinstance(button.get("text"), str) or not button["text"] or not isinstance(web_app, dict) \
                or not isinstance(web_app.get("url"), str) or not web_app["url"]:
            raise bad_request("can't parse menu button")
    chat_id = params.get("chat_id") if params.get("chat_id") not in (None, "") else None
    with state.cond:
        state.menu_buttons[chat_id] = button
    return True


def method_get_chat_menu_button(state, params):
    chat_id = params.get("chat_id") if params.get("chat_id") not in (None, "") else None
    with state.cond:
        return state.menu_buttons.get(chat_id) or state.menu_buttons.get(None) or {"type": "default"}


def method_set_webhook(state, params):
    url = _text_param(params, "url").strip()
    if not url:
        return method_delete_webhook(state, params)
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = _text_param(params, "secret_token")
    if len(secret) > 256 or not all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = _int_param(params, "max_connections", 40)
    allowed = params.get("allowed_updates")
    with state.cond:
        state.webhook.update(url=url, secret_token=secret, max_connections=max_connections,
                             last_error_date=None, last_error_message=None)
        if allowed is not None:
            state.webhook["allowed_updates"] = allowed
            state.allowed_updates = allowed
        if params.get("drop_pending_updates") is True:
            state.queue = []
        state.cond.notify_all()  # a waiting getUpdates now answers 409
    return True, "Webhook was set"


def method_delete_webhook(state, params):
    with state.cond:
        had = bool(state.webhook["url"])
        state.webhook.update(url="", secret_token="", last_error_date=None, last_error_message=None)
        if params.get("drop_pending_updates") is True:
            state.queue = []
    return True, ("Webhook was deleted" if had else "Webhook is already deleted")


def method_get_webhook_info(state, params):
    with state.cond:
        info = {"url": state.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(state.queue)}
        if state.webhook["url"]:
            info["max_connections"] = state.webhook["max_connections"]
            if state.webhook["allowed_updates"] is not None:
                info["allowed_updates"] = state.webhook["allowed_updates"]
            if state.webhook["last_error_date"]:
                info["last_error_date"] = state.webhook["last_error_date"]
                info["last_error_message"] = state.webhook["last_error_message"]
        return info


def method_create_forum_topic(state, params):
    chat_id = _chat_param(params)
    name = _text_param(params, "name")
    if not 1 <= len(name) <= 128:
        raise bad_request("TOPIC_NAME_INVALID" if name else "name is empty")
    if chat_id > 0:
        raise bad_request("the chat is not a forum")
    icon_color = _int_param(params, "icon_color", 7322096)
    with state.cond:
        # The thread id is the id of the topic's service message, so it shares the chat's counter.
        topic = {"message_thread_id": state.next_message_id(chat_id), "name": name, "icon_color": icon_color}
        if params.get("icon_custom_emoji_id"):
            topic["icon_custom_emoji_id"] = _text_param(params, "icon_custom_emoji_id")
        state.topics.setdefault(chat_id, []).append(dict(topic))
    return topic


def method_get_file(state, params):
    file_id = _text_param(params, "file_id")
    if not file_id:
        raise bad_request("file_id is empty")
    with state.cond:
        file = state.files.get(file_id)
    if file is None:
        raise bad_request("invalid file_id")
    return {"file_id": file_id, "file_unique_id": "u" + file_id[:16], "file_size": len(file["content"]),
            "file_path": file["file_path"]}


METHODS = {name.lower(): (name, function) for name, function in {
    "getMe": method_get_me,
    "getUpdates": method_get_updates,
    "sendMessage": method_send_message,
    "editMessageText": method_edit_message_text,
    "editMessageReplyMarkup": method_edit_message_reply_markup,
    "answerCallbackQuery": method_answer_callback_query,
    "setMyCommands": method_set_my_commands,
    "getMyCommands": method_get_my_commands,
    "deleteMyCommands": method_delete_my_commands,
    "setChatMenuButton": method_set_chat_menu_button,
    "getChatMenuButton": method_get_chat_menu_button,
    "setWebhook": method_set_webhook,
    "deleteWebhook": method_delete_webhook,
    "getWebhookInfo": method_get_webhook_info,
    "createForumTopic": method_create_forum_topic,
    "getFile": method_get_file,
}.items()}


# --- the log page -------------------------------------------------------------------------------


def render_log_page(state):
    with state.cond:
        chats = sorted(state.sent.items(), key=lambda item: state.chat_activity.get(item[0], 0), reverse=True)
        chats = [(chat_id, [dict(m) for m in messages.values()]) for chat_id, messages in chats]
        blocked = dict(state.blocked)
        queued = len(state.queue)
        call_count = len(state.calls)
    escape = html.escape
    sections = []
    for chat_id, messages in chats:
        items = []
        for message in reversed(messages):
            when = time.strftime("%H:%M:%S", time.localtime(message["edit_date"] or message["date"]))
            meta = [f"#{message['message_id']}", when]
            if message["message_thread_id"] is not None:
                meta.append(f"topic {message['message_thread_id']}")
            if message["reply_to_message_id"] is not None:
                meta.append(f"reply to #{message['reply_to_message_id']}")
            if message["edit_date"]:
                meta.append("edited")
            buttons = ""
            markup = message["reply_markup"]
            if isinstance(markup, dict) and isinstance(markup.get("inline_keyboard"), list):
                rows = []
                for row in markup["inline_keyboard"]:
                    cells = "".join(f'<span class="button">{escape(str(b.get("text", "")))}</span>'
                                    for b in row if isinstance(b, dict))
                    rows.append(f'<div class="row">{cells}</div>')
                buttons = "".join(rows)
            items.append(f'<li><div class="meta">{escape(" · ".join(meta))}</div>'
                         f'<div class="text">{escape(message["plain_text"])}</div>{buttons}</li>')
        title = f"chat {chat_id}" + (" (blocked)" if chat_id in blocked else "")
        sections.append(f"<section><h2>{escape(title)}</h2><ul>{''.join(items)}</ul></section>")
    body = "".join(sections) or "<p>The bot has not sent anything yet.</p>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fake Telegram: what the bot sent</title>
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; margin: 1rem auto; max-width: 50rem; padding: 0 1rem; }}
section {{ border: 1px solid #8884; border-radius: 8px; margin: 1rem 0; padding: 0 1rem; }}
h2 {{ font-size: 1.05rem; }} ul {{ list-style: none; padding: 0; }}
li {{ border-top: 1px solid #8883; padding: .5rem 0; }}
.meta {{ color: #888; font-size: .8rem; }} .text {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
.row {{ display: flex; gap: .3rem; margin-top: .3rem; }}
.button {{ border: 1px solid #8886; border-radius: 6px; padding: .1rem .5rem; font-size: .85rem; }}
</style></head><body>
<h1>What the bot sent</h1>
<p class="meta">{call_count} calls recorded, {queued} updates queued · newest first · refreshes every 2 s</p>
{body}
</body></html>
"""


# --- HTTP ---------------------------------------------------------------------------------------


class BodyError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the Bot API client expects
    disable_nagle_algorithm = True  # headers and body go in two writes: no delayed-ACK stall
    server_version = "FakeTelegramBotAPI/1.0"

    @property
    def state(self):
        return self.server.state

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                size_line = self.rfile.readline(1024)
                try:
                    size = int(size_line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise BodyError(400, "bad chunked encoding") from None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise BodyError(413, "Request Entity Too Large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            length = int(length)
        except ValueError:
            raise BodyError(400, "bad Content-Length") from None
        if length > MAX_BODY_BYTES:
            raise BodyError(413, "Request Entity Too Large")
        return self.rfile.read(length)

    def send_json(self, status, answer):
        self.send_bytes(status, json.dumps(answer, ensure_ascii=False).encode("utf-8"), "application/json")

    def send_bytes(self, status, data, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def dispatch(self):
        target = urllib.parse.urlsplit(self.path)
        path = target.path
        try:
            body = self.read_body()
        except BodyError as error:
            self.close_connection = True
            self.send_json(error.status, {"ok": False, "error_code": error.status, "description": error.message})
            return
        if path.startswith("/bot"):
            self.handle_bot_api(path[len("/bot"):], target.query, body)
        elif path.startswith("/file/bot"):
            self.handle_file_download(path[len("/file/bot"):])
        elif path.startswith("/control/"):
            self.handle_control(path[len("/control/"):], target.query, body)
        elif path == "/" and self.command == "GET" and self.server.log_page:
            self.send_bytes(200, render_log_page(self.state).encode("utf-8"), "text/html; charset=utf-8")
        else:
            self.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    # --- Bot API side ---

    def parse_params(self, query, body):
        """(raw parameters, encoding name): query string first, the body's fields over it."""
        raw = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        encoding = "query"
        content_type = self.headers.get("Content-Type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if body or media_type == "application/json":
            if media_type == "application/json":
                encoding = "json"
                if body.strip():
                    try:
                        fields = json.loads(body.decode("utf-8"))
                    except (UnicodeDecodeError, ValueError):
                        raise bad_request("can't parse JSON object") from None
                    if not isinstance(fields, dict):
                        raise bad_request("can't parse JSON object")
                    raw.update(fields)
            elif media_type == "multipart/form-data":
                encoding = "multipart"
                raw.update(parse_multipart(content_type, body))
            elif media_type in ("application/x-www-form-urlencoded", ""):
                encoding = "form"
                try:
                    raw.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                except UnicodeDecodeError:
                    raise bad_request("can't parse form body") from None
            else:
                raise bad_request(f"unsupported Content-Type {media_type}")
        return raw, encoding

    def handle_bot_api(self, rest, query, body):
        state = self.state
        arrived = time.time()
        token, _, method = rest.partition("/")
        token = urllib.parse.unquote(token)
        entry = METHODS.get(method.lower())
        name = entry[0] if entry else method
        params, encoding, parse_error = {}, "query", None
        try:
            raw, encoding = self.parse_params(query, body)
            params = raw
            params = normalize_params(raw)
        except ApiError as error:
            parse_error = error
        try:
            if token != state.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found: method not found")
            if parse_error is not None:
                raise parse_error
            failure = state.take_failure(name, params)
            if failure is not None:
                if failure["delay_ms"]:
                    state.closed_event.wait(failure["delay_ms"] / 1000.0)
                if failure["close_connection"]:
                    state.record(name, params, 0, arrived, encoding, "connection closed without an answer")
                    self.close_connection = True
                    return
                if failure["error_code"]:
                    raise ApiError(failure["error_code"], failure["description"], failure["retry_after"])
            result = entry[1](state, params)
            description = None
            if isinstance(result, tuple):
                result, description = result
            answer = {"ok": True, "result": result}
            if description:
                answer["description"] = description
            status = 200
        except ApiError as error:
            answer, status, description = error.body(), error.code, error.description
        state.record(name, params, status, arrived, encoding, None if status == 200 else description)
        if name in ("sendMessage", "editMessageText"):
            self.say_message(name, params, status, answer)
        self.send_json(status, answer)

    def say_message(self, name, params, status, answer):
        if not self.state.verbose:
            return
        text = _text_param(params, "text").replace("\r", "").replace("\n", " ⏎ ")
        if len(text) > 100:
            text = text[:99] + "…"
        chat = params.get("chat_id", "?")
        if params.get("message_thread_id") is not None:
            chat = f"{chat}/{params['message_thread_id']}"
        if name == "sendMessage":
            line = f"→ chat {chat}: {text}"
            if status == 200:
                line += f"  (#{answer['result']['message_id']})"
        else:
            line = f"✎ chat {chat} #{params.get('message_id', '?')}: {text}"
        if status != 200:
            line += f"  [{status} {answer.get('description', '')}]"
        self.state.say(line)

    def handle_file_download(self, rest):
        token, _, file_path = rest.partition("/")
        file_path = urllib.parse.unquote(file_path)
        if urllib.parse.unquote(token) != self.state.token:
            self.send_json(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        with self.state.cond:
            content = next((f["content"] for f in self.state.files.values() if f["file_path"] == file_path), None)
        if content is None:
            self.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found: file not found"})
            return
        self.send_bytes(200, content, "application/octet-stream")

    # --- control side ---

    def handle_control(self, verb, query, body):
        try:
            if self.command == "GET":
                args = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
                handler = CONTROL_READS.get(verb)
            else:
                try:
                    args = json.loads(body.decode("utf-8")) if body.strip() else {}
                except (UnicodeDecodeError, ValueError):
                    raise ControlError(400, "the body must be a JSON object") from None
                if not isinstance(args, dict):
                    raise ControlError(400, "the body must be a JSON object")
                handler = CONTROL_WRITES.get(verb) or CONTROL_READS.get(verb)
            if handler is None:
                raise ControlError(404, f"unknown control verb {verb!r} for {self.command}")
            self.send_json(200, handler(self.state, args))
        except ControlError as error:
            self.send_json(error.status, {"error": error.message})


def _control_int(args, name, default=None, required=False):
    value = args.get(name)
    if value is None or value == "":
        if required:
            raise ControlError(400, f"{name} is required")
        return default
    if isinstance(value, bool):
        raise ControlError(400, f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(400, f"{name} must be an integer") from None


def control_updates(state, args):
    updates = args.get("updates")
    if not isinstance(updates, list):
        raise ControlError(400, 'expected {"updates":[…]}')
    if not all(isinstance(update, dict) for update in updates):
        raise ControlError(400, "each update must be a JSON object")
    return {"update_ids": state.queue_updates(updates)}


def control_push(state, args):
    update = args.get("update")
    if not isinstance(update, dict):
        raise ControlError(400, 'expected {"update":{…}}')
    with state.cond:
        url, secret = state.webhook["url"], state.webhook["secret_token"]
        if not url:
            raise ControlError(409, "no webhook is set (setWebhook first)")
        update = state._complete_update(update)
    data = json.dumps(update, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    if secret:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    error_message = None
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_PUSH_TIMEOUT_S) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        error_message = f"Wrong response from the webhook: {error.code} {error.reason}"
    except (urllib.error.URLError, OSError) as error:
        status = 0
        reason = getattr(error, "reason", error)
        error_message = f"Connection failed: {reason}"
    with state.cond:
        if error_message and state.webhook["url"] == url:
            state.webhook["last_error_date"] = int(time.time())
            state.webhook["last_error_message"] = error_message
    answer = {"status": status, "update_id": update["update_id"]}
    if error_message:
        answer["error"] = error_message
    return answer


def control_fail(state, args):
    method = args.get("method")
    if not isinstance(method, str) or not method:
        raise ControlError(400, "method is required (a Bot API method name, or * for any)")
    entry = METHODS.get(method.lower())
    rule = {
        "method": entry[0] if entry else method,
        "times": _control_int(args, "times", 1),
        "error_code": _control_int(args, "error_code", 0),
        "retry_after": _control_int(args, "retry_after"),
        "description": args.get("description"),
        "delay_ms": _control_int(args, "delay_ms", 0),
        "chat_id": _control_int(args, "chat_id"),
        "close_connection": bool(args.get("close_connection", False)),
    }
    if rule["times"] < 1:
        raise ControlError(400, "times must be at least 1")
    if not rule["error_code"] and not rule["delay_ms"] and not rule["close_connection"]:
        raise ControlError(400, "give error_code, delay_ms or close_connection")
    if rule["error_code"] and not 400 <= rule["error_code"] <= 599:
        raise ControlError(400, "error_code must be an HTTP error status (400-599)")
    if rule["error_code"] == 429 and rule["retry_after"] is None:
        rule["retry_after"] = 1
    with state.cond:
        state.failures.append(rule)
    return {"queued": dict(rule)}


def control_block(state, args):
    chat_id = _control_int(args, "chat_id", required=True)
    description = args.get("description") or "Forbidden: bot was blocked by the user"
    with state.cond:
        state.blocked[chat_id] = str(description)
    return {"blocked": chat_id}


def control_unblock(state, args):
    chat_id = _control_int(args, "chat_id", required=True)
    with state.cond:
        state.blocked.pop(chat_id, None)
    return {"unblocked": chat_id}


def control_file(state, args):
    file_id = args.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        raise ControlError(400, "file_id is required")
    try:
        content = base64.b64decode(args.get("content_base64") or "", validate=True)
    except ValueError:
        raise ControlError(400, "content_base64 is not valid base64") from None
    file_path = args.get("file_path") or f"documents/{file_id}"
    if not isinstance(file_path, str) or file_path.startswith("/"):
        raise ControlError(400, "file_path must be a relative path")
    with state.cond:
        state.files[file_id] = {"file_path": file_path, "content": content}
    return {"file_id": file_id, "file_path": file_path, "file_size": len(content)}


def control_reset(state, args):
    state.reset()
    return {"reset": True}


def control_calls(state, args):
    since = _control_int(args, "since", 0)
    method = args.get("method") or None
    if method and method.lower() in METHODS:
        method = METHODS[method.lower()][0]
    chat_id = _control_int(args, "chat_id")
    wait_ms = max(0, min(_control_int(args, "wait_ms", 0), MAX_CALLS_WAIT_MS))
    deadline = time.monotonic() + wait_ms / 1000.0
    with state.cond:
        while True:
            calls = [c for c in state.calls if c["seq"] > since and (method is None or c["method"] == method)
                     and (chat_id is None or c["params"].get("chat_id") == chat_id)]
            remaining = deadline - time.monotonic()
            if calls or remaining <= 0 or state.closing:
                break
            state.cond.wait(remaining)
        return {"calls": json.loads(json.dumps(calls)), "next": max(since, state.next_seq - 1)}


def control_sent(state, args):
    chat_id = _control_int(args, "chat_id")
    with state.cond:
        chats = [chat_id] if chat_id is not None else list(state.sent)
        messages = []
        for chat in chats:
            for message in state.sent.get(chat, {}).values():
                messages.append({key: message[key] for key in (
                    "chat_id", "message_id", "date", "text", "plain_text", "parse_mode", "reply_markup",
                    "message_thread_id", "reply_to_message_id", "edit_date")})
        return {"messages": json.loads(json.dumps(messages))}


def control_state(state, args):
    with state.cond:
        return json.loads(json.dumps({
            "webhook": {k: v for k, v in state.webhook.items()},
            "queued_updates": len(state.queue),
            "next_update_id": state.next_update_id,
            "allowed_updates": state.allowed_updates,
            "blocked": [{"chat_id": c, "description": d} for c, d in state.blocked.items()],
            "failures": state.failures,
            "commands": [{"scope": json.loads(scope), "language_code": language, "commands": commands}
                         for (scope, language), commands in state.commands.items()],
            "menu_buttons": [{"chat_id": c, "menu_button": b} for c, b in state.menu_buttons.items()],
            "topics": [{"chat_id": c, "topics": t} for c, t in state.topics.items()],
            "files": [{"file_id": i, "file_path": f["file_path"], "file_size": len(f["content"])}
                      for i, f in state.files.items()],
        }))


CONTROL_WRITES = {
    "updates": control_updates,
    "push": control_push,
    "fail": control_fail,
    "block": control_block,
    "unblock": control_unblock,
    "file": control_file,
    "reset": control_reset,
}
CONTROL_READS = {
    "calls": control_calls,
    "sent": control_sent,
    "state": control_state,
}


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a burst of connections must not overflow the listen backlog

    def __init__(self, address, state, log_page, idle_timeout):
        handler = type("BoundHandler", (Handler,), {"timeout": idle_timeout})
        super().__init__(address, handler)
        self.state = state
        self.log_page = log_page


class _Stop(Exception):
    pass


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="A fake Telegram Bot API server for tests and the demo (see tests/fakes/README.md).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port to listen on; 0 picks a free one (default 8081)")
    parser.add_argument("--token", default=DEFAULT_TOKEN,
                        help=f"the bot token calls must use (default {DEFAULT_TOKEN}); others get 401")
    parser.add_argument("--log-page", action="store_true",
                        help="serve GET / : an HTML page of what the bot sent, per chat, refreshing every 2 s")
    parser.add_argument("--verbose", action="store_true",
                        help="print one line per sendMessage / editMessageText")
    parser.add_argument("--idle-timeout", type=float, default=60.0,
                        help="seconds an idle keep-alive connection stays open (default 60)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        sys.stdout.reconfigure(errors="backslashreplace")
    except AttributeError:
        pass
    state = FakeTelegram(args.token, verbose=args.verbose)
    server = FakeServer((args.host, args.port), state, args.log_page, args.idle_timeout)
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    if args.log_page:
        print(f"log page: http://{host}:{port}/", flush=True)

    def on_signal(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second signal ends it at once
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        raise _Stop()

    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    serving.start()
    try:
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        while serving.is_alive():
            signal.pause()
    except _Stop:
        pass
    state.close()  # long polls and waits answer now
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
