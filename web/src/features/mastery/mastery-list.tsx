// Every skill of a learner with its mastery bar, mastered badge and review state, grouped by
// concept. The learner's own "My mastery" page and the instructor's view of one learner use it.
import { Anchor, Badge, Group, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router-dom';
import { percent, type SkillMastery } from '../../api/practice-types';
import { formatRelative } from '../../components/format';
import { groupByConcept } from './mastery-chart';

/** The page of one skill's evidence trail (a learner's, for staff). */
export function evidencePath(skillId: string, userId?: string): string {
  const base = `/mastery/${encodeURIComponent(skillId)}`;
  return userId ? `${base}?userId=${encodeURIComponent(userId)}` : base;
}

const isOverdue = (s: SkillMastery, now: number) =>
  s.reviewDueAt !== null && new Date(s.reviewDueAt).getTime() <= now;

/** Confidence as shown: P(L), lowered while a review is overdue (the tooltip says by how much). */
export function MasteryBar({ skill }: { skill: SkillMastery }) {
  const lowered = skill.confidence < skill.pKnown - 0.0005;
  const color = skill.mastered ? 'teal' : skill.attempts > 0 ? 'blue' : 'gray';
  const bar = (
    <Group gap="xs" wrap="nowrap" style={{ flex: 1, minWidth: 120 }}>
      <Progress.Root
        size="lg"
        style={{ flex: 1 }}
        aria-label={`${skill.name}: ${percent(skill.confidence)}`}
        role="meter"
      >
        <Progress.Section value={skill.confidence * 100} color={color} />
        {lowered ? (
          <Progress.Section
            value={(skill.pKnown - skill.confidence) * 100}
            color={color}
            style={{ opacity: 0.3 }}
          />
        ) : null}
      </Progress.Root>
      <Text size="sm" ff="monospace" w={44} ta="right">
        {percent(skill.confidence)}
      </Text>
    </Group>
  );
  if (!lowered) return bar;
  return (
    <Tooltip
      multiline
      w={280}
      withArrow
      label={`A review of this skill is overdue, so the confidence shown (${percent(skill.confidence)}) is below the estimate from your answers (${percent(skill.pKnown)}). Answering the review brings it back; your answer history is unchanged.`}
      events={{ hover: true, focus: true, touch: true }}
    >
      <div tabIndex={0} style={{ flex: 1, display: 'flex' }}>
        {bar}
      </div>
    </Tooltip>
  );
}

export function MasteryList({
  skills,
  userId,
}: {
  skills: readonly SkillMastery[];
  /** Set when staff look at a learner: links carry it. */
  userId?: string | undefined;
}) {
  const now = Date.now();
  return (
    <Stack gap="lg">
      {groupByConcept(skills).map((g) => (
        <Stack key={g.conceptId ?? 'other'} gap="xs">
          <Text fw={600} size="sm" tt="uppercase" c="dimmed">
            {g.conceptName}
          </Text>
          <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {g.skills.map((s) => (
              <li key={s.skillId}>
                <Group gap="sm" wrap="wrap" align="center">
                  <Stack gap={0} w={{ base: '100%', xs: 240 }}>
                    <Anchor
                      component={Link}
                      to={evidencePath(s.skillId, userId)}
                      size="sm"
                      fw={500}
                    >
                      {s.name}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {s.attempts === 0
                        ? s.source === 'placement'
                          ? 'From the placement test'
                          : 'Not practised yet'
                        : `${s.attempts} answer${s.attempts === 1 ? '' : 's'}, last ${formatRelative(s.updatedAt)}`}
                    </Text>
                  </Stack>
                  <MasteryBar skill={s} />
                  <Group gap={6} w={{ base: 'auto', xs: 170 }} wrap="nowrap">
                    {s.mastered ? (
                      <Badge color="teal" variant="filled">
                        Mastered
                      </Badge>
                    ) : null}
                    {isOverdue(s, now) ? (
                      <Badge color="orange" variant="light">
                        Review due
                      </Badge>
                    ) : null}
                  </Group>
                </Group>
              </li>
            ))}
          </Stack>
        </Stack>
      ))}
    </Stack>
  );
}
