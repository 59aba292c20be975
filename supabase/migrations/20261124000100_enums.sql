-- The reference types of contract section 16, plus the closed lists the clients send.
create type public.user_role as enum ('patient', 'practitioner', 'admin');
create type public.sex_type as enum ('male', 'female', 'other');
create type public.relation_type as enum ('child', 'parent', 'spouse', 'sibling', 'other');
create type public.appointment_status as enum (
  'pending', 'confirmed', 'cancelled_by_patient', 'cancelled_by_practitioner', 'completed', 'no_show'
);
create type public.message_type as enum ('text', 'image', 'file', 'system');
create type public.notification_type as enum (
  'appointment_request', 'appointment_confirmed', 'appointment_cancelled',
  'appointment_reminder', 'new_message', 'review_received'
);
create type public.sector as enum ('Clalit', 'Maccabi', 'Meuhedet', 'Leumit');
-- The patient app sends kupat holim in lowercase (client-compat); stored normalised.
create type public.kupat_holim as enum ('clalit', 'maccabi', 'meuhedet', 'leumit', 'other');
create type public.app_locale as enum ('fr', 'he', 'en', 'ru', 'am', 'es');
