-- Preferences join the change notices of migration 0002, so a signed-in
-- page can take the theme from process memory (lib/db/row_cache.ts) instead
-- of a round trip per request. Payload on channel islet_changes:
--   preferences:<userId>  that user's preferences row was written or deleted
-- Every write announces, whoever makes it; TRUNCATE announces "all".

CREATE FUNCTION islet_preferences_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('islet_changes', 'preferences:' || OLD.user_id);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('islet_changes', 'preferences:' || NEW.user_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER preferences_change_notice AFTER INSERT OR UPDATE OR DELETE ON preferences
  FOR EACH ROW EXECUTE FUNCTION islet_preferences_changed();
CREATE TRIGGER preferences_truncate_notice AFTER TRUNCATE ON preferences
  FOR EACH STATEMENT EXECUTE FUNCTION islet_truncated();
