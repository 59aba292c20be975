-- Notification types of rescheduling and earlier-slot alerts. New enum values cannot be used in
-- the transaction that adds them, so they come in a migration of their own, before the templates
-- and triggers that use them (20261202009100 and after).

-- To the practitioner: a patient moved their appointment to another slot.
alter type public.notification_type add value if not exists 'appointment_rescheduled';
-- To a patient with an alert: an earlier slot of their practitioner has just been freed.
alter type public.notification_type add value if not exists 'earlier_slot_available';
