DROP INDEX audit_log_at;
DROP INDEX audit_log_action;
DROP INDEX audit_log_unit;
DROP INDEX audit_log_actor_unit;
DROP INDEX audit_log_actor_username;
DROP INDEX audit_log_actor;
