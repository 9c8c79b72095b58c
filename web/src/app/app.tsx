import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router-dom';
import { setUnauthorizedHandler } from '../api/client';
import { queryKeys } from '../api/query-keys';
import { queryClient } from './query-client';
import { router } from './router';
import { loginPathFor } from './safe-next';
import { cssVariablesResolver, theme } from './theme';

// Any 401 outside the login call means the session is gone: forget the user and go to the
// login page, which brings them back here afterwards.
setUnauthorizedHandler(() => {
  const { pathname, search } = window.location;
  if (pathname === '/login' || pathname === '/signup') return;
  queryClient.setQueryData(queryKeys.me, null);
  void router.navigate(loginPathFor(`${pathname}${search}`), { replace: true });
});

export function App() {
  return (
    <MantineProvider
      theme={theme}
      defaultColorScheme="light"
      cssVariablesResolver={cssVariablesResolver}
    >
      <Notifications position="bottom-right" limit={3} />
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
