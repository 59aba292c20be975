-- A relative's picture (POST /relatives/:id/avatar), kept like the profile's: the public URL and
-- the Storage object key, which the server deletes when the picture is replaced, when the
-- relative is removed and when the account is deleted. So, as for profiles
-- (20261124003000), only the server writes these two columns: the user's grants on relatives
-- become the other columns, by name.
alter table public.relatives
  add column avatar_url text check (char_length(avatar_url) <= 2000),
  add column avatar_path text check (char_length(avatar_path) <= 500);

revoke insert, update on public.relatives from authenticated;
grant insert (id, user_id, first_name, last_name, relation, date_of_birth, kupat_holim,
  insurance_provider, teudat_zehut_encrypted, teudat_zehut_hash)
  on public.relatives to authenticated;
grant update (first_name, last_name, relation, date_of_birth, kupat_holim, insurance_provider,
  teudat_zehut_encrypted, teudat_zehut_hash)
  on public.relatives to authenticated;
