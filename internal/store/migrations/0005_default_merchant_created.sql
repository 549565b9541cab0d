-- mer_default was inserted by migration 1 with created_at 0, so `paybridge
-- merchants list` showed it as created in 1970. Its real creation time is
-- when the database was created: when migration 1 was applied.
UPDATE merchants
   SET created_at = (SELECT applied_at FROM schema_migrations WHERE version = 1)
 WHERE id = 'mer_default' AND created_at = 0;
