-- Corrective for 20261202000400: the reason of a cancellation is written by whoever cancels, in
-- the step that cancels, and by nobody afterwards. (Signed-in users hold the column grant for that
-- step, so without this either side could rewrite the other's reason through the Data API.)
create or replace function private.appointment_actor_rules() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  actor uuid := (select auth.uid());
begin
  if actor is null or (select private.is_admin()) then
    return new;
  end if;
  if new.cancellation_reason is distinct from old.cancellation_reason
     and not (new.status is distinct from old.status
              and new.status in ('cancelled_by_patient', 'cancelled_by_practitioner')) then
    raise exception using errcode = '42501',
      message = 'The reason of a cancellation is given when cancelling.';
  end if;
  if actor = old.practitioner_id then
    if new.status is distinct from old.status and new.status = 'cancelled_by_patient' then
      raise exception using errcode = '42501', message = 'Only the patient can do this.';
    end if;
  elsif new.status is distinct from old.status and new.status <> 'cancelled_by_patient'
     or new.practitioner_notes is distinct from old.practitioner_notes then
    raise exception using errcode = '42501', message = 'Only the practitioner can do this.';
  end if;
  return new;
end
$$;
