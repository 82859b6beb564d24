-- The staff queue (issue 17): what each person has read of each ticket, and the indexes of
-- the list's new orders.

-- A person's read mark on a ticket: the highest message id they have seen there. Messages
-- after it that others wrote are unread (internal notes only for those who read them).
CREATE TABLE ticket_reads (
  user_id    INTEGER NOT NULL REFERENCES users (id),
  ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
  message_id INTEGER NOT NULL,
  PRIMARY KEY (user_id, ticket_id)
) STRICT, WITHOUT ROWID;

-- Messages up to this id count as read for the person whatever their marks say: the history
-- before they came (set when the user is created) or before read marks existed (set here), so
-- neither a new agent nor this upgrade finds every old ticket unread.
ALTER TABLE users ADD COLUMN unread_after INTEGER NOT NULL DEFAULT 0;
UPDATE users SET unread_after = (SELECT coalesce(max(id), 0) FROM messages);
-- A trigger rather than the store's INSERT: a column default cannot be a query, and the users'
-- writes stay as they were.
CREATE TRIGGER users_unread_after AFTER INSERT ON users BEGIN
  UPDATE users SET unread_after = (SELECT coalesce(max(id), 0) FROM messages) WHERE id = new.id;
END;

-- The list's orders (store.hpp, TicketSort), each an index scan in its order: the latest
-- public message first; the highest priority first; the first response due soonest first
-- (the expression must stay word for word the one in sqlite_tickets.cpp, kSlaDueOrder, for
-- SQLite to use the index).
CREATE INDEX tickets_by_last_message ON tickets (last_message_at DESC, id DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX tickets_by_priority ON tickets (priority_rank DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX tickets_by_sla_due ON tickets (
  coalesce(CASE WHEN first_response_at IS NULL AND resolved_at IS NULL AND closed_at IS NULL
                THEN sla_due_at END, 9223372036854775807), id)
  WHERE deleted_at IS NULL;
