-- Who opened a patient's health records through the CRM, and what they saw. The only way to open
-- them there is app.open_patient_record, which writes the log row in the statement that reads:
-- no read without its row, and no row without a read. Patients read their own log (beyond the
-- contract: GET /health/access-log).

create table public.health_access_log (
  id uuid primary key default gen_random_uuid(),
  patient_id uuid not null references public.profiles (id) on delete cascade,
  -- The signed-in user who read: an admin acting for a practitioner is logged as themself.
  -- Kept when the reader's account goes, as the role they read with.
  actor_id uuid references public.profiles (id) on delete set null,
  actor_role public.user_role not null check (actor_role in ('practitioner', 'admin')),
  -- The practice the record was opened for.
  practitioner_id uuid references public.practitioners (id) on delete set null,
  opened text[] not null check (
    cardinality(opened) > 0
    and opened <@ array['profile', 'health_profile', 'conditions', 'medications', 'allergies',
                        'vaccinations', 'appointment_history']
  ),
  created_at timestamptz not null default now()
);

create index health_access_log_patient_idx on public.health_access_log (patient_id, created_at desc, id desc);
create index health_access_log_actor_idx on public.health_access_log (actor_id);

alter table public.health_access_log enable row level security;

-- Nobody writes it but app.open_patient_record; the patient reads their own rows.
create policy health_access_log_patient on public.health_access_log for select to authenticated
  using (patient_id = (select auth.uid()));

revoke all on public.health_access_log from anon, authenticated;
grant select on public.health_access_log to authenticated;

-- The patient's log with the readers' names: profiles stays closed to patients, so this view
-- (run with its owner's rights) opens the names of those who read the caller's records, only.
create view public.health_access_log_entries with (security_barrier) as
  select l.id, l.patient_id, l.opened, l.created_at,
         case when a.id is not null then
           json_build_object('id', a.id, 'first_name', a.first_name, 'last_name', a.last_name,
                             'role', l.actor_role)
         end as actor,
         case when p.id is not null then
           json_build_object('id', p.id, 'first_name', p.first_name, 'last_name', p.last_name)
         end as practitioner
  from public.health_access_log l
  left join public.profiles a on a.id = l.actor_id
  left join public.profiles p on p.id = l.practitioner_id
  where l.patient_id = (select auth.uid());

revoke all on public.health_access_log_entries from anon, authenticated;
grant select on public.health_access_log_entries to authenticated;

-- The CRM's view of a patient (GET /crm/patients/:id), for the practitioner `p_practitioner_id`
-- as the signed-in caller: that practitioner themself, or an admin acting for them. Nothing
-- unless the practitioner and the patient share an appointment (private.shares_appointment);
-- otherwise the record as one JSON document, the sealed teudat zehut beside it (the API turns
-- it into `*****6789`; the database has no key), and the access-log row written by the same
-- statement. With its owner's rights: profiles stays closed to practitioners, and admins have
-- no read of health tables of their own. Every ISO timestamp as the API writes them. PL/pgSQL,
-- so the plan of its one statement is kept per connection (an SQL function's is made anew on
-- each call before PostgreSQL 18).
create function app.open_patient_record(p_practitioner_id uuid, p_patient_id uuid)
returns table (body text, teudat_zehut_sealed text)
language plpgsql volatile security definer set search_path = ''
as $$
begin
  return query
  with reader as (
    select r.id, r.role
    from public.profiles r
    where r.id = (select auth.uid())
      and (r.role = 'admin' or (r.role = 'practitioner' and r.id = p_practitioner_id))
      and private.shares_appointment(p_practitioner_id, p_patient_id)
  ),
  logged as (
    insert into public.health_access_log (patient_id, actor_id, actor_role, practitioner_id, opened)
    select p_patient_id, reader.id, reader.role, p_practitioner_id,
           array['profile', 'health_profile', 'conditions', 'medications', 'allergies',
                 'vaccinations', 'appointment_history']
    from reader
  )
  select json_build_object(
    'profile', json_build_object(
      'first_name', p.first_name, 'last_name', p.last_name, 'phone', p.phone, 'email', p.email,
      'date_of_birth', p.date_of_birth, 'sex', p.sex, 'city', p.city,
      'avatar_url', p.avatar_url),
    'patient', json_build_object(
      'id', p.id, 'auth_user_id', p.id, 'status', 'linked',
      'first_name', p.first_name, 'last_name', p.last_name, 'phone', p.phone,
      'email', p.email, 'city', p.city, 'date_of_birth', m.date_of_birth, 'sex', m.sex,
      'avatar_url', p.avatar_url, 'insurance_provider', hp.insurance_provider,
      'is_incomplete', cardinality(m.missing_fields) > 0,
      'missing_fields', to_json(m.missing_fields),
      'has_teudat_zehut', hp.teudat_zehut_encrypted is not null,
      'teudat_zehut_masked', null),
    'health_profile', case when hp.user_id is not null then json_build_object(
      'user_id', hp.user_id, 'date_of_birth', hp.date_of_birth, 'sex', hp.sex,
      'blood_type', hp.blood_type, 'kupat_holim', hp.kupat_holim,
      'kupat_member_id', hp.kupat_member_id, 'family_doctor_name', hp.family_doctor_name,
      'emergency_contact_name', hp.emergency_contact_name,
      'emergency_contact_phone', hp.emergency_contact_phone,
      'insurance_provider', hp.insurance_provider,
      'updated_at', private.iso_timestamp(hp.updated_at)) end,
    'conditions', coalesce((
      select json_agg(private.health_row_json(c) order by c.created_at desc, c.id desc)
      from public.health_conditions c where c.user_id = p.id), '[]'::json),
    'medications', coalesce((
      select json_agg(private.health_row_json(c) order by c.created_at desc, c.id desc)
      from public.health_medications c where c.user_id = p.id), '[]'::json),
    'allergies', coalesce((
      select json_agg(private.health_row_json(c) order by c.created_at desc, c.id desc)
      from public.health_allergies c where c.user_id = p.id), '[]'::json),
    'vaccinations', coalesce((
      select json_agg(private.health_row_json(c) order by c.created_at desc, c.id desc)
      from public.health_vaccinations c where c.user_id = p.id), '[]'::json),
    'appointment_history', coalesce((
      select json_agg(json_build_object(
               'id', a.id, 'appointment_date', a.appointment_date, 'start_time', a.start_time,
               'end_time', a.end_time, 'status', a.status,
               'practitioner_notes', a.practitioner_notes)
             order by a.starts_at desc, a.id desc)
      from public.appointments a
      where a.practitioner_id = p_practitioner_id and a.patient_id = p.id
        and a.relative_id is null), '[]'::json)
  )::text,
  hp.teudat_zehut_encrypted
  from reader
  join public.profiles p on p.id = p_patient_id
  left join public.health_profiles hp on hp.user_id = p.id
  -- What the CRM calls a patient record's completeness (the nine fields of its edit form).
  cross join lateral (
    select coalesce(p.date_of_birth, hp.date_of_birth) as date_of_birth,
           coalesce(p.sex, hp.sex) as sex
  ) d
  cross join lateral (
    select d.date_of_birth, d.sex, array_remove(array[
      case when p.first_name is null then 'first_name' end,
      case when p.last_name is null then 'last_name' end,
      case when p.phone is null then 'phone' end,
      case when p.email is null then 'email' end,
      case when p.city is null then 'city' end,
      case when d.date_of_birth is null then 'date_of_birth' end,
      case when d.sex is null then 'sex' end,
      case when hp.teudat_zehut_encrypted is null then 'teudat_zehut' end,
      case when hp.insurance_provider is null then 'insurance_provider' end
    ], null) as missing_fields
  ) m;
end
$$;

revoke all on function app.open_patient_record(uuid, uuid) from public;
grant execute on function app.open_patient_record(uuid, uuid) to authenticated;
