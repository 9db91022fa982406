-- XPlanung: pushed documents (stored once per content hash) and the plan ↔ procedure mapping.
CREATE TABLE xplan_document (
  content_hash TEXT PRIMARY KEY,          -- sha256 hex of the bytes
  bytes        BLOB NOT NULL,
  size         INTEGER NOT NULL,
  created      TEXT NOT NULL
);

CREATE TABLE xplan_plan (
  tenant_id     TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
  plan_id       TEXT NOT NULL,            -- gml:id of the plan element
  plan_type     TEXT NOT NULL,            -- BP_Plan, FP_Plan, ...
  xplan_version TEXT NOT NULL,
  epsg          INTEGER,                  -- EPSG code of the plan's CRS
  procedure_id  TEXT NOT NULL REFERENCES procedure(id) ON DELETE CASCADE,
  content_hash  TEXT NOT NULL REFERENCES xplan_document(content_hash),
  file_name     TEXT NOT NULL,
  content_type  TEXT NOT NULL,
  created       TEXT NOT NULL,
  modified      TEXT NOT NULL,
  PRIMARY KEY (tenant_id, plan_id)
);
CREATE INDEX xplan_plan_procedure ON xplan_plan (procedure_id);
