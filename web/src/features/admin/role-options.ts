import { ROLES, ROLE_LABELS } from '../../api/types';

export const ROLE_OPTIONS = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }));
