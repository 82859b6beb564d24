-- Who made a ticket.updated happen (users.id; NULL for the system: auto-close, maintenance),
-- so that the bot does not tell staff of their own doing ("assigned to you" after they took
-- the ticket themselves).
ALTER TABLE events ADD COLUMN actor_id INTEGER;
