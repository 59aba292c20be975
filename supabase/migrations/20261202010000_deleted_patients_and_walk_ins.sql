-- Two changes written side by side, reconciled: an appointment may have no account behind it
-- because the practice booked a walk-in (20261202009100) or because the patient deleted their
-- account (20261202008200). Each check alone refused the other case.
alter table public.appointments
  drop constraint appointments_names_its_patient,
  drop constraint appointments_patient_or_record,
  add constraint appointments_names_its_patient check (
    patient_id is not null or patient_record_id is not null or patient_deleted_at is not null
  );

-- The practice's view with both: the record's card (20261202009200), and for a patient who
-- deleted their account, "deleted patient" in the reader's language as the name (20261202008200).
create or replace view public.practice_appointments with (security_barrier) as
  select a.id, a.practitioner_id, a.patient_id, a.relative_id, a.reason_id, a.appointment_date,
         a.start_time, a.end_time, a.status, a.visited_before, a.patient_address_line,
         a.patient_zip_code, a.patient_city, a.cancellation_reason, a.practitioner_notes,
         a.confirmed_at, a.cancelled_at, a.completed_at, a.source, a.created_at,
         case
           when p.id is not null then
             json_build_object('id', p.id, 'first_name', p.first_name, 'last_name', p.last_name,
                               'phone', p.phone, 'avatar_url', p.avatar_url)
           when a.patient_deleted_at is not null then
             json_build_object('id', null, 'first_name', (
               select f.deleted_patient from private.locale_formats f
               where f.locale = coalesce((
                 select s.locale from public.user_settings s where s.user_id = (select auth.uid())
               ), 'fr')
             ), 'last_name', null, 'phone', null, 'avatar_url', null)
         end as patient,
         case when r.id is not null then
           json_build_object('id', r.id, 'first_name', r.first_name, 'last_name', r.last_name)
         end as relative,
         a.patient_record_id,
         case when rec.id is not null then
           json_build_object('id', rec.id,
                             'first_name', coalesce(rec.first_name, p.first_name),
                             'last_name', coalesce(rec.last_name, p.last_name),
                             'phone', coalesce(rec.phone, p.phone),
                             'avatar_url', p.avatar_url)
         end as patient_record
  from public.appointments a
  left join public.profiles p on p.id = a.patient_id
  left join public.relatives r on r.id = a.relative_id
  left join public.patient_records rec on rec.id = a.patient_record_id
  where a.practitioner_id = (select auth.uid()) or (select private.is_admin());
