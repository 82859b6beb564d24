-- The event log (issue 14): every committed change to tickets and messages, appended in the
-- transaction of the change. On SQLite the single writer commits in position order;
-- AUTOINCREMENT keeps positions rising even after pruning emptied the table.
CREATE TABLE events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  ticket_id INTEGER NOT NULL,
  message_id INTEGER,
  created_at INTEGER NOT NULL
);

-- Where each durable consumer (the bot's notifier, …) has read up to; saved in the
-- transaction of the consumer's own effects. Pruning never passes the lowest.
CREATE TABLE event_cursors (
  consumer TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
