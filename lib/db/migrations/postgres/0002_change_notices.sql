-- Change notices: the database itself announces every change to the rows
-- that instances keep in process memory (lib/db/row_cache.ts), so no
-- application write has to remember to. NOTIFY is delivered when the
-- transaction commits (never for one rolled back), in commit order, to
-- every connection that LISTENs on the channel (lib/db/postgres_changes.ts);
-- identical notices of one transaction are folded into one.
--
-- Payloads on channel islet_changes (lib/db/changes.ts reads them):
--   user:<id>          a users row was updated or deleted
--   sessions:<userId>  a session of that user was created, changed or ended
--   session:<id>       that session was changed or ended
--   all                users or sessions were truncated (row triggers do not fire)
-- Inserting a user announces nothing: nobody keeps a user that did not exist.
-- Every UPDATE announces, whatever column it changed: a column added later
-- is covered without touching this file.

CREATE FUNCTION islet_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('islet_changes', 'user:' || OLD.id);
  IF TG_OP = 'UPDATE' AND NEW.id <> OLD.id THEN
    PERFORM pg_notify('islet_changes', 'user:' || NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER users_change_notice AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION islet_user_changed();

CREATE FUNCTION islet_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('islet_changes', 'sessions:' || OLD.user_id);
    PERFORM pg_notify('islet_changes', 'session:' || OLD.id);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('islet_changes', 'sessions:' || NEW.user_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER sessions_change_notice AFTER INSERT OR UPDATE OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION islet_session_changed();

CREATE FUNCTION islet_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('islet_changes', 'all');
  RETURN NULL;
END
$$;

CREATE TRIGGER users_truncate_notice AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION islet_truncated();
CREATE TRIGGER sessions_truncate_notice AFTER TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION islet_truncated();
