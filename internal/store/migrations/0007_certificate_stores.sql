-- Certificate store types, containers and stores. Each row keeps its answer
-- as JSON (doc), as agents do, beside the columns that filters, sorts and
-- checks read.

CREATE TABLE store_types (
    id                  INTEGER PRIMARY KEY,   -- StoreType: built-in ids below 102, custom ones from 102
    short_name          TEXT NOT NULL COLLATE NOCASE,
    short_key           TEXT NOT NULL UNIQUE,  -- ShortName folded in Go (model.NameKey)
    name                TEXT NOT NULL COLLATE NOCASE,
    capability          TEXT COLLATE NOCASE,   -- Capability (orchestrators advertise CertStores.<it, or ShortName>.<job>)
    private_key_allowed INTEGER NOT NULL,      -- 0 Forbidden, 1 Optional, 2 Required
    add_supported       INTEGER NOT NULL,
    remove_supported    INTEGER NOT NULL,
    discovery_supported INTEGER NOT NULL,
    doc                 TEXT NOT NULL
);

CREATE TABLE store_containers (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL COLLATE NOCASE,
    name_key            TEXT NOT NULL UNIQUE,
    store_type          INTEGER NOT NULL,
    overwrite_schedules INTEGER NOT NULL DEFAULT 0,
    schedule            TEXT                   -- Command's cron-like text, or NULL
);

CREATE TABLE stores (
    id                 TEXT NOT NULL COLLATE NOCASE, -- GUID
    client_machine     TEXT NOT NULL COLLATE NOCASE,
    store_path         TEXT NOT NULL COLLATE NOCASE,
    store_type         INTEGER NOT NULL,
    agent_id           TEXT COLLATE NOCASE,
    container_id       INTEGER,
    approved           INTEGER NOT NULL,
    create_if_missing  INTEGER NOT NULL DEFAULT 0,
    inventory_job_id   TEXT COLLATE NOCASE,   -- CertStoreInventoryJobId: the inventory job, while scheduled
    properties         TEXT NOT NULL DEFAULT '{}', -- the Properties object (JSON), secrets included
    password           TEXT,                  -- the store password, never answered
    doc                TEXT NOT NULL
);
CREATE UNIQUE INDEX stores_id ON stores (id);
-- One store per type, machine and path: a second one is refused, and a
-- discovery that finds a known path does not add it again.
CREATE UNIQUE INDEX stores_location ON stores (store_type, client_machine, store_path);
-- One index per sort field, on (field, id): a sorted page walks it and
-- stops when the page is full. Each carries approved and store_type, the
-- commonest filters, so that rows the filter rejects cost no table read.
CREATE INDEX stores_client_machine ON stores (client_machine, id, approved, store_type);
CREATE INDEX stores_store_path ON stores (store_path, id, approved, store_type);
CREATE INDEX stores_type ON stores (store_type, id, approved);
CREATE INDEX stores_agent ON stores (agent_id, id, approved, store_type);
CREATE INDEX stores_container ON stores (container_id, id);

-- What Command knows a store holds: the result of its last inventory job.
CREATE TABLE store_inventory (
    item_id    INTEGER PRIMARY KEY AUTOINCREMENT, -- CertStoreInventoryItemId
    store_id   TEXT NOT NULL COLLATE NOCASE,
    alias      TEXT NOT NULL,
    doc        TEXT NOT NULL -- the inventory entry (Name, Certificates, Parameters)
);
CREATE INDEX store_inventory_store ON store_inventory (store_id, alias, item_id);

-- What an orchestrator sees on the machine, which the next inventory job
-- reports: set by tests through /_mock, changed by management jobs.
CREATE TABLE store_observed (
    store_id   TEXT NOT NULL COLLATE NOCASE,
    alias      TEXT NOT NULL,
    entry      TEXT NOT NULL, -- JSON model.ObservedEntry
    PRIMARY KEY (store_id, alias)
) WITHOUT ROWID;

-- Store paths an orchestrator would find on a machine when it runs a
-- discovery job for a store type: set by tests through /_mock.
CREATE TABLE discoverable_stores (
    agent_id       TEXT NOT NULL COLLATE NOCASE,
    store_type     INTEGER NOT NULL,
    client_machine TEXT NOT NULL COLLATE NOCASE,
    store_path     TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (agent_id, store_type, client_machine, store_path)
) WITHOUT ROWID;
