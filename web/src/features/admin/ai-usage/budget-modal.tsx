import { Alert, Button, Group, Modal, NumberInput, Select, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { errorMessage } from '../../../api/api-error';
import { useLlmApi } from '../../../api/actions/use-llm-api';
import { useUsers } from '../../../api/getters/use-users';
import { applyServerErrors, isFieldLevelError } from '../../../components/server-errors';
import { formatTokens } from './format';

/** Whose budget is edited: a known user, or one to pick in the modal. */
export type BudgetTarget =
  { kind: 'user'; userId: string; email: string; dailyTokens: number | null } | { kind: 'pick' };

const FIELDS = ['dailyTokens'] as const;

function UserPicker({
  value,
  onChange,
  error,
}: {
  value: string | null;
  onChange: (id: string | null, email: string | null) => void;
  error?: string | undefined;
}) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const users = useUsers({ q: debounced || undefined, limit: 20, offset: 0 });
  const options = (users.data?.users ?? []).map((u) => ({
    value: u.id,
    label: `${u.name} <${u.email}>`,
    email: u.email,
  }));
  return (
    <Select
      label="User"
      placeholder="Search by name or email"
      searchable
      required
      data-autofocus
      data={options}
      value={value}
      searchValue={search}
      onSearchChange={setSearch}
      onChange={(id) => onChange(id, options.find((o) => o.value === id)?.email ?? null)}
      nothingFoundMessage={users.isFetching ? 'Searching…' : 'No user matches'}
      filter={({ options: all }) => all}
      error={error}
    />
  );
}

function BudgetForm({
  target,
  defaultDailyTokens,
  onDone,
}: {
  target: BudgetTarget;
  defaultDailyTokens: number;
  onDone: () => void;
}) {
  const { setBudget } = useLlmApi();
  const [picked, setPicked] = useState<{ id: string | null; email: string | null }>({
    id: null,
    email: null,
  });
  const [pickError, setPickError] = useState<string | undefined>();
  const form = useForm<{ dailyTokens: number | string }>({
    mode: 'controlled',
    initialValues: {
      dailyTokens: target.kind === 'user' && target.dailyTokens !== null ? target.dailyTokens : '',
    },
    validate: {
      dailyTokens: (value) =>
        value === '' || !Number.isInteger(Number(value)) || Number(value) < 0
          ? 'Enter a whole number of tokens (0 = unlimited)'
          : null,
    },
  });

  const userId = target.kind === 'user' ? target.userId : picked.id;
  const email = target.kind === 'user' ? target.email : picked.email;

  const onSubmit = form.onSubmit(({ dailyTokens }) => {
    if (!userId) {
      setPickError('Choose a user');
      return;
    }
    const tokens = Number(dailyTokens);
    setBudget.mutate(
      { userId, dailyTokens: tokens },
      {
        onSuccess: () => {
          notifications.show({
            color: 'teal',
            title: 'Budget saved',
            message:
              tokens === 0
                ? `${email ?? 'The user'} has no daily token limit.`
                : `${email ?? 'The user'} may use ${formatTokens(tokens)} tokens a day.`,
          });
          onDone();
        },
        onError: (error) => applyServerErrors(form, error, FIELDS),
      },
    );
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack gap="md">
        {target.kind === 'user' ? (
          <Text size="sm">
            Input and output tokens <strong>{target.email}</strong> may spend on AI providers per
            UTC day. The offline generator is free and never counted.
          </Text>
        ) : (
          <UserPicker
            value={picked.id}
            onChange={(id, mail) => {
              setPicked({ id, email: mail });
              setPickError(undefined);
            }}
            error={pickError}
          />
        )}
        {setBudget.isError && !isFieldLevelError(setBudget.error, FIELDS) ? (
          <Alert color="red" variant="light" title="Budget not saved" role="alert">
            {errorMessage(setBudget.error)}
          </Alert>
        ) : null}
        <NumberInput
          label="Tokens per day"
          description={`0 means unlimited. The default for everyone is ${
            defaultDailyTokens === 0 ? 'unlimited' : formatTokens(defaultDailyTokens)
          }.`}
          min={0}
          step={1000}
          allowDecimal={false}
          allowNegative={false}
          thousandSeparator=","
          required
          {...(target.kind === 'user' ? { 'data-autofocus': true } : {})}
          {...form.getInputProps('dailyTokens')}
        />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={setBudget.isPending}>
            Save budget
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function BudgetModal({
  target,
  defaultDailyTokens,
  onClose,
}: {
  target: BudgetTarget | null;
  defaultDailyTokens: number;
  onClose: () => void;
}) {
  // Each opening gets a fresh form, started from the target's current budget.
  const [opened, setOpened] = useState<{ target: BudgetTarget; key: number } | null>(null);
  if (target !== null && opened?.target !== target) {
    setOpened({ target, key: (opened?.key ?? 0) + 1 });
  }
  return (
    <Modal
      opened={target !== null}
      onClose={onClose}
      title="Daily token budget"
      centered
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {opened ? (
        <BudgetForm
          key={opened.key}
          target={opened.target}
          defaultDailyTokens={defaultDailyTokens}
          onDone={onClose}
        />
      ) : null}
    </Modal>
  );
}
