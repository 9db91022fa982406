-- Harvest paging counts the live procedures of a snapshot on every page; without these the count
-- reads the whole procedure table (documents included).
CREATE INDEX procedure_live_created ON procedure(created) WHERE deleted IS NULL;
CREATE INDEX procedure_live_tenant_created ON procedure(tenant_id, created) WHERE deleted IS NULL;
