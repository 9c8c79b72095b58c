// Puts the server's field-level problems onto the form inputs they belong to, so a person reads
// the reason next to the field (and a screen reader with it); the alert above the form is kept
// for problems that belong to no field.
import type { UseFormReturnType } from '@mantine/form';
import { isApiError } from '../api/api-error';

export function serverFieldErrors<F extends string>(
  error: unknown,
  fields: readonly F[],
): Partial<Record<F, string>> {
  if (!isApiError(error)) return {};
  const all = error.fieldErrors();
  const known: Partial<Record<F, string>> = {};
  for (const field of fields) {
    const message = all[field];
    if (message) known[field] = message;
  }
  return known;
}

/** True when the error is fully explained by messages on the form's own fields. */
export function isFieldLevelError(error: unknown, fields: readonly string[]): boolean {
  return Object.keys(serverFieldErrors(error, fields)).length > 0;
}

/** Shows the server's field errors on the form and moves focus to the first one. */
export function applyServerErrors<V extends Record<string, unknown>, F extends keyof V & string>(
  form: UseFormReturnType<V>,
  error: unknown,
  fields: readonly F[],
): void {
  const errors = serverFieldErrors(error, fields);
  form.setErrors(errors);
  const first = fields.find((field) => errors[field]);
  if (first) form.getInputNode(first)?.focus();
}
