import type { Tx } from '../../../shared/db/client.ts';
import { isoTimestamp } from '../../../shared/db/timestamps.ts';
import type { ReceivedReview } from './schemas.ts';

/** The view opens the authors' names and pictures to the practitioner reviewed, nothing more. */
export function listReceivedReviews(tx: Tx, practitionerId: string): Promise<ReceivedReview[]> {
  return tx<ReceivedReview[]>`
    select id, appointment_id, patient_id, rating, comment, practitioner_reply,
           ${isoTimestamp(tx, tx`created_at`)} as created_at,
           profiles
    from public.received_reviews
    where practitioner_id = ${practitionerId}
    order by received_reviews.created_at desc, id`;
}
