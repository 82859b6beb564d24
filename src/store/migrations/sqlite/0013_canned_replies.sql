-- Canned replies (issue 17): texts staff insert into a reply, with placeholders such as
-- {customer_name} that the Mini App fills in (core/canned_reply.hpp). Admins manage them;
-- every change is in audit_log as canned_reply.created / .updated / .deleted.
CREATE TABLE canned_replies (
  id         INTEGER PRIMARY KEY,
  name      TEXT NOT NULL UNIQUE,
  body       TEXT NOT NULL,
  updated_at INTEGER NOT NULL  -- Unix seconds
) STRICT;
