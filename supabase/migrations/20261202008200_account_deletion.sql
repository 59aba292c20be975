-- Deleting an account (DELETE /account): the user's own data goes, what others legitimately hold
-- stays. Most tables of a user's own data already follow the profile (on delete cascade):
-- relatives, settings, health records, push tokens, payment methods and payments, notifications,
-- the health access log, reviews and conversations. A practitioner's appointment history does
-- not: its appointments stay, naming no patient ("deleted patient" in the CRM).
--
-- Whatever deletes the auth user (DELETE /account, the Supabase dashboard, the Admin API), the
-- profile goes with it, and its BEFORE DELETE trigger below first cancels the appointments still
-- ahead (the status machine's own step, so the practitioner hears of it as of any cancellation)
-- and then detaches the rest.

-- How each locale names a patient whose account was deleted, for the practice's lists.
alter table private.locale_formats add column deleted_patient text;
update private.locale_formats f
set deleted_patient = v.label
from (values
  ('fr', 'Patient supprimé'),
  ('he', 'מטופל/ת שנמחק/ה'),
  ('en', 'Deleted patient'),
  ('ru', 'Удалённый пациент'),
  ('am', 'የተሰረዘ ታካሚ'),
  ('es', 'Paciente eliminado')
) as v(locale, label)
where f.locale = v.locale::public.app_locale;
alter table private.locale_formats alter column deleted_patient set not null;

-- An appointment names its patient, unless the patient's account was deleted.
alter table public.appointments
  add column patient_deleted_at timestamptz,
  alter column patient_id drop not null,
  drop constraint appointments_patient_id_fkey,
  add constraint appointments_patient_id_fkey foreign key (patient_id)
    references public.profiles (id) on delete set null,
  add constraint appointments_names_its_patient
    check (patient_id is not null or patient_deleted_at is not null);

-- The profile leaves: its appointments ahead are cancelled by the patient (before the start,
-- as the status machine allows; the notifications and events are those of any cancellation,
-- written while the patient's name can still be read), then every appointment it booked is
-- detached from it and from its relatives, who leave with it. An appointment under way, or one
-- the practice never closed, stays as it is for the practice to close; nobody is told on the
-- patient's side any more (private.emit_event, notifications_0_recipient below). The events
-- still waiting for the person in the outbox (their notifications' texts among them) go too.
create function private.profile_leaves_history() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.appointments
  set status = 'cancelled_by_patient'
  where patient_id = old.id and status in ('pending', 'confirmed') and starts_at > now();
  update public.appointments
  set patient_id = null, relative_id = null, patient_deleted_at = now()
  where patient_id = old.id;
  delete from private.events where user_id = old.id;
  return old;
end
$$;

create trigger profiles_leave_history before delete on public.profiles
  for each row execute function private.profile_leaves_history();

-- Nobody to tell: an event or a notification for the patient of an appointment whose account was
-- deleted is not written.
create or replace function private.emit_event(p_user_id uuid, p_event text, p_payload jsonb)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  event_id bigint;
begin
  if p_user_id is null then
    return;
  end if;
  insert into private.events (user_id, event, payload)
  values (p_user_id, p_event, p_payload)
  returning id into event_id;
  perform pg_notify('dokal_events', event_id::text);
end
$$;

create function private.notification_recipient() returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.user_id is null then
    return null;
  end if;
  return new;
end
$$;

create trigger notifications_0_recipient before insert on public.notifications
  for each row execute function private.notification_recipient();

-- The practice's view of its appointments (20261202000400), with the appointments of deleted
-- patients: no id, no phone, no picture, and "deleted patient" in the reader's language as the
-- name the CRM shows.
create or replace view public.practice_appointments with (security_barrier) as
  select a.id, a.practitioner_id, a.patient_id, a.relative_id, a.reason_id, a.appointment_date,
         a.start_time, a.end_time, a.status, a.visited_before, a.patient_address_line,
         a.patient_zip_code, a.patient_city, a.cancellation_reason, a.practitioner_notes,
         a.confirmed_at, a.cancelled_at, a.completed_at, a.source, a.created_at,
         case when p.id is not null then
           json_build_object('id', p.id, 'first_name', p.first_name, 'last_name', p.last_name,
                             'phone', p.phone, 'avatar_url', p.avatar_url)
         else
           json_build_object('id', null, 'first_name', (
             select f.deleted_patient from private.locale_formats f
             where f.locale = coalesce((
               select s.locale from public.user_settings s where s.user_id = (select auth.uid())
             ), 'fr')
           ), 'last_name', null, 'phone', null, 'avatar_url', null)
         end as patient,
         case when r.id is not null then
           json_build_object('id', r.id, 'first_name', r.first_name, 'last_name', r.last_name)
         end as relative
  from public.appointments a
  left join public.profiles p on p.id = a.patient_id
  left join public.relatives r on r.id = a.relative_id
  where a.practitioner_id = (select auth.uid()) or (select private.is_admin());

-- The caller deletes their own account, in the transaction of the request: the auth user goes
-- (so the address can sign up again), and with it the profile and everything that follows it
-- (above). Answers the Storage keys of the pictures that went with it (the profile's, the
-- relatives'), for the API to delete once this has committed; null when the account was already
-- gone (two requests at once). Refused for an admin, and for a practitioner whose practice has
-- appointments: deleting the practice would take them out of the patients' own history.
create function app.delete_account() returns text[]
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := private.caller();
  account record;
  pictures text[];
begin
  select p.role, p.avatar_path into account from public.profiles p where p.id = me for update;
  if not found then
    return null;
  end if;
  if account.role = 'admin' then
    raise exception using errcode = 'DK409',
      message = 'An administrator account cannot be deleted here. Please ask another administrator.';
  end if;
  if exists (select from public.appointments a where a.practitioner_id = me) then
    raise exception using errcode = 'DK409',
      message = 'Your practice has appointments that stay in your patients'' history, so it ' ||
                'cannot be deleted here. Please contact Dokal support to close it.';
  end if;
  pictures := array(
    select x.path
    from unnest(array[account.avatar_path] || array(
      select r.avatar_path from public.relatives r where r.user_id = me
    )) as x(path)
    where x.path is not null
  );
  delete from auth.users where id = me;
  return pictures;
end
$$;

revoke all on function app.delete_account() from public;
grant execute on function app.delete_account() to authenticated;
