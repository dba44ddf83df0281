-- ASP.NET Core Data Protection keys (they sign cookies and anti-forgery tokens), shared by every web
-- instance so a sign-in made on one is honoured by all.
CREATE TABLE outreach.data_protection_keys (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    friendly_name  text NOT NULL,
    xml            text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
