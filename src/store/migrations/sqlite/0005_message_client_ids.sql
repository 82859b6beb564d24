-- Idempotent message posting: a client may send a key of its own with a message and resend
-- it after a network failure without posting twice. The key is unique per ticket and author,
-- and the index is partial, so messages without a key (auto-replies, the bot) never touch it.
ALTER TABLE messages ADD COLUMN client_id TEXT;
CREATE UNIQUE INDEX messages_by_client_id ON messages (ticket_id, author_id, client_id)
  WHERE client_id IS NOT NULL;
