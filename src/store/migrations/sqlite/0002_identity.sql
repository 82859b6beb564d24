-- People, sessions, the role permission table and the audit log. Times are Unix seconds
-- (UTC); the API formats them as ISO-8601.

-- Categories are managed by the tickets work; they exist here because staff are assigned
-- the categories they handle.
CREATE TABLE categories (
  id               INTEGER PRIMARY KEY,
  name             TEXT NOT NULL UNIQUE,
  description      TEXT,
  default_priority TEXT NOT NULL DEFAULT 'normal'
                   CHECK (default_priority IN ('low', 'normal', 'high', 'critical')),
  sla_minutes      INTEGER,
  routing          TEXT NOT NULL DEFAULT 'least_loaded' CHECK (routing IN ('least_loaded', 'manual')),
  active           INTEGER NOT NULL DEFAULT 1,
  position         INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  telegram_id   INTEGER NOT NULL UNIQUE,
  username      TEXT,
  first_name    TEXT NOT NULL,
  last_name     TEXT,
  language_code TEXT,
  role          TEXT NOT NULL DEFAULT 'user'
                CHECK (role IN ('user', 'helper', 'moderator', 'admin', 'developer')),
  available     INTEGER NOT NULL DEFAULT 1,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX users_by_role ON users (role, id);

CREATE TABLE user_categories (
  user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, category_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_categories_by_category ON user_categories (category_id, user_id);

-- Only a SHA-256 of each session token is kept: a stolen database yields no usable token.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- A row per role whose permissions a developer changed; roles without a row use the
-- defaults in src/core/role.cpp.
CREATE TABLE role_permissions (
  role        TEXT PRIMARY KEY,
  permissions TEXT NOT NULL,  -- comma-separated permission names
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  actor_id   INTEGER NOT NULL REFERENCES users (id),
  action     TEXT NOT NULL,
  target_id  INTEGER REFERENCES users (id),
  old_value  TEXT NOT NULL,
  new_value  TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
