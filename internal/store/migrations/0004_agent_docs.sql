-- Each agent's JSON as GET /Agents answers it, without the JobTypes derived
-- from its capabilities (spliced in when it is served): a listing is then a
-- concatenation of stored text, not an encoding. Writes of whole agents set
-- it; the trigger keeps it current when one of the columns that change on
-- their own does (approve, reset, a run's LastSeen, re-enrollment).
ALTER TABLE agents ADD COLUMN doc TEXT NOT NULL DEFAULT '';

CREATE TRIGGER agents_doc AFTER UPDATE OF status, last_seen, auth_cert_reenrollment, last_error_code, last_error_message ON agents
WHEN NEW.doc <> ''
BEGIN
    UPDATE agents SET doc = json_set(NEW.doc, '$.Status', NEW.status, '$.LastSeen', NEW.last_seen,
        '$.AuthCertificateReenrollment', NEW.auth_cert_reenrollment, '$.LastErrorCode', NEW.last_error_code,
        '$.LastErrorMessage', NEW.last_error_message)
    WHERE rowid = NEW.rowid;
END;
