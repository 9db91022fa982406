-- Core model: tenants, API keys, procedures with their phases, external-id and code-list mappings.
CREATE TABLE tenant (
  id         TEXT PRIMARY KEY,
  doc        TEXT NOT NULL,            -- the Tenant JSON (schemas/tenant.schema.json)
  created    TEXT NOT NULL
) STRICT;

CREATE TABLE api_key (
  id         TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  label      TEXT NOT NULL,
  scopes     TEXT NOT NULL,            -- JSON array
  key_hash   TEXT NOT NULL UNIQUE,     -- sha256 of the secret; the secret itself is never stored
  created    TEXT NOT NULL,
  revoked    TEXT
) STRICT;
CREATE INDEX api_key_tenant ON api_key(tenant_id);

CREATE TABLE procedure (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT, -- immutable order of creation: stable harvest paging
  id         TEXT NOT NULL UNIQUE,
  tenant_id  TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  title      TEXT NOT NULL,
  family     TEXT NOT NULL,
  plan_kind  TEXT NOT NULL,
  doc        TEXT,                     -- ProcedureInput JSON without phases/externalIds; NULL once deleted
  version    INTEGER NOT NULL DEFAULT 1,
  created    TEXT NOT NULL,
  modified   TEXT NOT NULL,
  deleted    TEXT                      -- tombstone: set on delete, the row stays for harvesters
) STRICT;
CREATE INDEX procedure_tenant_modified ON procedure(tenant_id, modified, id);
CREATE INDEX procedure_modified ON procedure(modified, id);
CREATE INDEX procedure_deleted ON procedure(deleted) WHERE deleted IS NOT NULL;

CREATE TABLE phase (
  procedure_id TEXT NOT NULL REFERENCES procedure(id) ON DELETE CASCADE,
  position     INTEGER NOT NULL,
  kind         TEXT NOT NULL,
  audience     TEXT NOT NULL,
  durchgang    INTEGER NOT NULL DEFAULT 1,
  start        TEXT NOT NULL,
  end          TEXT,
  title        TEXT,
  PRIMARY KEY (procedure_id, position)
) STRICT;

CREATE TABLE external_id (
  tenant_id    TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  system       TEXT NOT NULL,
  external_id  TEXT NOT NULL,
  procedure_id TEXT NOT NULL REFERENCES procedure(id) ON DELETE CASCADE,
  PRIMARY KEY (tenant_id, system, external_id)
) STRICT;
CREATE INDEX external_id_procedure ON external_id(procedure_id);

CREATE TABLE code_mapping (
  tenant_id  TEXT NOT NULL DEFAULT '',   -- '' = gateway-wide default seeded from src/core/codelists
  list       TEXT NOT NULL,
  code       TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (tenant_id, list, code)
) STRICT;
