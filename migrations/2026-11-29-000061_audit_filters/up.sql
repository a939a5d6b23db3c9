-- Indexes for the audit screen's filters: by user (id or login name), by the acting
-- user's unit, by the owning region, by action (and so by category) and by date. Each
-- but the date's ends in the id, the log's order, so a filtered page is read in order.
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_actor_username ON audit_log (actor_username, id);
CREATE INDEX audit_log_actor_unit ON audit_log (actor_unit, id);
CREATE INDEX audit_log_unit ON audit_log (unit_code, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_at ON audit_log (at);
