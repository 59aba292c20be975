-- The public bucket of profile pictures. Storage itself enforces the contract's limits too, so
-- a client writing to it directly gains nothing. The local stack has no Storage service (it
-- keeps files on disk), so the bucket is only created where the storage schema exists.
do $$
begin
  if to_regclass('storage.buckets') is not null then
    insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
    values ('avatars', 'avatars', true, 5 * 1024 * 1024, array['image/jpeg', 'image/png', 'image/webp'])
    on conflict (id) do update
      set public = excluded.public,
          file_size_limit = excluded.file_size_limit,
          allowed_mime_types = excluded.allowed_mime_types;
  end if;
end
$$;
