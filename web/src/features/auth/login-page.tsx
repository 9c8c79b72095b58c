import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { errorMessage, isApiError } from '../../api/api-error';
import { useAuthApi } from '../../api/actions/use-auth-api';
import { useMe } from '../../api/getters/use-me';
import { safeNextPath } from '../../app/safe-next';
import { PageLoader } from '../../components/page-loader';
import { AuthLayout } from './auth-layout';
import { applyServerErrors, isFieldLevelError } from '../../components/server-errors';
import { PasswordField } from '../../components/password-field';

const FIELDS = ['email', 'password'] as const;

function loginErrorTitle(error: unknown): string {
  if (!isApiError(error)) return 'Could not log in';
  if (error.status === 429) return 'Too many attempts';
  if (error.status === 401) return 'Wrong email or password';
  return 'Could not log in';
}

export function LoginPage() {
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get('next'));
  const me = useMe();
  const { login } = useAuthApi();

  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { email: '', password: '' },
    validate: {
      email: (value) => (value.trim() ? null : 'Enter your email address'),
      password: (value) => (value ? null : 'Enter your password'),
    },
  });

  // Already logged in (e.g. a second tab): carry on where they were heading.
  if (me.data && !login.isPending && !login.isSuccess) {
    return <Navigate to={next ?? '/dashboard'} replace />;
  }
  if (me.isPending) return <PageLoader label="Checking your session" />;

  const onSubmit = form.onSubmit((values) => {
    login.mutate(
      { email: values.email.trim(), password: values.password },
      {
        onSuccess: () => void navigate(next ?? '/dashboard', { replace: true }),
        onError: (error) => {
          applyServerErrors(form, error, FIELDS);
        },
      },
    );
  });

  return (
    <AuthLayout
      title="Log in"
      subtitle={
        next ? 'Log in to continue to the page you asked for.' : 'Welcome back. Log in to continue.'
      }
    >
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md">
          {login.isError && !isFieldLevelError(login.error, FIELDS) ? (
            <Alert color="red" variant="light" title={loginErrorTitle(login.error)} role="alert">
              {errorMessage(login.error)}
            </Alert>
          ) : null}
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            data-autofocus
            autoFocus
            key={form.key('email')}
            {...form.getInputProps('email')}
          />
          <PasswordField
            label="Password"
            autoComplete="current-password"
            required
            key={form.key('password')}
            {...form.getInputProps('password')}
          />
          <Button type="submit" fullWidth loading={login.isPending}>
            Log in
          </Button>
          <Text size="sm" ta="center">
            New to SkillBridge?{' '}
            <Anchor
              component={Link}
              to={next ? `/signup?next=${encodeURIComponent(next)}` : '/signup'}
            >
              Create an account
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthLayout>
  );
}
