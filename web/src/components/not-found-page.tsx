import { Button, EmptyState } from '@mantine/core';
import { Link, useLocation } from 'react-router-dom';
import { CompassIcon } from './icons';

export function NotFoundPage() {
  const location = useLocation();
  return (
    <EmptyState mt="xl" variant="light" icon={<CompassIcon size={28} />}>
      <EmptyState.Title order={1}>Page not found</EmptyState.Title>
      <EmptyState.Description>{`There is no page at ${location.pathname}. It may have moved, or the link may be mistyped.`}</EmptyState.Description>
      <EmptyState.Actions>
        <Button component={Link} to="/dashboard">
          Go to the dashboard
        </Button>
      </EmptyState.Actions>
    </EmptyState>
  );
}
