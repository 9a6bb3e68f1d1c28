-- Certificate authorities, templates and the certificate repository.

-- The mock's CAs. Their keys and certificates are made once per database
-- and kept across resets, so a client that trusts the root keeps trusting
-- it (see store.ensureCAs).
CREATE TABLE cas (
    id           INTEGER PRIMARY KEY,
    logical_name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    host_name    TEXT NOT NULL COLLATE NOCASE,
    parent_id    INTEGER,             -- the signing CA; NULL for a root
    enrollment   INTEGER NOT NULL,    -- issues end-entity certificates
    cert_pem     TEXT NOT NULL,
    key_pem      TEXT NOT NULL,
    doc          TEXT NOT NULL        -- the GET /CertificateAuthority answer
);

CREATE TABLE templates (
    id            INTEGER PRIMARY KEY,
    common_name   TEXT NOT NULL COLLATE NOCASE,
    common_key    TEXT NOT NULL UNIQUE,   -- CommonName folded (model.NameKey)
    display_name  TEXT NOT NULL COLLATE NOCASE,
    validity_days INTEGER NOT NULL,
    cas           TEXT NOT NULL DEFAULT '[]', -- JSON array of CA LogicalNames; [] every enrolling CA
    doc           TEXT NOT NULL
);

CREATE TABLE certificates (
    id             INTEGER PRIMARY KEY AUTOINCREMENT, -- Id: never reused (inventories and jobs name it)
    request_id     INTEGER NOT NULL UNIQUE,     -- CertRequestId (KeyfactorRequestId)
    thumbprint     TEXT NOT NULL COLLATE NOCASE,
    serial_number  TEXT NOT NULL COLLATE NOCASE,
    issued_dn      TEXT COLLATE NOCASE,
    issued_cn      TEXT COLLATE NOCASE,
    issuer_dn      TEXT COLLATE NOCASE,
    not_before     TEXT NOT NULL,
    not_after      TEXT NOT NULL,
    import_date    TEXT NOT NULL,
    cert_state     INTEGER NOT NULL,
    template_id    INTEGER,
    template_name  TEXT COLLATE NOCASE,
    ca_id          INTEGER,
    ca_name        TEXT COLLATE NOCASE,
    key_size       INTEGER NOT NULL,
    key_type       INTEGER NOT NULL,
    principal_name TEXT COLLATE NOCASE,
    revocation_date TEXT,
    der            BLOB NOT NULL,
    key_pem        TEXT,                        -- the private key, when the mock made it (PFX)
    metadata       TEXT NOT NULL DEFAULT '{}',  -- JSON object name -> string
    doc            TEXT NOT NULL                -- the answer, without metadata, locations or key
);
CREATE INDEX certificates_thumbprint ON certificates (thumbprint, id);
CREATE INDEX certificates_serial ON certificates (serial_number, id);
CREATE INDEX certificates_issued_cn ON certificates (issued_cn, id, cert_state, not_after);
CREATE INDEX certificates_not_after ON certificates (not_after, id, cert_state);

-- Inventory entries link to the certificates they hold (by thumbprint),
-- which gives a certificate its Locations.
ALTER TABLE store_inventory ADD COLUMN cert_id INTEGER;
CREATE INDEX store_inventory_cert ON store_inventory (cert_id) WHERE cert_id IS NOT NULL;

CREATE TABLE metadata_fields (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL COLLATE NOCASE,
    name_key TEXT NOT NULL UNIQUE,
    doc      TEXT NOT NULL
);
