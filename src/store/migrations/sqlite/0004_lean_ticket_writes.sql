-- Auto-close only ever looks for resolved tickets: a partial index keeps every other
-- ticket (and so every new one) out of it, one index write less per ticket created.
DROP INDEX tickets_by_resolved;
CREATE INDEX tickets_by_resolved ON tickets (resolved_at) WHERE status = 'resolved';
