-- The first-slot cache rewrites its rows all day (each answer lives until its slot starts). Free
-- room in every page lets PostgreSQL update a row in place (HOT) without a new index entry, so
-- the primary key does not grow with every recomputation between two vacuums.
alter table private.first_free_slot_cache set (fillfactor = 50);
