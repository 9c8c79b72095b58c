import { PasswordInput, type PasswordInputProps } from '@mantine/core';
import { useId } from '@mantine/hooks';

/**
 * Mantine's PasswordInput does not mark its input invalid or link it to its description and
 * error text, so screen readers would miss the server's reason. This adds both.
 */
export function PasswordField(props: PasswordInputProps) {
  const id = useId(props.id);
  const descriptionId = `${id}-description`;
  const errorId = `${id}-error`;
  const hasError = Boolean(props.error) && props.error !== true;
  const describedBy =
    [props.description ? descriptionId : null, hasError ? errorId : null]
      .filter(Boolean)
      .join(' ') || undefined;
  return (
    <PasswordInput
      {...props}
      id={id}
      descriptionProps={{ ...props.descriptionProps, id: descriptionId }}
      errorProps={{ ...props.errorProps, id: errorId }}
      aria-invalid={props.error ? true : undefined}
      aria-describedby={describedBy}
    />
  );
}
