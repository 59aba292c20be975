-- Supabase keeps extensions in their own schema; the local bootstrap creates it too.
create extension if not exists btree_gist with schema extensions;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists unaccent with schema extensions;

-- A range of wall-clock times, for the weekly schedule's no-overlap rule.
create type public.timerange as range (subtype = time);
