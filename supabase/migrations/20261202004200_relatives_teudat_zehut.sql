-- A relative's teudat zehut (the patient app sends and reads it), sealed like the health
-- profile's (migration 20261202004100): AES-256-GCM with the relative's own id as additional
-- data, and the HMAC-SHA-256 of the normalised number.
alter table public.relatives
  add column teudat_zehut_encrypted text
    check (teudat_zehut_encrypted ~ '^v1\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9+/]{16,}={0,2}$'
      and char_length(teudat_zehut_encrypted) <= 300),
  add column teudat_zehut_hash text check (teudat_zehut_hash ~ '^[0-9a-f]{64}$'),
  add constraint relatives_teudat_zehut_sealed_with_hash
    check ((teudat_zehut_encrypted is null) = (teudat_zehut_hash is null));

create index relatives_teudat_zehut_hash_idx on public.relatives (teudat_zehut_hash)
  where teudat_zehut_hash is not null;
