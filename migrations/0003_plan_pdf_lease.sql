-- Who is building a plan's PDF now. The NAV and GP channels of one plan may both need it at
-- once; the first takes the lease and builds, the second waits for the stored PDF. A lease, not
-- a lock held in an open transaction, so that no database connection is held across the PDL,
-- KRR and pdfgen calls. A holder that dies leaves a lease that expires.
CREATE TABLE plan_pdf_lease (
    plan_uuid   uuid        PRIMARY KEY REFERENCES followup_plan (uuid) ON DELETE CASCADE,
    holder      uuid        NOT NULL,
    expires_at  timestamptz NOT NULL
);
