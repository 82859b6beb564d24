-- Idempotent ticket creation, as 0005 did for messages: a client may send a key of its own
-- with a new ticket and resend it after a lost answer without creating the ticket twice. The
-- key is unique per creator; the index is partial, so tickets without a key never touch it.
ALTER TABLE tickets ADD COLUMN client_id TEXT;
CREATE UNIQUE INDEX tickets_by_client_id ON tickets (creator_id, client_id)
  WHERE client_id IS NOT NULL;
