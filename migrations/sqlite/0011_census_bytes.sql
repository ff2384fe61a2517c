-- baton workflow database on SQLite, schema 11: nothing to change.
--
-- PostgreSQL's schema 11 rebuilds the census's two indexes to compare bytes (COLLATE "C")
-- instead of going through the database's locale. SQLite's text columns compare bytes
-- already (BINARY), so its indexes are what PostgreSQL's now are. The version is recorded
-- all the same, so that schema 11 names one set of tables, columns and indexes on both.
SELECT 1;
