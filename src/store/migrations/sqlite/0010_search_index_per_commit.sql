-- The full-text indexes take new tickets and messages once per commit, not once per row.
-- FTS5 writes what it holds in memory as a new index segment at every savepoint, and every
-- statement with a trigger opens one, so indexing from insert triggers wrote (and later
-- merged) a tiny segment per ticket and per message: three quarters of the cost of creating
-- a ticket. Now the store indexes the rows above `indexed_through` just before each group
-- commit, in the same transaction (store/sqlite/full_text.cpp), so search never lags a commit.
-- Rows are never deleted from either table, so ids only grow and none is indexed twice.
DROP TRIGGER tickets_fts_insert;
DROP TRIGGER messages_fts_insert;

CREATE TABLE search_index_progress (
  name            TEXT PRIMARY KEY,  -- the indexed table
  indexed_through INTEGER NOT NULL   -- its highest id already in the index
) STRICT, WITHOUT ROWID;
INSERT INTO search_index_progress (name, indexed_through)
VALUES ('tickets', (SELECT coalesce(max(id), 0) FROM tickets)),
       ('messages', (SELECT coalesce(max(id), 0) FROM messages));

-- A subject changed before its ticket was indexed is indexed (as it then is) at the commit;
-- taking out of FTS5 what was never put in would corrupt the index.
DROP TRIGGER tickets_fts_update;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject ON tickets
WHEN old.id <= (SELECT indexed_through FROM search_index_progress WHERE name = 'tickets')
BEGIN
  INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
  INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject);
END;
