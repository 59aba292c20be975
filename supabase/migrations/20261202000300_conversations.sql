-- One conversation per patient and practitioner, opened by their first appointment. The API of
-- conversations and messages comes with messaging; these are the tables it builds on.
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  patient_id uuid not null references public.profiles (id) on delete cascade,
  practitioner_id uuid not null references public.practitioners (id) on delete cascade,
  -- The appointment the conversation is about: the latest one booked between the two.
  appointment_id uuid references public.appointments (id) on delete set null,
  last_message_at timestamptz,
  created_at timestamptz not null default now(),
  constraint conversations_one_per_pair unique (patient_id, practitioner_id),
  check (patient_id <> practitioner_id)
);

create index conversations_practitioner_idx on public.conversations (practitioner_id, last_message_at desc);

create table public.messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  sender_id uuid not null references public.profiles (id) on delete cascade,
  content text not null check (char_length(content) between 1 and 5000),
  message_type public.message_type not null default 'text',
  is_read boolean not null default false,
  read_at timestamptz,
  created_at timestamptz not null default now(),
  check ((read_at is not null) = is_read)
);

-- Paging goes backwards from a (created_at, id) position.
create index messages_conversation_idx on public.messages (conversation_id, created_at desc, id desc);

alter table public.conversations enable row level security;
alter table public.messages enable row level security;

create policy conversations_parties on public.conversations for select to authenticated
  using (patient_id = (select auth.uid()) or practitioner_id = (select auth.uid()));

create policy messages_parties on public.messages for select to authenticated
  using (exists (
    select from public.conversations c
    where c.id = conversation_id
      and (c.patient_id = (select auth.uid()) or c.practitioner_id = (select auth.uid()))
  ));

revoke all on public.conversations, public.messages from anon, authenticated;
grant select on public.conversations, public.messages to authenticated;
