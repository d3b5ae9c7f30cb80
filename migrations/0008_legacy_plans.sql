-- The plans of the service this one replaces (lps-oppfolgingsplan-mottak), brought over at the
-- cut-over by `mottak import-legacy` (Sources/LegacyImport, RUNBOOK.md "Cut-over").
--
-- Its API plans (FOLLOW_UP_PLAN_LPS_V1) become ordinary, final plans here (followup_plan,
-- plan_status, plan_pdf): the status query, the Modia routes and the uuid's primary key then
-- serve them as any other plan. Its older Altinn-channel plans (ALTINN_LPS) have no plan text
-- and no LPS status; they are kept as the facts they are, for case workers.

-- An Altinn-channel plan as the old service stored it (V9 + V15), its times as the instants its
-- Oslo wall-clock TIMESTAMPs meant. `lps_fnr` is the employee (the old Modia query's `fnr`).
CREATE TABLE legacy_altinn_plan (
    uuid                         uuid        PRIMARY KEY,
    lps_fnr                      text        NOT NULL CHECK (lps_fnr ~ '^[0-9]{11}$'),
    fnr                          text,
    orgnummer                    text        NOT NULL CHECK (orgnummer ~ '^[0-9]{9}$'),
    pdf                          bytea       CHECK (pdf IS NULL OR (octet_length(pdf) > 0 AND substring(pdf FROM 1 FOR 5) = '%PDF-'::bytea)),
    xml                          text        NOT NULL,
    should_send_to_nav           boolean     NOT NULL,
    should_send_to_fastlege      boolean     NOT NULL,
    sent_to_nav                  boolean     NOT NULL,
    sent_to_fastlege             boolean     NOT NULL,
    send_to_fastlege_retry_count integer     NOT NULL,
    journalpost_id               text,
    archive_reference            text,
    created                      timestamptz NOT NULL,
    last_changed                 timestamptz NOT NULL,
    migrated                     boolean     NOT NULL,
    skip_retry                   boolean
);

-- Case workers look plans up by person.
CREATE INDEX legacy_altinn_plan_person_idx ON legacy_altinn_plan (lps_fnr);

-- Which plans the import brought, from which table, as which version of the source row: a
-- second run skips a row whose fingerprint is unchanged and replaces one that changed (the old
-- service still running during a rehearsal), and a uuid here is the import's own, while a uuid
-- in followup_plan that is not here is a live plan the import must never touch.
CREATE TABLE legacy_import (
    plan_uuid          uuid        PRIMARY KEY,
    source_table       text        NOT NULL CHECK (source_table IN ('FOLLOW_UP_PLAN_LPS_V1', 'ALTINN_LPS')),
    source_fingerprint text        NOT NULL CHECK (source_fingerprint ~ '^[0-9a-f]{32}$'),
    imported_at        timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- An uuid the old service used for an Altinn plan is never given to a new plan: the event front
-- door takes the publisher's uuid, so without this a republished old uuid would be a new plan.
-- The error is the primary key's (unique_violation), which the front doors already answer as
-- "uuid already used". Costs one index probe of a small table per new plan.
CREATE FUNCTION refuse_legacy_altinn_uuid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM legacy_altinn_plan WHERE uuid = NEW.uuid) THEN
        RAISE EXCEPTION 'plan uuid % was used by the previous service (ALTINN_LPS)', NEW.uuid
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'followup_plan_pkey';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER followup_plan_not_a_legacy_altinn_uuid
    BEFORE INSERT ON followup_plan
    FOR EACH ROW EXECUTE FUNCTION refuse_legacy_altinn_uuid();
