-- The practice books for its patients (POST /crm/appointments, client-extras 8): a linked
-- patient or a walk-in's draft record, confirmed at once, `source = dokal_crm`, at any date and
-- time the practice chooses (past ones too: a visit entered afterwards), the two exclusion
-- constraints deciding overlaps as for every booking. A walk-in's appointment has no account
-- (patient_id null): nobody is notified on the patient's side, no conversation opens.

-- Signed-in users' inserts. The app's bookings keep every rule of 20261202000400; the practice's
-- own bookings are free of the slot and time rules (the practice decides its diary), not of the
-- reason rule nor of the overlap constraints.
create or replace function private.appointment_booking_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  practitioner record;
begin
  if (select auth.uid()) is null then
    return new;
  end if;
  if new.reason_id is not null and not exists (
    select from public.appointment_reasons r
    where r.id = new.reason_id and r.is_active
      and (r.practitioner_id is null or r.practitioner_id = new.practitioner_id)
  ) then
    raise exception using errcode = 'DK400', column = 'reason_id',
      message = 'Please choose one of this practitioner''s reasons for a visit.';
  end if;
  if new.practitioner_id = new.patient_id then
    raise exception using errcode = 'DK400', column = 'practitioner_id',
      message = 'You cannot book an appointment with yourself.';
  end if;
  if new.source = 'dokal_crm' then
    return new;
  end if;
  select p.is_active, p.is_accepting_new_patients into practitioner
    from public.practitioners p where p.id = new.practitioner_id;
  if not found or not practitioner.is_active then
    raise exception using errcode = 'DK400', column = 'practitioner_id',
      message = 'We could not find this practitioner.';
  end if;
  if not new.visited_before and not practitioner.is_accepting_new_patients then
    raise exception using errcode = 'DK409',
      message = 'This practitioner is not accepting new patients at the moment.';
  end if;
  if new.starts_at <= now() then
    raise exception using errcode = 'DK400', column = 'start_time',
      message = 'This time has already passed. Please choose a later slot.';
  end if;
  if not app.practitioner_slot_is_free(new.practitioner_id, new.appointment_date,
                                       new.start_time, new.end_time) then
    -- Taken rather than never offered: the exclusion constraint refuses the insert, with the
    -- same answer as for a booking that loses a race for the slot.
    if exists (
      select from public.appointments a
      where a.practitioner_id = new.practitioner_id and a.status in ('pending', 'confirmed')
        and a.appointment_date = new.appointment_date
        and a.start_time < new.end_time and new.start_time < a.end_time
    ) then
      return new;
    end if;
    raise exception using errcode = 'DK400', column = 'start_time',
      message = 'This time is not one of the practitioner''s free slots. Please choose another.';
  end if;
  return new;
end
$$;

-- The practice writes its own confirmed bookings (an admin: any practice's).
create policy appointments_practice_book on public.appointments for insert to authenticated
  with check (
    source = 'dokal_crm' and status = 'confirmed'
    and (practitioner_id = (select auth.uid()) or (select private.is_admin()))
  );

grant insert (patient_record_id, status, source, practitioner_notes)
  on public.appointments to authenticated;

-- As in 20261202000400, with nobody on the patient's side for a walk-in.
create or replace function private.appointment_announce() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  payload jsonb := jsonb_build_object(
    'id', new.id, 'status', new.status, 'appointment_date', new.appointment_date,
    'start_time', new.start_time, 'end_time', new.end_time,
    'practitioner_id', new.practitioner_id, 'patient_id', new.patient_id);
  for_patient jsonb := jsonb_build_object('appointment_id', new.id,
                                          'practitioner_id', new.practitioner_id);
  for_practitioner jsonb := jsonb_build_object('appointment_id', new.id,
                                               'patient_id', new.patient_id);
  has_account boolean := new.patient_id is not null;
begin
  if has_account then
    perform private.emit_event(new.patient_id, 'appointment:updated', payload);
  end if;
  perform private.emit_event(new.practitioner_id, 'appointment:updated', payload);
  if tg_op = 'INSERT' then
    if has_account then
      insert into public.conversations (patient_id, practitioner_id, appointment_id)
      values (new.patient_id, new.practitioner_id, new.id)
      on conflict on constraint conversations_one_per_pair
        do update set appointment_id = excluded.appointment_id;
    end if;
    if new.source = 'dokal_app' then
      perform private.notify(new.practitioner_id, 'appointment_request', for_practitioner);
    elsif has_account then
      perform private.notify(new.patient_id, 'appointment_created', for_patient);
    end if;
    return null;
  end if;
  case new.status
    when 'confirmed' then
      if has_account then
        perform private.notify(new.patient_id, 'appointment_confirmed', for_patient);
      end if;
    when 'cancelled_by_patient' then
      perform private.notify(new.practitioner_id, 'appointment_cancelled', for_practitioner);
      perform private.notify(new.patient_id, 'appointment_cancelled', for_patient);
    when 'cancelled_by_practitioner' then
      if has_account then
        perform private.notify(new.patient_id, 'appointment_cancelled', for_patient);
      end if;
    when 'completed' then
      if has_account then
        perform private.notify(new.patient_id, 'appointment_completed', for_patient);
      end if;
    else null;
  end case;
  return null;
end
$$;

-- The practice's view of its appointments (20261202000400), with the record: `patient` stays
-- the account's card (null for a walk-in), `patient_record` is the practice's card of the
-- record (its values, else the account's), `patient_record_id` its id.
create or replace view public.practice_appointments with (security_barrier) as
  select a.id, a.practitioner_id, a.patient_id, a.relative_id, a.reason_id, a.appointment_date,
         a.start_time, a.end_time, a.status, a.visited_before, a.patient_address_line,
         a.patient_zip_code, a.patient_city, a.cancellation_reason, a.practitioner_notes,
         a.confirmed_at, a.cancelled_at, a.completed_at, a.source, a.created_at,
         case when p.id is not null then
           json_build_object('id', p.id, 'first_name', p.first_name, 'last_name', p.last_name,
                             'phone', p.phone, 'avatar_url', p.avatar_url)
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

-- GET /crm/patients/:id now names a record (client-extras 9: every id there is the record's).
-- As 20261202004300, for the record `p_record_id` of the practitioner: a linked record opens
-- the account's profile and health records while the two share an appointment in person, with
-- its access-log row written by the same statement; a draft opens the practice's own values
-- (no account: no health records, no log row). `patient` shows the record's values, else the
-- account's; the teudat zehut to mask is the record's own, else the health profile's, named by
-- its owner.
drop function app.open_patient_record(uuid, uuid);

create function app.open_patient_record(p_practitioner_id uuid, p_record_id uuid)
returns table (body text, teudat_zehut_sealed text, teudat_zehut_owner text,
               teudat_zehut_owner_id uuid)
language plpgsql volatile security definer set search_path = ''
as $$
begin
  return query
  with reader as (
    select r.id, r.role
    from public.profiles r
    where r.id = (select auth.uid())
      and (r.role = 'admin' or (r.role = 'practitioner' and r.id = p_practitioner_id))
  ),
  record as (
    select rec.*
    from public.patient_records rec, reader
    where rec.id = p_record_id and rec.practitioner_id = p_practitioner_id
      and (rec.auth_user_id is null
           or private.shares_appointment(p_practitioner_id, rec.auth_user_id))
  ),
  logged as (
    insert into public.health_access_log (patient_id, actor_id, actor_role, practitioner_id, opened)
    select record.auth_user_id, reader.id, reader.role, p_practitioner_id,
           array['profile', 'health_profile', 'conditions', 'medications', 'allergies',
                 'vaccinations', 'appointment_history']
    from reader, record
    where record.auth_user_id is not null
  )
  select json_build_object(
    'profile', json_build_object(
      'first_name', coalesce(p.first_name, rec.first_name),
      'last_name', coalesce(p.last_name, rec.last_name),
      'phone', case when p.id is not null then p.phone else rec.phone end,
      'email', case when p.id is not null then p.email else rec.email end,
      'date_of_birth', case when p.id is not null then p.date_of_birth else rec.date_of_birth end,
      'sex', case when p.id is not null then p.sex else rec.sex end,
      'city', case when p.id is not null then p.city else rec.city end,
      'avatar_url', p.avatar_url),
    'patient', json_build_object(
      'id', rec.id, 'auth_user_id', rec.auth_user_id, 'status', v.status,
      'first_name', v.first_name, 'last_name', v.last_name, 'phone', v.phone,
      'email', v.email, 'city', v.city, 'date_of_birth', v.date_of_birth, 'sex', v.sex,
      'avatar_url', p.avatar_url, 'insurance_provider', v.insurance_provider,
      'is_incomplete', cardinality(v.missing_fields) > 0,
      'missing_fields', to_json(v.missing_fields),
      'has_teudat_zehut', v.has_teudat_zehut,
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
      where a.practitioner_id = p_practitioner_id and a.patient_record_id = rec.id),
      '[]'::json)
  )::text,
  v.teudat_zehut_sealed, v.teudat_zehut_owner, v.teudat_zehut_owner_id
  from record rec
  left join public.profiles p on p.id = rec.auth_user_id
  left join public.health_profiles hp on hp.user_id = rec.auth_user_id
  -- The practice_patients view filters on the caller; the reader above already did.
  cross join lateral (
    select x.status, x.first_name, x.last_name, x.phone, x.email, x.city, x.date_of_birth,
           x.sex, x.insurance_provider, x.missing_fields, x.has_teudat_zehut,
           x.teudat_zehut_sealed, x.teudat_zehut_owner, x.teudat_zehut_owner_id
    from public.practice_patients x where x.id = rec.id
  ) v;
end
$$;

revoke all on function app.open_patient_record(uuid, uuid) from public;
grant execute on function app.open_patient_record(uuid, uuid) to authenticated;
