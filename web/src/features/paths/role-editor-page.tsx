import {
  Alert,
  Button,
  Card,
  Group,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { isApiError } from '../../api/api-error';
import { useRolesApi } from '../../api/actions/use-paths-api';
import { useMe } from '../../api/getters/use-me';
import { useRole } from '../../api/getters/use-paths';
import type { RoleDetail, RoleInput, ResourceType } from '../../api/paths-types';
import { ErrorAlert } from '../../components/error-alert';
import { NotAllowed } from '../../components/not-allowed';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';

const TYPES: ResourceType[] = ['article', 'video', 'course', 'book', 'exercise'];

function skillsText(role: RoleDetail | undefined): string {
  return (role?.skills ?? []).map((s) => `${s.externalId} ${s.target}`).join('\n');
}
function resourcesText(role: RoleDetail | undefined): string {
  return (role?.resources ?? [])
    .map((r) => [r.type, r.title, r.url, r.skills.map((s) => s.externalId).join(', ')].join(' | '))
    .join('\n');
}

/** Lines of the two text areas into the API's role body; a malformed line is named. */
function parse(
  fields: { slug: string; title: string; summary: string; allow: boolean; prereqs: boolean },
  skills: string,
  resources: string,
): { body: RoleInput } | { problem: string } {
  const skillRows: RoleInput['skills'] = [];
  for (const [i, line] of skills.split('\n').entries()) {
    const parts = line.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) continue;
    const [skill, target] = parts;
    if (parts.length > 2 || (target !== undefined && Number.isNaN(Number(target)))) {
      return { problem: `Skills line ${i + 1}: write "skill-id" or "skill-id 0.9".` };
    }
    skillRows.push({ skill: skill!, ...(target === undefined ? {} : { target: Number(target) }) });
  }
  const resourceRows: RoleInput['resources'] = [];
  for (const [i, line] of resources.split('\n').entries()) {
    if (line.trim() === '') continue;
    const parts = line.split('|').map((p) => p.trim());
    const [type, title, url, list] = parts;
    if (parts.length !== 4 || !TYPES.includes(type as ResourceType)) {
      return {
        problem: `Resources line ${i + 1}: write "type | title | url | skill-a, skill-b" with a type among ${TYPES.join(', ')}.`,
      };
    }
    resourceRows.push({
      type: type as ResourceType,
      title: title!,
      url: url!,
      skills: list!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    });
  }
  return {
    body: {
      slug: fields.slug.trim(),
      title: fields.title,
      summary: fields.summary,
      allowMarkComplete: fields.allow,
      includePrerequisites: fields.prereqs,
      skills: skillRows,
      resources: resourceRows,
    },
  };
}

/** `body.skills.3.skill` → "Skills line 4", as the learner-facing text areas count lines. */
function fieldLabel(path: string): string {
  const skill = /^body\.skills\.(\d+)/.exec(path);
  if (skill) return `Skills line ${Number(skill[1]) + 1}`;
  const resource = /^body\.resources\.(\d+)/.exec(path);
  if (resource) return `Golden resources line ${Number(resource[1]) + 1}`;
  return path.replace(/^body\./, '');
}

/** Create or edit a role of the catalogue (instructors and administrators). */
export function RoleEditorPage() {
  const { ref } = useParams();
  const me = useMe();
  const existing = useRole(ref);
  const { saveRole, deleteRole } = useRolesApi();
  const navigate = useNavigate();
  const [fields, setFields] = useState({
    slug: '',
    title: '',
    summary: '',
    allow: true,
    prereqs: true,
  });
  const [skills, setSkills] = useState('');
  const [resources, setResources] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const role = existing.data?.role;
  useEffect(() => {
    if (!role) return;
    setFields({
      slug: role.slug,
      title: role.title,
      summary: role.summary,
      allow: role.allowMarkComplete,
      prereqs: role.includePrerequisites,
    });
    setSkills(skillsText(role));
    setResources(resourcesText(role));
  }, [role]);
  if (me.data && me.data.role === 'learner') return <NotAllowed />;
  if (ref !== undefined && existing.isPending) return <PageLoader />;
  if (existing.error) return <ErrorAlert error={existing.error} />;

  const submit = () => {
    const parsed = parse(fields, skills, resources);
    if ('problem' in parsed) {
      setProblem(parsed.problem);
      return;
    }
    setProblem(null);
    saveRole.mutate(
      { ref: role?.id ?? null, body: parsed.body },
      {
        onSuccess: ({ role: saved }) => {
          notifications.show({ message: `Saved the role “${saved.title}”.`, color: 'green' });
          void navigate(`/roles/${saved.slug}`);
        },
      },
    );
  };
  const fieldErrors = isApiError(saveRole.error) ? saveRole.error.errors : [];
  return (
    <Stack gap="lg" maw={900}>
      <PageHeader
        title={role ? `Edit ${role.title}` : 'New role'}
        description="Skills are ids of the knowledge graph. Paths already made keep the role as it was when they were made."
      />
      <Card withBorder padding="lg">
        <Stack gap="md">
          <TextInput
            label="Id (slug)"
            description="Lower-case letters, digits and dashes, e.g. data-analyst"
            value={fields.slug}
            onChange={(e) => setFields({ ...fields, slug: e.currentTarget.value })}
            required
          />
          <TextInput
            label="Title"
            value={fields.title}
            onChange={(e) => setFields({ ...fields, title: e.currentTarget.value })}
            required
          />
          <Textarea
            label="Summary"
            autosize
            minRows={2}
            value={fields.summary}
            onChange={(e) => setFields({ ...fields, summary: e.currentTarget.value })}
            required
          />
          <Switch
            label="Learners may mark a module complete by hand"
            checked={fields.allow}
            onChange={(e) => setFields({ ...fields, allow: e.currentTarget.checked })}
          />
          <Switch
            label="Include the unmastered prerequisites of these skills in paths"
            checked={fields.prereqs}
            onChange={(e) => setFields({ ...fields, prereqs: e.currentTarget.checked })}
          />
          <Textarea
            label="Skills"
            description='One per line: "skill-id" or "skill-id 0.9" (the target mastery, default the mastery threshold)'
            autosize
            minRows={4}
            styles={{ input: { fontFamily: 'monospace' } }}
            value={skills}
            onChange={(e) => setSkills(e.currentTarget.value)}
          />
          <Textarea
            label="Golden resources"
            description={`One per line: "type | title | url | skill-a, skill-b" (type: ${TYPES.join(', ')})`}
            autosize
            minRows={3}
            styles={{ input: { fontFamily: 'monospace' } }}
            value={resources}
            onChange={(e) => setResources(e.currentTarget.value)}
          />
          {problem ? (
            <Alert color="red" role="alert">
              {problem}
            </Alert>
          ) : null}
          {saveRole.error ? (
            <Stack gap={4}>
              <ErrorAlert error={saveRole.error} title="The role was not saved" />
              {fieldErrors.map((f) => (
                <Text key={`${f.path}-${f.message}`} size="sm" c="red">
                  {fieldLabel(f.path)}: {f.message}
                </Text>
              ))}
            </Stack>
          ) : null}
          <Group justify="space-between">
            <Button onClick={submit} loading={saveRole.isPending}>
              Save role
            </Button>
            {role ? (
              <Button
                color="red"
                variant="subtle"
                loading={deleteRole.isPending}
                onClick={() => {
                  if (
                    !window.confirm(`Delete the role “${role.title}”? Paths already made are kept.`)
                  )
                    return;
                  deleteRole.mutate(role.id, { onSuccess: () => void navigate('/roles') });
                }}
              >
                Delete role
              </Button>
            ) : null}
          </Group>
        </Stack>
      </Card>
    </Stack>
  );
}
