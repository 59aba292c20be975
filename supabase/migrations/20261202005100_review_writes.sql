-- Patients review their past appointments; the practitioner of a review replies to it. The rules
-- live here, so the API and the Data API obey the same ones; refusals are worded for a patient
-- (SQLSTATE DK404 / DK400 / DK409, passed on by shared/http/handle-error.ts).

-- What a review written by a signed-in user must be. Rows the platform writes itself (seed data,
-- imports, tests arranging history) are not held to them.
create function private.review_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  appointment record;
begin
  if (select auth.uid()) is null then
    return new;
  end if;
  select a.patient_id, a.practitioner_id, a.status into appointment
    from public.appointments a where a.id = new.appointment_id;
  if not found or appointment.patient_id is distinct from new.patient_id then
    raise exception using errcode = 'DK404', message = 'We could not find this appointment.';
  end if;
  if appointment.practitioner_id <> new.practitioner_id then
    raise exception using errcode = 'DK400', column = 'practitioner_id',
      message = 'This appointment was with another practitioner.';
  end if;
  if appointment.status not in ('completed', 'no_show') then
    raise exception using errcode = 'DK409',
      message = 'You can review an appointment once it has taken place.';
  end if;
  return new;
end
$$;

create trigger reviews_1_rules before insert on public.reviews
  for each row execute function private.review_rules();

-- The practitioner hears of every review a signed-in user writes, in their language; the
-- notification brings its `notification:new` event. {patient} comes from the appointment (the
-- relative's name when the visit was theirs), {rating} from the data. Reviews the platform
-- writes itself are history being loaded (an import, the benchmark's 60,000): nobody is told.
create function private.review_announce() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if (select auth.uid()) is null then
    return null;
  end if;
  perform private.notify(new.practitioner_id, 'review_received', jsonb_build_object(
    'appointment_id', new.appointment_id, 'review_id', new.id, 'rating', new.rating));
  return null;
end
$$;

create trigger reviews_announce after insert on public.reviews
  for each row execute function private.review_announce();

-- A signed-in user writes reviews as themselves, and only the reply of their own reviews.
create policy reviews_write_own on public.reviews for insert to authenticated
  with check (patient_id = (select auth.uid()));
create policy reviews_reply_own on public.reviews for update to authenticated
  using (practitioner_id = (select auth.uid()) or (select private.is_admin()))
  with check (practitioner_id = (select auth.uid()) or (select private.is_admin()));

grant insert (appointment_id, practitioner_id, patient_id, rating, comment)
  on public.reviews to authenticated;
grant update (practitioner_reply) on public.reviews to authenticated;
