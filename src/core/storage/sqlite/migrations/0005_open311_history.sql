-- A report's status history is read by report (a public list with extensions=true reads a whole batch of
-- reports' histories at once); without this index each read scanned the tenant's whole update table.
CREATE INDEX service_request_update_request ON service_request_update (request_id, created, seq);
