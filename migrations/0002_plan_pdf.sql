-- The PDF of a plan, built once (PDL name and address, KRR contact details, pdfgen) and reused
-- by the NAV channel (journal post) and the GP channel (dialogmelding), so both send the same
-- document and a redelivered message does not build it again.
CREATE TABLE plan_pdf (
    plan_uuid   uuid        PRIMARY KEY REFERENCES followup_plan (uuid) ON DELETE CASCADE,
    pdf         bytea       NOT NULL CHECK (octet_length(pdf) > 0 AND substring(pdf FROM 1 FOR 5) = '%PDF-'::bytea),
    created_at  timestamptz NOT NULL DEFAULT now()
);
