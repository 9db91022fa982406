-- Open311 (Mängelmelder): services, reports, the reporter's personal data apart, status updates, images.
CREATE TABLE open311_service (
  tenant_id    TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  service_code TEXT NOT NULL,
  doc          TEXT NOT NULL,            -- schemas/open311-service.schema.json
  procedure_id TEXT REFERENCES procedure(id),
  created      TEXT NOT NULL,
  modified     TEXT NOT NULL,
  PRIMARY KEY (tenant_id, service_code)
);

CREATE TABLE service_request (
  seq                INTEGER PRIMARY KEY AUTOINCREMENT,
  id                 TEXT NOT NULL UNIQUE,
  tenant_id          TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  service_code       TEXT NOT NULL,
  status             TEXT NOT NULL,      -- neu, in_bearbeitung, geschlossen, erledigt, abgelehnt
  released           INTEGER NOT NULL,   -- 0 while in moderation
  status_notes       TEXT,
  agency_responsible TEXT,
  service_notice     TEXT,
  description        TEXT,
  lat                REAL,
  long               REAL,
  address            TEXT,
  address_id         TEXT,
  zipcode            TEXT,
  attributes         TEXT NOT NULL,      -- JSON object
  media_urls         TEXT NOT NULL,      -- JSON array
  token              TEXT UNIQUE,
  requested          TEXT NOT NULL,
  updated            TEXT NOT NULL,
  expected           TEXT
);
CREATE INDEX service_request_public ON service_request (tenant_id, released, requested DESC);
CREATE INDEX service_request_updated ON service_request (tenant_id, updated);

-- DSGVO: the reporter's data, never joined into a public view, erasable on its own.
CREATE TABLE service_request_personal (
  request_id TEXT PRIMARY KEY REFERENCES service_request(id) ON DELETE CASCADE,
  email      TEXT,
  first_name TEXT,
  last_name  TEXT,
  phone      TEXT,
  device_id  TEXT,
  account_id TEXT
);

CREATE TABLE service_request_update (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id  TEXT NOT NULL REFERENCES service_request(id) ON DELETE CASCADE,
  tenant_id   TEXT NOT NULL,
  status      TEXT NOT NULL,
  description TEXT,
  created     TEXT NOT NULL
);
CREATE INDEX service_request_update_time ON service_request_update (tenant_id, created);

CREATE TABLE open311_media (
  hash         TEXT PRIMARY KEY,          -- sha256 hex
  content_type TEXT NOT NULL,
  bytes        BLOB NOT NULL,
  created      TEXT NOT NULL
);
