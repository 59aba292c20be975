import { ApiError, conflict, validationFailed } from './errors.ts';

/**
 * The contract's answer to the violation of a named constraint, where the database is the judge
 * (an overlap, a reference) and a person needs more than the generic answer by SQLSTATE
 * (`handle-error.ts`): what went wrong and which field to fix. Names, never values, are read.
 */
const BY_CONSTRAINT: Record<string, ApiError> = {
  weekly_ranges_do_not_overlap: conflict('This time range overlaps another range of the same day.'),
  appointments_no_overlap: conflict(
    'Someone else has just booked this time. Please choose another slot.',
  ),
  appointments_person_no_overlap: conflict(
    'There is already an appointment for this person at this time.',
  ),
  appointments_relative_of_patient: validationFailed(
    { relative_id: ['Please choose one of your relatives.'] },
    'Please choose one of your relatives.',
  ),
  reviews_appointment_id_key: conflict('You have already reviewed this appointment.'),
  practitioners_specialty_id_fkey: validationFailed(
    { specialty_id: ['No specialty has this identifier.'] },
    'Please choose a specialty from the list.',
  ),
};

export function constraintError(e: { constraint_name?: string }): ApiError | undefined {
  return e.constraint_name ? BY_CONSTRAINT[e.constraint_name] : undefined;
}
