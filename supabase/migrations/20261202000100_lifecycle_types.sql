-- Types the appointment lifecycle needs. New enum values cannot be used in the transaction
-- that adds them, so they come in a migration of their own, before the tables that use them.

-- The clients already understand these two beyond the contract (client-compat).
alter type public.notification_type add value if not exists 'appointment_created';
alter type public.notification_type add value if not exists 'appointment_completed';

-- Who booked: the patient from the app, or the practice from its CRM.
create type public.appointment_source as enum ('dokal_app', 'dokal_crm');
