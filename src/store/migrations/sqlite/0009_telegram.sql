-- The Telegram bot (issue 15): what it must not lose across a restart or a crash. Times are
-- Unix seconds (UTC), as in 0002.

-- Every update Telegram sent, stored before it is handled and marked when it was: an update
-- that arrives twice (a webhook retried, a long poll repeated after a crash) is stored once,
-- and one received but not yet handled survives a restart. The poller's next offset is the
-- highest update_id + 1, so pruning keeps the highest row.
CREATE TABLE telegram_updates (
  update_id    INTEGER PRIMARY KEY,
  payload      TEXT NOT NULL,  -- the Update object's JSON, as received
  received_at  INTEGER NOT NULL,
  processed_at INTEGER
) STRICT;
-- The handler reads only what is still to be handled: processed rows stay out of the index.
CREATE INDEX telegram_updates_pending ON telegram_updates (update_id) WHERE processed_at IS NULL;

-- A row per chat the bot talks in: whose it is, whether they blocked the bot (no sends until
-- they write again), and where a step-by-step dialog stands, so that a restart in the middle
-- of one does not lose what the person typed.
CREATE TABLE telegram_chats (
  chat_id            INTEGER PRIMARY KEY,
  user_id            INTEGER,  -- users.id, once the person is known
  blocked_at         INTEGER,
  dialog             TEXT NOT NULL DEFAULT '',
  dialog_text        TEXT NOT NULL DEFAULT '',
  selected_ticket_id INTEGER,
  updated_at         INTEGER NOT NULL
) STRICT;

-- The outbox: every message the bot is to send, written in the transaction of what it tells
-- of (with the notifier's event cursor, or with the update it answers), then drained by the
-- sender at Telegram's rate limits. A crash, a 429 or a Telegram outage loses nothing; what
-- can never be sent is kept as 'dead' for an admin to see. The message id Telegram gave a
-- sent row maps a reply to that message back to its ticket.
CREATE TABLE telegram_deliveries (
  id                  INTEGER PRIMARY KEY,
  chat_id             INTEGER NOT NULL,
  thread_id           INTEGER,
  text                TEXT NOT NULL,
  reply_markup        TEXT NOT NULL DEFAULT '',  -- JSON, '' for none
  ticket_id           INTEGER,  -- the ticket it is about
  topic_ticket_id     INTEGER,  -- goes to this ticket's staff forum topic (telegram_topics)
  reply_to_message_id INTEGER,
  status              TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempts            INTEGER NOT NULL DEFAULT 0,
  next_attempt_at     INTEGER NOT NULL,
  last_error          TEXT NOT NULL DEFAULT '',
  created_at          INTEGER NOT NULL,
  sent_at             INTEGER,
  telegram_message_id INTEGER
) STRICT;
-- The sender's queue: only pending rows, in the order they fall due. Sent rows pile up and
-- must cost it nothing.
CREATE INDEX telegram_deliveries_due ON telegram_deliveries (next_attempt_at, id)
  WHERE status = 'pending';
-- A chat's pending rows in order: only the earliest is due, so a chat's messages keep their order.
CREATE INDEX telegram_deliveries_pending_by_chat ON telegram_deliveries (chat_id, id)
  WHERE status = 'pending';
CREATE INDEX telegram_deliveries_by_message ON telegram_deliveries (chat_id, telegram_message_id);
-- Pruning sent rows by age without reading the others.
CREATE INDEX telegram_deliveries_sent ON telegram_deliveries (sent_at) WHERE status = 'sent';
-- The admin's list of dead deliveries, newest first, without walking every sent row.
CREATE INDEX telegram_deliveries_dead ON telegram_deliveries (id) WHERE status = 'dead';

-- Each ticket's forum topic in a staff chat, created on first use: staff messages in a topic
-- post to its ticket, and notifications about a ticket go to its topic. Keyed by ticket and
-- chat, so a change of staff chat gives tickets new topics there instead of colliding.
CREATE TABLE telegram_topics (
  ticket_id INTEGER NOT NULL,
  chat_id   INTEGER NOT NULL,
  thread_id INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, chat_id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX telegram_topics_by_thread ON telegram_topics (chat_id, thread_id);

-- What a ticket.updated changed, for consumers that tell people of it (the bot's notifier)
-- and cannot tell it from the ticket as it is when they read the event. NULL: not changed.
ALTER TABLE events ADD COLUMN status_to TEXT;       -- the status it moved to
ALTER TABLE events ADD COLUMN assignee_to INTEGER;  -- the new assignee; 0: unassigned
