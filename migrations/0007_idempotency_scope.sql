-- An Idempotency-Key is the caller's, and the caller is the LPS acting for an employer: two
-- payroll systems that each serve the same employer (a change of provider, a second system for
-- part of the staff) may well pick the same key for different plans, and must not see each
-- other's plan. The key is therefore scoped to the employer, the LPS and the front door (HTTP
-- today; an event's natural key is its plan uuid, so event keys can never meet HTTP keys).
ALTER TABLE idempotency_key
    ADD COLUMN lps_org_number text,
    ADD COLUMN front_door     text NOT NULL DEFAULT 'HTTP' CHECK (front_door IN ('HTTP', 'EVENT'));

UPDATE idempotency_key k SET lps_org_number = p.lps_org_number FROM followup_plan p WHERE p.uuid = k.plan_uuid;

ALTER TABLE idempotency_key
    ALTER COLUMN lps_org_number SET NOT NULL,
    ADD CONSTRAINT idempotency_key_lps_org_number_check CHECK (lps_org_number ~ '^[0-9]{9}$'),
    DROP CONSTRAINT idempotency_key_pkey,
    ADD PRIMARY KEY (organization_number, lps_org_number, front_door, idempotency_key);
