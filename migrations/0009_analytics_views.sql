-- What analysts may read: the facts statistics need (dates, organisations, channels, outcomes),
-- never an identity number, a contact person, a journal post id or a word of a plan's text.
--
-- The old service gave its read-only user `esyfo-analyse` SELECT on every table (its V13),
-- identity numbers and plan text included. Here that user sees the schema `analytics` only:
-- views run with their owner's rights, so the user needs (and has) no right on any table.
-- NAIS creates the user and its password (`databases[].users` in deploy/nais/app.yaml); it is
-- created here too, as the old V13 did, so that the grants work whichever comes first.
DO $$
BEGIN
    CREATE ROLE "esyfo-analyse" LOGIN;
EXCEPTION
    -- unique_violation: another database of the same server created it at the same moment.
    WHEN duplicate_object OR unique_violation THEN
        RAISE NOTICE 'role esyfo-analyse already exists';
END
$$;

CREATE SCHEMA analytics;

-- One row per plan (both front doors and the plans brought over from the old service).
CREATE VIEW analytics.followup_plan AS
SELECT p.uuid                               AS plan_uuid,
       p.employer_org_number,
       p.lps_org_number,
       p.lps_name,
       p.submitted_via,
       (i.plan_uuid IS NOT NULL)            AS from_previous_service,
       p.created_at,
       p.evaluation_date,
       p.send_plan_to_nav,
       p.needs_help_from_nav,
       p.send_plan_to_general_practitioner,
       p.employee_has_contributed_to_plan,
       s.state,
       s.error_type,
       s.nav_state,
       s.nav_updated_at,
       s.nav_attempts,
       s.gp_state,
       s.gp_updated_at,
       s.gp_attempts,
       s.gp_error_type,
       s.updated_at,
       EXISTS (SELECT 1 FROM plan_pdf d WHERE d.plan_uuid = p.uuid) AS has_pdf
FROM followup_plan p
JOIN plan_status s ON s.plan_uuid = p.uuid
LEFT JOIN legacy_import i ON i.plan_uuid = p.uuid;

-- The old service's Altinn-channel plans.
CREATE VIEW analytics.altinn_plan AS
SELECT uuid AS plan_uuid,
       orgnummer AS employer_org_number,
       created,
       last_changed,
       should_send_to_nav,
       should_send_to_fastlege,
       sent_to_nav,
       sent_to_fastlege,
       send_to_fastlege_retry_count,
       (pdf IS NOT NULL) AS has_pdf
FROM legacy_altinn_plan;

GRANT USAGE ON SCHEMA analytics TO "esyfo-analyse";
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO "esyfo-analyse";
ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO "esyfo-analyse";
