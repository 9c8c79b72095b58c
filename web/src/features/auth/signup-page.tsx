import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { errorMessage } from '../../api/api-error';
import { useAuthApi } from '../../api/actions/use-auth-api';
import { useMe } from '../../api/getters/use-me';
import { safeNextPath } from '../../app/safe-next';
import { PageLoader } from '../../components/page-loader';
import { AuthLayout } from './auth-layout';
import { applyServerErrors, isFieldLevelError } from '../../components/server-errors';
import { PasswordField } from '../../components/password-field';

const FIELDS = ['email', 'name', 'password'] as const;

export function SignupPage() {
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get('next'));
  const me = useMe();
  const { signup } = useAuthApi();

  // Password rules live on the server; the form only checks that something was typed, so the
  // server's reason (too short, too common, ...) is what the person reads.
  const form = useForm({
    mode: 'uncontrolled',
    initialValues: { email: '', name: '', password: '' },
    validate: {
      email: (value) => (value.trim() ? null : 'Enter your email address'),
      name: (value) => (value.trim() ? null : 'Enter your name'),
      password: (value) => (value ? null : 'Choose a password'),
    },
  });

  if (me.data && !signup.isPending && !signup.isSuccess) {
    return <Navigate to={next ?? '/dashboard'} replace />;
  }
  if (me.isPending) return <PageLoader label="Checking your session" />;

  const onSubmit = form.onSubmit((values) => {
    signup.mutate(
      { email: values.email.trim(), name: values.name.trim(), password: values.password },
      {
        onSuccess: () => void navigate(next ?? '/dashboard', { replace: true }),
        onError: (error) => {
          applyServerErrors(form, error, FIELDS);
        },
      },
    );
  });

  return (
    <AuthLayout title="Create your account" subtitle="Start learning with a path made for you.">
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="md">
          {signup.isError && !isFieldLevelError(signup.error, FIELDS) ? (
            <Alert color="red" variant="light" title="Could not create the account" role="alert">
              {errorMessage(signup.error)}
            </Alert>
          ) : null}
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            required
            autoFocus
            key={form.key('email')}
            {...form.getInputProps('email')}
          />
          <TextInput
            label="Name"
            autoComplete="name"
            required
            key={form.key('name')}
            {...form.getInputProps('name')}
          />
          <PasswordField
            label="Password"
            description="Use a long passphrase that you do not use anywhere else."
            autoComplete="new-password"
            required
            key={form.key('password')}
            {...form.getInputProps('password')}
          />
          <Button type="submit" fullWidth loading={signup.isPending}>
            Create account
          </Button>
          <Text size="sm" ta="center">
            Already have an account?{' '}
            <Anchor
              component={Link}
              to={next ? `/login?next=${encodeURIComponent(next)}` : '/login'}
            >
              Log in
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthLayout>
  );
}
