import { Alert, Anchor, Center, Code, Stack, Text } from '@mantine/core';
import { isRouteErrorResponse, useRouteError } from 'react-router-dom';

/** Last resort when a page throws while rendering. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unknown error';
  return (
    <Center mih="100vh" p="md">
      <Alert color="red" title="This page could not be shown" maw={560} w="100%">
        <Stack gap="xs">
          <Text size="sm">
            Something went wrong while showing this page. Reloading usually helps.
          </Text>
          <Code block>{message}</Code>
          <Anchor href="/dashboard">Go to the dashboard</Anchor>
        </Stack>
      </Alert>
    </Center>
  );
}
