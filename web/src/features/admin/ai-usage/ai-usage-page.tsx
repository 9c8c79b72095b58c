// The admin "AI usage" page: what the LLM gateway's ledger says about calls, tokens, cost, errors
// and latency per day, model, feature and user; the providers in use (with a check); and the
// per-user daily token budgets.
import '@mantine/charts/styles.css';
import {
  Button,
  Card,
  EmptyState,
  Group,
  LoadingOverlay,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '../../../api/api-error';
import { useLlmBudgets, useLlmUsage } from '../../../api/getters/use-llm-usage';
import { useMe } from '../../../api/getters/use-me';
import type { LlmUsageTotals } from '../../../api/llm-types';
import { ErrorAlert } from '../../../components/error-alert';
import { ListIcon } from '../../../components/icons';
import { NotAllowed } from '../../../components/not-allowed';
import { PageHeader } from '../../../components/page-header';
import { PageLoader } from '../../../components/page-loader';
import { BudgetModal, type BudgetTarget } from './budget-modal';
import { BudgetsCard } from './budgets-card';
import {
  formatCompact,
  formatDay,
  formatLatency,
  formatPercent,
  formatTokens,
  formatUsd,
  utcDayOffset,
} from './format';
import { ProvidersCard } from './providers-card';
import { TopUsersTable } from './top-users-table';
import { Breakdown, DailyCharts } from './usage-charts';

const RANGES = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
];

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <Card withBorder padding="md">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} mt={4}>
        {value}
      </Text>
      {detail ? (
        <Text size="xs" c="dimmed" mt={2}>
          {detail}
        </Text>
      ) : null}
    </Card>
  );
}

function Totals({ totals }: { totals: LlmUsageTotals }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="md" aria-label="Totals for the period">
      <Stat label="Calls" value={formatTokens(totals.calls)} />
      <Stat
        label="Tokens"
        value={formatCompact(totals.totalTokens)}
        detail={`${formatTokens(totals.inputTokens)} in (${formatTokens(totals.cacheReadTokens)} cached) · ${formatTokens(totals.outputTokens)} out`}
      />
      <Stat
        label="Cost"
        value={formatUsd(totals.costUsd)}
        {...(totals.unpricedCalls > 0
          ? { detail: `${totals.unpricedCalls} calls of unpriced models not included` }
          : {})}
      />
      <Stat
        label="Errors"
        value={formatTokens(totals.errors)}
        detail={`${formatPercent(totals.errorRate)} of calls · ${totals.budgetRefusals} budget refusals`}
      />
      <Stat
        label="Latency p50"
        value={formatLatency(totals.p50LatencyMs)}
        detail={`p95 ${formatLatency(totals.p95LatencyMs)}`}
      />
    </SimpleGrid>
  );
}

export function AiUsagePage() {
  const [range, setRange] = useState('30');
  const [editing, setEditing] = useState<BudgetTarget | null>(null);
  const days = Number(range);
  const from = utcDayOffset(days - 1);
  const to = utcDayOffset(0);
  const byDay = useLlmUsage({ from, to, groupBy: 'day' });
  const byModel = useLlmUsage({ from, to, groupBy: 'model' });
  const byFeature = useLlmUsage({ from, to, groupBy: 'feature' });
  const byUser = useLlmUsage({ from, to, groupBy: 'user' });
  const budgets = useLlmBudgets();

  const me = useMe();

  if (me.data && me.data.role !== 'admin') return <NotAllowed />;
  if (isApiError(byDay.error) && byDay.error.status === 403) return <NotAllowed />;

  const failed = [byDay, byModel, byFeature, byUser].find((q) => q.isError);
  const loading = [byDay, byModel, byFeature, byUser].some((q) => q.isPending);
  const refreshing = [byDay, byModel, byFeature, byUser].some(
    (q) => q.isFetching && q.isPlaceholderData,
  );

  return (
    <Stack gap="lg">
      <PageHeader
        title="AI usage"
        description={`Every AI call recorded by the gateway: tokens, cost, errors and latency, ${formatDay(from)} – ${formatDay(to)} (UTC).`}
        actions={
          <>
            <SegmentedControl aria-label="Period" data={RANGES} value={range} onChange={setRange} />
            <Button component={Link} to="/admin/audit" variant="default">
              Audit log
            </Button>
          </>
        }
      />

      <ProvidersCard />

      {failed ? (
        <ErrorAlert
          error={failed.error}
          title="Usage could not be loaded"
          onRetry={() => void failed.refetch()}
        />
      ) : loading || !byDay.data || !byModel.data || !byFeature.data || !byUser.data ? (
        <PageLoader label="Loading usage" />
      ) : byDay.data.totals.calls === 0 ? (
        <Card withBorder>
          <EmptyState py="xl" icon={<ListIcon size={28} />}>
            <EmptyState.Title order={2}>No AI calls in this period</EmptyState.Title>
            <EmptyState.Description>
              Calls appear here as learners generate lessons, instructors tag questions and jobs
              build decks. “Check” above makes one right away.
            </EmptyState.Description>
          </EmptyState>
        </Card>
      ) : (
        <Stack gap="md" pos="relative">
          <LoadingOverlay visible={refreshing} zIndex={5} />
          <Totals totals={byDay.data.totals} />
          <DailyCharts days={byDay.data.groups} />
          <Breakdown title="By model" kind="model" groups={byModel.data.groups} />
          <Breakdown title="By feature" kind="feature" groups={byFeature.data.groups} />
          <TopUsersTable groups={byUser.data.groups} budgets={budgets.data} onEdit={setEditing} />
        </Stack>
      )}

      <BudgetsCard onEdit={setEditing} />

      <Group>
        <Text size="xs" c="dimmed">
          Costs use the price table in config/pricing.yaml on the day of each call. Latency
          percentiles leave out calls refused by a budget.
        </Text>
      </Group>

      <BudgetModal
        target={editing}
        defaultDailyTokens={budgets.data?.defaultDailyTokens ?? 0}
        onClose={() => setEditing(null)}
      />
    </Stack>
  );
}
