-- A plan's step records and its PDF build lease without a foreign key (issue #28).
--
-- Each insert into a table with a foreign key to followup_plan runs a check of its own
-- (SELECT … FOR KEY SHARE on the plan's row, which also writes a row lock into the plan's
-- tuple): 8 such checks per plan, a fifth of every statement the pipeline ran. Per table:
--
-- * processed_step (five inserts per plan): every handler reads the plan before it records a
--   step (a missing plan is a poison message), so the check protects nothing there. What the
--   foreign key did besides, deleting a plan's records with the plan, is kept by the trigger
--   below, which costs a deleted plan one statement instead of every insert one.
-- * plan_pdf_lease (one per plan): a lease lives for a build, seconds, and one left over
--   expires; once the PDF is stored the row stays, held for ever ('infinity': built). It names
--   no data. Deleted with its plan by the same trigger.
-- * Kept: plan_status and idempotency_key (written in the plan's own statement, one check per
--   plan, and the status row must never outlive its plan), plan_pdf (one per plan: the PDF is
--   personal data, which must go with its plan).
ALTER TABLE processed_step DROP CONSTRAINT processed_step_plan_uuid_fkey;
ALTER TABLE plan_pdf_lease DROP CONSTRAINT plan_pdf_lease_plan_uuid_fkey;

CREATE FUNCTION followup_plan_delete_step_records() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM processed_step WHERE plan_uuid = OLD.uuid;
    DELETE FROM plan_pdf_lease WHERE plan_uuid = OLD.uuid;
    RETURN OLD;
END;
$$;

CREATE TRIGGER followup_plan_delete_step_records
    AFTER DELETE ON followup_plan
    FOR EACH ROW EXECUTE FUNCTION followup_plan_delete_step_records();
