-- Tickets, their messages (with full-text search), auto-replies, and what routing needs.

ALTER TABLE users ADD COLUMN last_assigned_at INTEGER NOT NULL DEFAULT 0;
-- Routing reads every candidate's load on every new ticket, so the load is kept as a
-- counter, by the triggers below, rather than counted: a ticket counts for its assignee
-- while it is open, in progress or waiting, and not deleted.
ALTER TABLE users ADD COLUMN open_tickets INTEGER NOT NULL DEFAULT 0;

CREATE TABLE tickets (
  id                INTEGER PRIMARY KEY,
  subject           TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'in_progress', 'waiting', 'resolved', 'closed')),
  priority          TEXT NOT NULL DEFAULT 'normal'
                    CHECK (priority IN ('low', 'normal', 'high', 'critical')),
  priority_rank     INTEGER NOT NULL DEFAULT 1,  -- 0 low … 3 critical, for sorting
  category_id       INTEGER REFERENCES categories (id),
  creator_id        INTEGER NOT NULL REFERENCES users (id),
  assignee_id       INTEGER REFERENCES users (id),
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  first_response_at INTEGER,
  resolved_at       INTEGER,
  closed_at         INTEGER,
  last_message_at   INTEGER NOT NULL,
  messages_count    INTEGER NOT NULL DEFAULT 0,
  sla_due_at        INTEGER,
  rating_score      INTEGER CHECK (rating_score BETWEEN 1 AND 5),
  rating_comment    TEXT,
  deleted_at        INTEGER
) STRICT;
CREATE INDEX tickets_by_updated ON tickets (updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX tickets_by_creator ON tickets (creator_id, updated_at DESC, id DESC);
CREATE INDEX tickets_by_assignee ON tickets (assignee_id, status);
CREATE INDEX tickets_by_category ON tickets (category_id, assignee_id, status);
CREATE INDEX tickets_by_resolved ON tickets (status, resolved_at);

CREATE TRIGGER tickets_load_insert AFTER INSERT ON tickets
WHEN new.assignee_id IS NOT NULL AND new.deleted_at IS NULL
     AND new.status IN ('open', 'in_progress', 'waiting')
BEGIN
  UPDATE users SET open_tickets = open_tickets + 1 WHERE id = new.assignee_id;
END;
CREATE TRIGGER tickets_load_update AFTER UPDATE OF assignee_id, status, deleted_at ON tickets
BEGIN
  UPDATE users SET open_tickets = open_tickets - 1
  WHERE id = old.assignee_id AND old.deleted_at IS NULL
    AND old.status IN ('open', 'in_progress', 'waiting');
  UPDATE users SET open_tickets = open_tickets + 1
  WHERE id = new.assignee_id AND new.deleted_at IS NULL
    AND new.status IN ('open', 'in_progress', 'waiting');
END;

CREATE TABLE messages (
  id         INTEGER PRIMARY KEY,
  ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
  author_id  INTEGER NOT NULL REFERENCES users (id),
  body       TEXT NOT NULL,
  internal   INTEGER NOT NULL DEFAULT 0,
  source     TEXT NOT NULL CHECK (source IN ('miniapp', 'bot', 'api', 'system')),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_by_ticket ON messages (ticket_id, id);

-- Full-text indexes kept in step with their tables by triggers (external content).
CREATE VIRTUAL TABLE tickets_fts USING fts5 (subject, content = 'tickets', content_rowid = 'id');
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject ON tickets BEGIN
  INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
  INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject);
END;

CREATE VIRTUAL TABLE messages_fts USING fts5 (body, content = 'messages', content_rowid = 'id');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

CREATE TABLE auto_replies (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  keywords    TEXT NOT NULL DEFAULT '',  -- newline-separated
  category_id INTEGER REFERENCES categories (id) ON DELETE CASCADE,
  event       TEXT NOT NULL CHECK (event IN ('ticket_created', 'message')),
  body        TEXT NOT NULL,
  active      INTEGER NOT NULL DEFAULT 1
) STRICT;

-- Each auto-reply fires at most once per ticket.
CREATE TABLE auto_reply_fired (
  auto_reply_id INTEGER NOT NULL REFERENCES auto_replies (id) ON DELETE CASCADE,
  ticket_id     INTEGER NOT NULL REFERENCES tickets (id),
  PRIMARY KEY (auto_reply_id, ticket_id)
) STRICT, WITHOUT ROWID;

-- The author of system messages (auto-replies). Telegram ids are positive, so 0 is free;
-- it handles no category, so routing never picks it.
INSERT INTO users (telegram_id, first_name, role, available, created_at, last_seen_at)
VALUES (0, 'Support', 'user', 0, CAST(strftime('%s', 'now') AS INTEGER),
        CAST(strftime('%s', 'now') AS INTEGER));
