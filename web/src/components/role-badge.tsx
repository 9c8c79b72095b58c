import { Badge } from '@mantine/core';
import { ROLE_LABELS, type Role } from '../api/types';

const ROLE_COLORS: Record<Role, string> = {
  learner: 'teal',
  instructor: 'grape',
  admin: 'orange',
};

export function RoleBadge({ role }: { role: Role }) {
  return (
    <Badge miw="max-content" color={ROLE_COLORS[role] ?? 'gray'} variant="light" radius="sm">
      {ROLE_LABELS[role] ?? role}
    </Badge>
  );
}
