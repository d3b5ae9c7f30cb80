-- Messages whose handling waits for a NAV API that is down (the durable wait): after a few
-- quick attempts a consumer parks the message here, commits its offset and moves on; the
-- role's parked-message runner re-runs it when due, with capped, jittered backoff, until it
-- succeeds or its horizon (24 h by default) is spent, and only then dead-letters it. One
-- plan's messages leave in the order they were parked (message_key is the plan uuid), and
-- a later message of a plan with a parked one is parked behind it.
CREATE TABLE parked_message (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer_group   text        NOT NULL CHECK (consumer_group <> ''),
    -- The message's key as text (the plan uuid): one plan's messages leave in id order.
    message_key      text        NOT NULL,
    key              bytea,
    -- Where the message came from: parking one delivery of it twice is a no-op.
    source_topic     text        NOT NULL CHECK (source_topic <> ''),
    source_partition integer     NOT NULL CHECK (source_partition >= 0),
    source_offset    bigint      NOT NULL CHECK (source_offset >= 0),
    value            bytea,
    -- [{"key": name, "value": base64 or null}], in the message's order.
    headers          jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(headers) = 'array'),
    -- Failed attempts so far (0 for a message parked behind an earlier one of its plan).
    attempts         integer     NOT NULL CHECK (attempts >= 0),
    parked_at        timestamptz NOT NULL DEFAULT now(),
    due_at           timestamptz NOT NULL,
    -- A runner at work on it until then (a runner that dies leaves a claim that expires).
    claimed_until    timestamptz,
    -- The NAV API it waits for ('dokarkiv', 'pdl', …), when known: its recovery brings the
    -- message forward.
    dependency       text,
    last_error       text        NOT NULL DEFAULT '',
    UNIQUE (consumer_group, source_topic, source_partition, source_offset)
);

-- The runner's work list, and "has this plan a parked message" on the consumer's path.
CREATE INDEX parked_message_due_idx ON parked_message (consumer_group, due_at);
CREATE INDEX parked_message_key_idx ON parked_message (consumer_group, message_key, id);
