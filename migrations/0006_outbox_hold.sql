-- An outbox row that keeps failing while the rows around it are published (a message the
-- broker refuses: too large, a topic we may not write) is held back for a while instead of
-- failing, and backing off, every batch behind it; the rows of its key and topic wait behind
-- it, so one plan's events keep their order. It is tried again when `held_until` has passed,
-- held longer each time, never dropped (see RUNBOOK.md "The outbox holds a row").
ALTER TABLE outbox ADD COLUMN held_until timestamptz;

-- The relay's "is an earlier row of this key held?" (almost always empty).
CREATE INDEX outbox_held_idx ON outbox (topic, message_key, id) WHERE published_at IS NULL AND held_until IS NOT NULL;
