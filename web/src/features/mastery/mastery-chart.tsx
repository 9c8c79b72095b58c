// Mastery by skill as horizontal bars, one small chart per concept, with the mastery threshold as
// a line. Bars are coloured by state: mastered, on the way, not started.
import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Stack, Text } from '@mantine/core';
import { percent, type SkillMastery } from '../../api/practice-types';

export interface ConceptGroup {
  conceptId: string | null;
  conceptName: string;
  skills: SkillMastery[];
}

/** Skills grouped by concept, in the order the server sorted them (concept, then curriculum). */
export function groupByConcept(skills: readonly SkillMastery[]): ConceptGroup[] {
  const groups = new Map<string, ConceptGroup>();
  for (const s of skills) {
    const key = s.conceptId ?? '';
    let group = groups.get(key);
    if (!group) {
      group = { conceptId: s.conceptId, conceptName: s.conceptName ?? 'Other skills', skills: [] };
      groups.set(key, group);
    }
    group.skills.push(s);
  }
  return [...groups.values()];
}

const BAR_HEIGHT = 30;

function shortName(name: string): string {
  return name.length > 28 ? `${name.slice(0, 27)}…` : name;
}

export function MasteryChart({
  skills,
  threshold,
}: {
  skills: readonly SkillMastery[];
  threshold: number;
}) {
  const groups = groupByConcept(skills);
  return (
    <Stack gap="md">
      {groups.map((g) => {
        const data = g.skills.map((s) => ({
          skill: shortName(s.name),
          mastery: Math.round(s.confidence * 1000) / 10,
        }));
        const mastered = g.skills.filter((s) => s.mastered).length;
        const summary = `${g.conceptName}: ${g.skills
          .map((s) => `${s.name} ${percent(s.confidence)}${s.mastered ? ' (mastered)' : ''}`)
          .join(', ')}.`;
        return (
          <Stack key={g.conceptId ?? 'other'} gap={4}>
            <Text size="sm" fw={600}>
              {g.conceptName}{' '}
              <Text span size="xs" c="dimmed" fw={400}>
                {mastered} of {g.skills.length} mastered · dashed line: mastered at{' '}
                {percent(threshold)}
              </Text>
            </Text>
            <div role="img" aria-label={summary}>
              <BarChart
                h={g.skills.length * BAR_HEIGHT + 40}
                data={data}
                dataKey="skill"
                orientation="vertical"
                series={[{ name: 'mastery', label: 'Mastery', color: 'teal.6' }]}
                getBarColor={(value) =>
                  value >= threshold * 100 ? 'teal.6' : value > 0 ? 'blue.5' : 'gray.4'
                }
                xAxisProps={{
                  domain: [0, 100],
                  ticks: [0, 25, 50, 75, 100],
                  tickFormatter: (v: number) => `${v}%`,
                }}
                yAxisProps={{ width: 150 }}
                valueFormatter={(v) => `${v}%`}
                maxBarWidth={18}
                gridAxis="x"
                tooltipAnimationDuration={150}
                referenceLines={[
                  {
                    x: threshold * 100,
                    color: 'teal.8',
                    strokeDasharray: '4 4',
                  },
                ]}
              />
            </div>
          </Stack>
        );
      })}
    </Stack>
  );
}
