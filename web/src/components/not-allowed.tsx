import { Button, EmptyState } from '@mantine/core';
import { Link } from 'react-router-dom';
import { LockIcon } from './icons';

/** What a user sees on a page their role may not open. */
export function NotAllowed({ detail }: { detail?: string }) {
  return (
    <EmptyState mt="xl" variant="light" color="red" icon={<LockIcon size={28} />}>
      <EmptyState.Title order={1}>You are not allowed to see this page</EmptyState.Title>
      <EmptyState.Description>
        {detail ??
          'This page is only for administrators. If you think you should have access, ask an administrator to change your role.'}
      </EmptyState.Description>
      <EmptyState.Actions>
        <Button component={Link} to="/dashboard" variant="light">
          Back to your dashboard
        </Button>
      </EmptyState.Actions>
    </EmptyState>
  );
}
