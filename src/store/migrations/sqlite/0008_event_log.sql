-- The event log (issue 14): every committed change to tickets and messages, and every change
-- that caches must hear of (a person's rights, a logout, the permission table), appended in
-- the transaction of the change. On SQLite the single writer commits in position order, and
-- a new row gets the highest position + 1: pruning always keeps the newest event, so a
-- position is never given twice (AUTOINCREMENT would too, at twice the cost per commit).
CREATE TABLE events (
  position INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  ticket_id INTEGER,   -- ticket.* and message.created
  message_id INTEGER,  -- message.created
  user_id INTEGER,     -- identity.changed
  session_hash TEXT,   -- session.ended
  created_at INTEGER NOT NULL
);

-- Where each durable consumer (the bot's notifier, …) has read up to; saved in the
-- transaction of the consumer's own effects. Pruning never passes the lowest.
CREATE TABLE event_cursors (
  consumer TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
