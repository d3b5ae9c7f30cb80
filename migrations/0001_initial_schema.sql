-- The initial schema of oppfolgingsplan-mottak.
--
-- Integrity lives here, not only in code: shapes of identity and organisation numbers, the
-- public contract's validation rules that can be stated per row, the status model's states.
-- Applied by `mottak migrate` (runner: Sources/Storage/Migrations). Never edit this file once
-- applied anywhere: add 0002_... instead.

-- One follow-up plan (oppfølgingsplan) as the employer's system (LPS) submitted it.
-- Column names are the DTO's JSON names in snake_case (FollowUpPlanDTO).
CREATE TABLE followup_plan (
    uuid                                             uuid        PRIMARY KEY,
    -- The organisation the plan is for: Maskinporten's consumer claim (or the event's employer).
    employer_org_number                              text        NOT NULL CHECK (employer_org_number ~ '^[0-9]{9}$'),
    -- The organisation that submitted it: supplier claim when acting under delegation, else the employer.
    lps_org_number                                   text        NOT NULL CHECK (lps_org_number ~ '^[0-9]{9}$'),
    -- Which front door the plan came through.
    submitted_via                                    text        NOT NULL CHECK (submitted_via IN ('HTTP', 'EVENT')),
    employee_identification_number                   text        NOT NULL CHECK (employee_identification_number ~ '^[0-9]{11}$'),
    typical_workday                                  text        NOT NULL,
    tasks_that_can_still_be_done                     text        NOT NULL,
    tasks_that_can_not_be_done                       text        NOT NULL,
    previous_facilitation                            text        NOT NULL,
    planned_facilitation                             text        NOT NULL,
    other_facilitation_options                       text,
    follow_up                                        text        NOT NULL,
    evaluation_date                                  date        NOT NULL,
    send_plan_to_nav                                 boolean     NOT NULL,
    needs_help_from_nav                              boolean,
    needs_help_from_nav_description                  text,
    send_plan_to_general_practitioner                boolean     NOT NULL,
    message_to_general_practitioner                  text,
    additional_information                           text,
    contact_person_full_name                         text        NOT NULL,
    contact_person_phone_number                      text        NOT NULL,
    contact_person_email                             text        NOT NULL,
    employee_has_contributed_to_plan                 boolean     NOT NULL,
    employee_has_not_contributed_to_plan_description text,
    lps_name                                         text        NOT NULL,
    lps_email                                        text,
    created_at                                       timestamptz NOT NULL DEFAULT now(),

    -- The contract's validation rules 1-4 (domain-reference.md section 2), as row invariants.
    -- "Blank" is "no character other than white space", as in the contract (Kotlin isBlank).
    -- coalesce matters: a CHECK whose expression is NULL passes.
    CONSTRAINT help_from_nav_requires_send_to_nav
        CHECK (needs_help_from_nav IS NOT TRUE OR send_plan_to_nav),
    CONSTRAINT help_from_nav_requires_description
        CHECK (needs_help_from_nav IS NOT TRUE OR coalesce(needs_help_from_nav_description, '') ~ '\S'),
    CONSTRAINT not_contributed_requires_description
        CHECK (employee_has_contributed_to_plan OR coalesce(employee_has_not_contributed_to_plan_description, '') ~ '\S'),
    CONSTRAINT contributed_forbids_description
        CHECK (NOT employee_has_contributed_to_plan
               OR coalesce(employee_has_not_contributed_to_plan_description, '') = '')
);

-- NAV caseworkers look plans up by person.
CREATE INDEX followup_plan_employee_idx ON followup_plan (employee_identification_number);

-- What happened to a plan: one row per plan, created RECEIVED by the intake in the plan's own
-- transaction; afterwards written only by the status updater. isSentTo...Status = channel SENT.
CREATE TABLE plan_status (
    plan_uuid            uuid        PRIMARY KEY REFERENCES followup_plan (uuid) ON DELETE CASCADE,
    state                text        NOT NULL DEFAULT 'RECEIVED'
                                     CHECK (state IN ('RECEIVED', 'REJECTED', 'IN_PROGRESS', 'COMPLETED', 'FAILED')),
    -- Why the plan was REJECTED or FAILED, as the ApiError the caller gets.
    error_type           text,
    error_message        text,

    nav_state            text        NOT NULL CHECK (nav_state IN ('NOT_REQUESTED', 'PENDING', 'SENT', 'FAILED')),
    nav_updated_at       timestamptz,
    nav_attempts         integer     NOT NULL DEFAULT 0 CHECK (nav_attempts >= 0),
    nav_journalpost_id   text,
    nav_error_type       text,
    nav_error_message    text,

    gp_state             text        NOT NULL CHECK (gp_state IN ('NOT_REQUESTED', 'PENDING', 'SENT', 'FAILED')),
    gp_updated_at        timestamptz,
    gp_attempts          integer     NOT NULL DEFAULT 0 CHECK (gp_attempts >= 0),
    gp_error_type        text,
    gp_error_message     text,

    received_at          timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- Incremented by every change, so a waiting request can tell a new state from a replay.
    revision             bigint      NOT NULL DEFAULT 0 CHECK (revision >= 0),

    CONSTRAINT error_type_and_message_together
        CHECK ((error_type IS NULL) = (error_message IS NULL)
               AND (nav_error_type IS NULL) = (nav_error_message IS NULL)
               AND (gp_error_type IS NULL) = (gp_error_message IS NULL)),
    CONSTRAINT rejected_or_failed_says_why
        CHECK (state NOT IN ('REJECTED', 'FAILED') OR error_type IS NOT NULL),
    CONSTRAINT failed_channel_says_why
        CHECK ((nav_state <> 'FAILED' OR nav_error_type IS NOT NULL)
               AND (gp_state <> 'FAILED' OR gp_error_type IS NOT NULL)),
    CONSTRAINT completed_has_no_pending_channel
        CHECK (state <> 'COMPLETED' OR (nav_state <> 'PENDING' AND gp_state <> 'PENDING')),
    CONSTRAINT known_error_types
        CHECK (error_type IS NULL OR error_type IN (
                   'VALIDATION_ERROR', 'NO_ACTIVE_EMPLOYMENT', 'NO_ACTIVE_SENT_SYKMELDING', 'EMPLOYEE_NOT_FOUND',
                   'GENERAL_PRACTITIONER_NOT_FOUND', 'INTERNAL_SERVER_ERROR'))
);

-- Events waiting to be published to Kafka, written in the same transaction as the change
-- they announce (transactional outbox). The relay publishes in id order and sets
-- published_at only after the broker acknowledged.
CREATE TABLE outbox (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic         text        NOT NULL CHECK (topic <> ''),
    message_key   text        NOT NULL,
    payload       jsonb       NOT NULL,
    headers       jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(headers) = 'object'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz,
    attempts      integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error    text,
    CHECK (published_at IS NULL OR published_at >= created_at)
);

-- The relay's work list: only unpublished rows, in order.
CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

-- Sick-leave periods of sykmeldinger sent to an employer (teamsykmelding.syfo-sendt-sykmelding).
-- A re-sent or corrected sykmelding replaces all its rows; a tombstone deletes them.
CREATE TABLE sykmelding_period (
    sykmelding_id                  text        NOT NULL CHECK (sykmelding_id <> ''),
    period_number                  smallint    NOT NULL CHECK (period_number >= 0),
    employee_identification_number text        NOT NULL CHECK (employee_identification_number ~ '^[0-9]{11}$'),
    organization_number            text        NOT NULL CHECK (organization_number ~ '^[0-9]{9}$'),
    fom                            date        NOT NULL,
    tom                            date        NOT NULL,
    received_at                    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sykmelding_id, period_number),
    CHECK (fom <= tom)
);

-- "Is there an active period for this person" (today within [fom, tom + 15 days]).
CREATE INDEX sykmelding_period_employee_idx ON sykmelding_period (employee_identification_number, tom);

-- External side effects already done, per plan and step (e.g. 'pdf', 'dokarkiv', 'modia',
-- 'isdialogmelding'). A redelivered message finds its step here and does not repeat it.
CREATE TABLE processed_step (
    plan_uuid     uuid        NOT NULL REFERENCES followup_plan (uuid) ON DELETE CASCADE,
    step          text        NOT NULL CHECK (step ~ '^[a-z][a-z0-9_.-]*$'),
    completed_at  timestamptz NOT NULL DEFAULT now(),
    -- What the step produced that later steps need (for example the journalpost id).
    result        jsonb,
    PRIMARY KEY (plan_uuid, step)
);

-- Idempotency-Key header: the same key from the same employer organisation means the same
-- submission. The request's hash tells a retry (same body) from a misuse (other body).
CREATE TABLE idempotency_key (
    organization_number text        NOT NULL CHECK (organization_number ~ '^[0-9]{9}$'),
    idempotency_key     text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_sha256      char(64)    NOT NULL,
    plan_uuid           uuid        NOT NULL UNIQUE REFERENCES followup_plan (uuid) ON DELETE CASCADE,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_number, idempotency_key)
);
