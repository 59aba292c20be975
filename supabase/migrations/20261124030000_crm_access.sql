-- An admin manages any practitioner's CRM data (contract: admin has full access). The CRM profile
-- edit changes the practitioner's names in profiles, and an UPDATE also needs the row visible.
create policy profiles_select_admin on public.profiles
  for select to authenticated using ((select private.is_admin()));
create policy profiles_update_admin on public.profiles
  for update to authenticated
  using ((select private.is_admin())) with check ((select private.is_admin()));

-- The CRM lists the reviews a practitioner received with their authors' names and pictures.
-- profiles stays closed to practitioners, so this view (run with its owner's rights) opens only
-- those three columns, and only of the authors of the caller's own reviews (an admin: any).
create view public.received_reviews with (security_barrier) as
  select r.id, r.appointment_id, r.practitioner_id, r.patient_id, r.rating, r.comment,
         r.practitioner_reply, r.created_at,
         json_build_object(
           'first_name', p.first_name, 'last_name', p.last_name, 'avatar_url', p.avatar_url
         ) as profiles
  from public.reviews r
  join public.profiles p on p.id = r.patient_id
  where r.practitioner_id = (select auth.uid()) or (select private.is_admin());

revoke all on public.received_reviews from anon, authenticated;
grant select on public.received_reviews to authenticated;
