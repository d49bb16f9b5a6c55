-- PostgreSQL's 0007 adds change notices for the preferences table (see its
-- file). SQLite announces nothing and keeps nothing in memory (reads are a
-- few microseconds), so this version changes nothing here; it exists so
-- both engines carry the same versions.
SELECT 1;
