// Factories for rows tests need, built through the services so every invariant holds.
import type { Deps } from '../../src/container.ts';
import type { Role } from '../../src/infra/db/schema.ts';

let counter = 0;
export const DEFAULT_PASSWORD = 'correct-horse-battery-staple';

export async function createUser(
  deps: Deps,
  overrides: { email?: string; name?: string; role?: Role; password?: string } = {},
) {
  counter += 1;
  const password = overrides.password ?? DEFAULT_PASSWORD;
  const user = await deps.accounts.createUser(
    null,
    {
      email:
        overrides.email ?? `user${counter}-${Math.random().toString(36).slice(2, 7)}@example.com`,
      name: overrides.name ?? `Test User ${counter}`,
      role: overrides.role ?? 'learner',
      password,
    },
    { ip: null, userAgent: 'test' },
  );
  return { ...user, password };
}
