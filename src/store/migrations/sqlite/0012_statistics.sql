-- Statistics (issue 16): rollups that the triggers below keep in step with `tickets` in the
-- transaction of every ticket write, so GET /statistics sums a few thousand rollup rows
-- instead of scanning the tickets of the period. Every write path (the store, demo seeding,
-- a bulk import with plain SQL) keeps them right without knowing of them.
--
-- The rule: each live (not deleted) ticket contributes, as it is now, to
--   * the row of the hour and of the UTC day it was CREATED in, under its category and
--     assignee: counts by status and priority, SLA and breach, response, resolution, reopen
--     and rating counts, and the buckets of its first-response and resolution times;
--   * the row of the hour and of the UTC day it was FINISHED in (resolved, or closed without
--     being resolved), as `finished_here`: the "resolved" line of the time series.
-- A change to a ticket takes its old contribution away and adds its new one (a DELETE trigger
-- takes it away for good), so the rollups always equal a recount from scratch; the unit test
-- StatisticsRollups.EqualARecountAfterRandomChanges holds them to that.

-- How often a ticket was reopened (resolved or closed → open): the reopen rate needs it, and
-- the status alone forgets it. Counted by a trigger, so no write path can miss one.
ALTER TABLE tickets ADD COLUMN reopens INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER tickets_count_reopens AFTER UPDATE OF status ON tickets
WHEN old.status IN ('resolved', 'closed') AND new.status = 'open'
BEGIN
  UPDATE tickets SET reopens = reopens + 1 WHERE id = new.id;
END;

-- span: 3600 (an hour) or 86400 (a UTC day); period: its start, Unix seconds.
-- category_id / assignee_id: 0 for none. The histograms are JSON objects {"bucket": count}
-- of log-scaled buckets: a duration of d seconds falls in bucket floor(ln(d + 1) / ln(1.2)),
-- so a quantile read from them is within 9.6% of a true value (core/statistics.hpp).
CREATE TABLE ticket_stats (
  span                INTEGER NOT NULL,
  period              INTEGER NOT NULL,
  category_id         INTEGER NOT NULL,
  assignee_id         INTEGER NOT NULL,
  created             INTEGER NOT NULL DEFAULT 0,
  status_open         INTEGER NOT NULL DEFAULT 0,
  status_in_progress  INTEGER NOT NULL DEFAULT 0,
  status_waiting      INTEGER NOT NULL DEFAULT 0,
  status_resolved     INTEGER NOT NULL DEFAULT 0,
  status_closed       INTEGER NOT NULL DEFAULT 0,
  priority_low        INTEGER NOT NULL DEFAULT 0,
  priority_normal     INTEGER NOT NULL DEFAULT 0,
  priority_high       INTEGER NOT NULL DEFAULT 0,
  priority_critical   INTEGER NOT NULL DEFAULT 0,
  with_sla            INTEGER NOT NULL DEFAULT 0,  -- tickets with a due time
  breached            INTEGER NOT NULL DEFAULT 0,  -- answered or finished after it
  finished            INTEGER NOT NULL DEFAULT 0,  -- resolved or closed now
  finished_once       INTEGER NOT NULL DEFAULT 0,  -- finished now, or reopened since
  reopened            INTEGER NOT NULL DEFAULT 0,  -- reopened at least once
  rated               INTEGER NOT NULL DEFAULT 0,
  rating_sum          INTEGER NOT NULL DEFAULT 0,
  first_response_hist TEXT NOT NULL DEFAULT '{}',
  resolution_hist     TEXT NOT NULL DEFAULT '{}',
  finished_here       INTEGER NOT NULL DEFAULT 0,  -- tickets finished in this period
  PRIMARY KEY (span, period, category_id, assignee_id)
) STRICT, WITHOUT ROWID;

-- One change to the rollups: a ticket's fields and +1 (add its contribution) or -1 (take it
-- away). Inserting into this view runs the trigger below; nothing is stored in it.
CREATE VIEW ticket_stats_changes (sign, created_at, status, priority, category_id, assignee_id,
                                  first_response_at, resolved_at, closed_at, sla_due_at,
                                  rating_score, reopens) AS
SELECT 0, 0, '', '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 WHERE 0;

CREATE TRIGGER ticket_stats_apply INSTEAD OF INSERT ON ticket_stats_changes
BEGIN
  INSERT INTO ticket_stats (span, period, category_id, assignee_id, created, status_open,
                            status_in_progress, status_waiting, status_resolved, status_closed,
                            priority_low, priority_normal, priority_high, priority_critical,
                            with_sla, breached, finished, finished_once, reopened, rated,
                            rating_sum, first_response_hist, resolution_hist)
  SELECT span, new.created_at / span * span, coalesce(new.category_id, 0),
         coalesce(new.assignee_id, 0), new.sign,
         new.sign * (new.status = 'open'), new.sign * (new.status = 'in_progress'),
         new.sign * (new.status = 'waiting'), new.sign * (new.status = 'resolved'),
         new.sign * (new.status = 'closed'),
         new.sign * (new.priority = 'low'), new.sign * (new.priority = 'normal'),
         new.sign * (new.priority = 'high'), new.sign * (new.priority = 'critical'),
         new.sign * (new.sla_due_at IS NOT NULL),
         -- As core's sla_breached, for a ticket whose answer is settled: answered, or
         -- finished unanswered, after its due time. One still waiting is counted live.
         new.sign * coalesce(coalesce(new.first_response_at, new.resolved_at, new.closed_at)
                             > new.sla_due_at, 0),
         new.sign * (finished_at IS NOT NULL),
         new.sign * (finished_at IS NOT NULL OR new.reopens > 0),
         new.sign * (new.reopens > 0),
         new.sign * (new.rating_score IS NOT NULL), new.sign * coalesce(new.rating_score, 0),
         CASE WHEN first_response_bucket IS NULL THEN '{}'
              ELSE json_object(first_response_bucket, new.sign) END,
         CASE WHEN resolution_bucket IS NULL THEN '{}'
              ELSE json_object(resolution_bucket, new.sign) END
  FROM (SELECT 3600 AS span UNION ALL SELECT 86400),
       (SELECT coalesce(new.resolved_at, new.closed_at) AS finished_at,
               CAST(CAST(ln(max(new.first_response_at - new.created_at, 0) + 1) / ln(1.2)
                         AS INTEGER) AS TEXT) AS first_response_bucket,
               CAST(CAST(ln(max(coalesce(new.resolved_at, new.closed_at) - new.created_at, 0)
                             + 1) / ln(1.2) AS INTEGER) AS TEXT) AS resolution_bucket)
  WHERE true
  ON CONFLICT (span, period, category_id, assignee_id) DO UPDATE SET
    created = created + excluded.created,
    status_open = status_open + excluded.status_open,
    status_in_progress = status_in_progress + excluded.status_in_progress,
    status_waiting = status_waiting + excluded.status_waiting,
    status_resolved = status_resolved + excluded.status_resolved,
    status_closed = status_closed + excluded.status_closed,
    priority_low = priority_low + excluded.priority_low,
    priority_normal = priority_normal + excluded.priority_normal,
    priority_high = priority_high + excluded.priority_high,
    priority_critical = priority_critical + excluded.priority_critical,
    with_sla = with_sla + excluded.with_sla,
    breached = breached + excluded.breached,
    finished = finished + excluded.finished,
    finished_once = finished_once + excluded.finished_once,
    reopened = reopened + excluded.reopened,
    rated = rated + excluded.rated,
    rating_sum = rating_sum + excluded.rating_sum,
    -- `excluded` holds the ticket's one bucket (or none) with `sign`: merge-patching adds it;
    -- a bucket that falls to 0 is patched to null, which removes it.
    first_response_hist = json_patch(first_response_hist, (
      SELECT json_group_object(key, nullif(
               coalesce(json_extract(first_response_hist, '$."' || key || '"'), 0) + value, 0))
      FROM json_each(excluded.first_response_hist))),
    resolution_hist = json_patch(resolution_hist, (
      SELECT json_group_object(key, nullif(
               coalesce(json_extract(resolution_hist, '$."' || key || '"'), 0) + value, 0))
      FROM json_each(excluded.resolution_hist)));

  INSERT INTO ticket_stats (span, period, category_id, assignee_id, finished_here)
  SELECT span, coalesce(new.resolved_at, new.closed_at) / span * span,
         coalesce(new.category_id, 0), coalesce(new.assignee_id, 0), new.sign
  FROM (SELECT 3600 AS span UNION ALL SELECT 86400)
  WHERE coalesce(new.resolved_at, new.closed_at) IS NOT NULL
  ON CONFLICT (span, period, category_id, assignee_id) DO UPDATE SET
    finished_here = finished_here + excluded.finished_here;
END;

CREATE TRIGGER tickets_stats_insert AFTER INSERT ON tickets WHEN new.deleted_at IS NULL
BEGIN
  INSERT INTO ticket_stats_changes
  VALUES (1, new.created_at, new.status, new.priority, new.category_id, new.assignee_id,
          new.first_response_at, new.resolved_at, new.closed_at, new.sla_due_at,
          new.rating_score, new.reopens);
END;

-- An update that leaves the ticket in the same rows (same creation time, category and
-- assignee, not deleted: an answer, a status change, a rating — most of them) moves its
-- counts in place, one row update per span, instead of taking its old contribution away and
-- adding the new one. The rule is the same as ticket_stats_apply's: both are held to a
-- recount by the same test.
CREATE VIEW ticket_stats_moves (created_at, category_id, assignee_id, old_status, new_status,
                                old_priority, new_priority, old_first_response_at,
                                new_first_response_at, old_finished_at, new_finished_at,
                                old_sla_due_at, new_sla_due_at, old_rating_score,
                                new_rating_score, old_reopens, new_reopens) AS
SELECT 0, NULL, NULL, '', '', '', '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0 WHERE 0;

CREATE TRIGGER ticket_stats_move INSTEAD OF INSERT ON ticket_stats_moves
BEGIN
  UPDATE ticket_stats SET
    status_open = status_open + (new.new_status = 'open') - (new.old_status = 'open'),
    status_in_progress = status_in_progress + (new.new_status = 'in_progress')
                         - (new.old_status = 'in_progress'),
    status_waiting = status_waiting + (new.new_status = 'waiting') - (new.old_status = 'waiting'),
    status_resolved = status_resolved + (new.new_status = 'resolved')
                      - (new.old_status = 'resolved'),
    status_closed = status_closed + (new.new_status = 'closed') - (new.old_status = 'closed'),
    priority_low = priority_low + (new.new_priority = 'low') - (new.old_priority = 'low'),
    priority_normal = priority_normal + (new.new_priority = 'normal')
                      - (new.old_priority = 'normal'),
    priority_high = priority_high + (new.new_priority = 'high') - (new.old_priority = 'high'),
    priority_critical = priority_critical + (new.new_priority = 'critical')
                        - (new.old_priority = 'critical'),
    with_sla = with_sla + (new.new_sla_due_at IS NOT NULL) - (new.old_sla_due_at IS NOT NULL),
    breached = breached
      + coalesce(coalesce(new.new_first_response_at, new.new_finished_at) > new.new_sla_due_at, 0)
      - coalesce(coalesce(new.old_first_response_at, new.old_finished_at) > new.old_sla_due_at, 0),
    finished = finished + (new.new_finished_at IS NOT NULL) - (new.old_finished_at IS NOT NULL),
    finished_once = finished_once + (new.new_finished_at IS NOT NULL OR new.new_reopens > 0)
                    - (new.old_finished_at IS NOT NULL OR new.old_reopens > 0),
    reopened = reopened + (new.new_reopens > 0) - (new.old_reopens > 0),
    rated = rated + (new.new_rating_score IS NOT NULL) - (new.old_rating_score IS NOT NULL),
    rating_sum = rating_sum + coalesce(new.new_rating_score, 0)
                 - coalesce(new.old_rating_score, 0),
    -- One bucket out, one in, in one merge patch (a bucket patched to null goes; the
    -- placeholder keys "-" and "+" stand for "none" and are never present to remove).
    first_response_hist = CASE WHEN b.old_first IS b.new_first THEN first_response_hist
      ELSE json_patch(first_response_hist, json_object(
        coalesce(b.old_first, '-'), CASE WHEN b.old_first IS NOT NULL THEN nullif(coalesce(
          json_extract(first_response_hist, '$."' || b.old_first || '"'), 0) - 1, 0) END,
        coalesce(b.new_first, '+'), CASE WHEN b.new_first IS NOT NULL THEN coalesce(
          json_extract(first_response_hist, '$."' || b.new_first || '"'), 0) + 1 END)) END,
    resolution_hist = CASE WHEN b.old_resolution IS b.new_resolution THEN resolution_hist
      ELSE json_patch(resolution_hist, json_object(
        coalesce(b.old_resolution, '-'), CASE WHEN b.old_resolution IS NOT NULL THEN nullif(
          coalesce(json_extract(resolution_hist, '$."' || b.old_resolution || '"'), 0) - 1, 0)
          END,
        coalesce(b.new_resolution, '+'), CASE WHEN b.new_resolution IS NOT NULL THEN coalesce(
          json_extract(resolution_hist, '$."' || b.new_resolution || '"'), 0) + 1 END)) END
  FROM (SELECT 3600 AS size UNION ALL SELECT 86400) AS spans,
       (SELECT CAST(CAST(ln(max(new.old_first_response_at - new.created_at, 0) + 1) / ln(1.2)
                         AS INTEGER) AS TEXT) AS old_first,
               CAST(CAST(ln(max(new.new_first_response_at - new.created_at, 0) + 1) / ln(1.2)
                         AS INTEGER) AS TEXT) AS new_first,
               CAST(CAST(ln(max(new.old_finished_at - new.created_at, 0) + 1) / ln(1.2)
                         AS INTEGER) AS TEXT) AS old_resolution,
               CAST(CAST(ln(max(new.new_finished_at - new.created_at, 0) + 1) / ln(1.2)
                         AS INTEGER) AS TEXT) AS new_resolution) AS b
  WHERE span = spans.size AND period = new.created_at / spans.size * spans.size
    AND category_id = coalesce(new.category_id, 0) AND assignee_id = coalesce(new.assignee_id, 0);

  -- The time series' resolved line, when the finishing time moved.
  INSERT INTO ticket_stats (span, period, category_id, assignee_id, finished_here)
  SELECT span, finished_at / span * span, coalesce(new.category_id, 0),
         coalesce(new.assignee_id, 0), sign
  FROM (SELECT 3600 AS span UNION ALL SELECT 86400),
       (SELECT new.old_finished_at AS finished_at, -1 AS sign
        UNION ALL SELECT new.new_finished_at, 1)
  WHERE finished_at IS NOT NULL AND new.old_finished_at IS NOT new.new_finished_at
  ON CONFLICT (span, period, category_id, assignee_id) DO UPDATE SET
    finished_here = finished_here + excluded.finished_here;
END;

-- Only when a field the statistics read changed: a message that leaves them as they were
-- (most of them) costs nothing here.
CREATE TRIGGER tickets_stats_update_in_place
AFTER UPDATE OF status, priority, first_response_at, resolved_at, closed_at, sla_due_at,
                rating_score, reopens ON tickets
WHEN old.deleted_at IS NULL AND new.deleted_at IS NULL AND old.created_at = new.created_at
     AND old.category_id IS new.category_id AND old.assignee_id IS new.assignee_id
     AND (old.status, old.priority, old.first_response_at, old.resolved_at, old.closed_at,
          old.sla_due_at, old.rating_score, old.reopens)
         IS NOT (new.status, new.priority, new.first_response_at, new.resolved_at, new.closed_at,
                 new.sla_due_at, new.rating_score, new.reopens)
BEGIN
  INSERT INTO ticket_stats_moves
  VALUES (new.created_at, new.category_id, new.assignee_id, old.status, new.status,
          old.priority, new.priority, old.first_response_at, new.first_response_at,
          coalesce(old.resolved_at, old.closed_at), coalesce(new.resolved_at, new.closed_at),
          old.sla_due_at, new.sla_due_at, old.rating_score, new.rating_score, old.reopens,
          new.reopens);
END;

-- Any other change: a move to other rows (creation time, category, assignee) or a delete.
CREATE TRIGGER tickets_stats_update
AFTER UPDATE OF created_at, category_id, assignee_id, deleted_at ON tickets
WHEN (old.created_at, old.category_id, old.assignee_id, old.deleted_at)
     IS NOT (new.created_at, new.category_id, new.assignee_id, new.deleted_at)
BEGIN
  INSERT INTO ticket_stats_changes
  SELECT -1, old.created_at, old.status, old.priority, old.category_id, old.assignee_id,
         old.first_response_at, old.resolved_at, old.closed_at, old.sla_due_at,
         old.rating_score, old.reopens
  WHERE old.deleted_at IS NULL;
  INSERT INTO ticket_stats_changes
  SELECT 1, new.created_at, new.status, new.priority, new.category_id, new.assignee_id,
         new.first_response_at, new.resolved_at, new.closed_at, new.sla_due_at,
         new.rating_score, new.reopens
  WHERE new.deleted_at IS NULL;
END;

CREATE TRIGGER tickets_stats_delete AFTER DELETE ON tickets WHEN old.deleted_at IS NULL
BEGIN
  INSERT INTO ticket_stats_changes
  VALUES (-1, old.created_at, old.status, old.priority, old.category_id, old.assignee_id,
          old.first_response_at, old.resolved_at, old.closed_at, old.sla_due_at,
          old.rating_score, old.reopens);
END;

-- What the rollups cannot hold because it changes with the clock alone, read exactly:
-- tickets still waiting for a first response with a due time (breached once it passes),
-- and the backlog (unfinished tickets) with its oldest. Both sets stay small next to the
-- table, and these partial indexes hold only them.
CREATE INDEX tickets_awaiting_response ON tickets (created_at)
  WHERE sla_due_at IS NOT NULL AND first_response_at IS NULL AND resolved_at IS NULL
    AND closed_at IS NULL AND deleted_at IS NULL;
CREATE INDEX tickets_backlog ON tickets (created_at)
  WHERE status IN ('open', 'in_progress', 'waiting') AND deleted_at IS NULL;

-- The tickets already there, oldest first (their rows then fill in order).
INSERT INTO ticket_stats_changes
SELECT 1, created_at, status, priority, category_id, assignee_id, first_response_at,
       resolved_at, closed_at, sla_due_at, rating_score, reopens
FROM tickets WHERE deleted_at IS NULL ORDER BY created_at;
