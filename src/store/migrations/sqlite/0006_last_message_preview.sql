-- The start of each ticket's latest public message, for ticket lists: one column read
-- with the row instead of a look-up per ticket. Internal notes never reach it.
ALTER TABLE tickets ADD COLUMN last_message_preview TEXT;

UPDATE tickets SET last_message_preview = (
  SELECT substr(m.body, 1, 160) FROM messages m
  WHERE m.ticket_id = tickets.id AND m.internal = 0
  ORDER BY m.id DESC LIMIT 1);
