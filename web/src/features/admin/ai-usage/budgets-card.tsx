import {
  Button,
  Card,
  Group,
  Progress,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { errorMessage } from '../../../api/api-error';
import { useLlmApi } from '../../../api/actions/use-llm-api';
import { useLlmBudgets } from '../../../api/getters/use-llm-usage';
import type { LlmUserBudget } from '../../../api/llm-types';
import { ErrorAlert } from '../../../components/error-alert';
import { formatDateTime } from '../../../components/format';
import { PlusIcon } from '../../../components/icons';
import { PageLoader } from '../../../components/page-loader';
import type { BudgetTarget } from './budget-modal';
import { formatTokens } from './format';

export function budgetText(dailyTokens: number): string {
  return dailyTokens === 0 ? 'Unlimited' : `${formatTokens(dailyTokens)} / day`;
}

function UsedToday({ budget }: { budget: LlmUserBudget }) {
  if (budget.dailyTokens === 0) {
    return <Text size="sm">{formatTokens(budget.usedToday)} used</Text>;
  }
  const ratio = budget.usedToday / budget.dailyTokens;
  return (
    <Stack gap={4}>
      <Text size="sm">
        {formatTokens(budget.usedToday)} of {formatTokens(budget.dailyTokens)}
        {ratio >= 1 ? (
          <Text span c="red" fw={600} size="sm">
            {' '}
            · spent
          </Text>
        ) : null}
      </Text>
      <Progress
        value={Math.min(100, ratio * 100)}
        color={ratio >= 1 ? 'red' : ratio >= 0.8 ? 'yellow' : 'teal'}
        size="sm"
        aria-label={`${budget.email}: ${Math.round(ratio * 100)}% of today's budget used`}
      />
    </Stack>
  );
}

/** The default daily token budget and the per-user exceptions, with edit and remove. */
export function BudgetsCard({ onEdit }: { onEdit: (target: BudgetTarget) => void }) {
  const budgets = useLlmBudgets();
  const { removeBudget } = useLlmApi();

  const remove = (budget: LlmUserBudget) => {
    removeBudget.mutate(
      { userId: budget.userId },
      {
        onSuccess: () =>
          notifications.show({
            color: 'teal',
            title: 'Budget removed',
            message: `${budget.email} is back on the default budget.`,
          }),
        onError: (error) =>
          notifications.show({
            color: 'red',
            title: 'Budget not removed',
            message: errorMessage(error),
          }),
      },
    );
  };

  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <div>
            <Title order={2} size="h4">
              Daily token budgets
            </Title>
            <Text size="sm" c="dimmed">
              {budgets.data
                ? budgets.data.defaultDailyTokens === 0
                  ? 'By default nobody has a limit (LLM_DAILY_TOKEN_BUDGET_PER_USER is 0).'
                  : `By default each user may spend ${formatTokens(budgets.data.defaultDailyTokens)} tokens a day (LLM_DAILY_TOKEN_BUDGET_PER_USER).`
                : 'Input and output tokens per user per UTC day.'}{' '}
              A spent budget refuses further AI calls until midnight UTC.
            </Text>
          </div>
          <Button
            leftSection={<PlusIcon size={16} />}
            variant="light"
            onClick={() => onEdit({ kind: 'pick' })}
          >
            Set a budget
          </Button>
        </Group>
        {budgets.isPending ? (
          <PageLoader label="Loading budgets" />
        ) : budgets.isError ? (
          <ErrorAlert
            error={budgets.error}
            title="Budgets could not be loaded"
            onRetry={() => void budgets.refetch()}
          />
        ) : budgets.data.overrides.length === 0 ? (
          <Text size="sm" c="dimmed">
            No user has a budget of their own.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="xs" aria-label="Per-user token budgets">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Budget</Table.Th>
                  <Table.Th w={220}>Today</Table.Th>
                  <Table.Th>Changed</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {budgets.data.overrides.map((b) => (
                  <Table.Tr key={b.userId}>
                    <Table.Td>
                      <Text size="sm">{b.email || b.userId}</Text>
                      {b.name ? (
                        <Text size="xs" c="dimmed">
                          {b.name}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{budgetText(b.dailyTokens)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <UsedToday budget={b} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" c="dimmed">
                        {formatDateTime(b.updatedAt)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap" justify="flex-end">
                        <Button
                          size="xs"
                          variant="default"
                          aria-label={`Edit the budget of ${b.email}`}
                          onClick={() =>
                            onEdit({
                              kind: 'user',
                              userId: b.userId,
                              email: b.email,
                              dailyTokens: b.dailyTokens,
                            })
                          }
                        >
                          Edit
                        </Button>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={`Remove the budget of ${b.email}`}
                          loading={
                            removeBudget.isPending && removeBudget.variables?.userId === b.userId
                          }
                          onClick={() => remove(b)}
                        >
                          Use default
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
