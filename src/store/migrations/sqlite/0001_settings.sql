-- Small key/value facts the application keeps about itself (e.g. the Telegram update
-- offset, the demo-data marker). Later migrations add the domain tables.
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;
