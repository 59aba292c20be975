import type { Tx } from '../../shared/db/client.ts';
import { isoTimestamp } from '../../shared/db/timestamps.ts';
import type { JsonText } from '../../shared/http/json-text.ts';
import type { NewReview, Review } from './schemas.ts';

/**
 * The review, written as the caller: RLS admits only their own, and the database's rules
 * (migration 20261202005100) refuse anything but their completed or missed appointment with
 * that practitioner, reviewed once. The insert's triggers tell the practitioner and move the
 * rating figures in the same statement. One statement, handed back unsent.
 */
export function insertReview(tx: Tx, userId: string, input: NewReview) {
  return tx<[{ review: JsonText<Review> }]>`
    with r as (
      insert into public.reviews (appointment_id, practitioner_id, patient_id, rating, comment)
      values (${input.appointment_id}, ${input.practitioner_id}, ${userId}, ${input.rating},
              ${input.comment ?? null})
      returning *
    )
    select json_build_object(
      'id', r.id, 'appointment_id', r.appointment_id, 'practitioner_id', r.practitioner_id,
      'patient_id', r.patient_id, 'rating', r.rating, 'comment', r.comment,
      'practitioner_reply', r.practitioner_reply,
      'created_at', ${isoTimestamp(tx, tx`r.created_at`)},
      'profiles', json_build_object('first_name', p.first_name, 'last_name', p.last_name)
    )::text as review
    from r left join public.profiles p on p.id = r.patient_id`;
}
