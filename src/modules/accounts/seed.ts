// Demo accounts for a first run on a laptop, and the first administrator of a real installation.
import { randomBytes } from 'node:crypto';
import type { AccountsService } from './accounts-service.ts';
import type { Role } from '../../infra/db/schema.ts';

export const DEMO_ACCOUNTS: ReadonlyArray<{ email: string; name: string; role: Role }> = [
  { email: 'learner@example.com', name: 'Maya Learner', role: 'learner' },
  { email: 'instructor@example.com', name: 'Priya Instructor', role: 'instructor' },
  { email: 'admin@example.com', name: 'Alex Admin', role: 'admin' },
];

export function generateDemoPassword(): string {
  return `demo-${randomBytes(9).toString('base64url')}`;
}

export interface SeedResult {
  created: string[];
  existing: string[];
  password: string;
}

/** Create the demo accounts that do not exist yet. Idempotent. */
export async function seedDemoAccounts(
  accounts: AccountsService,
  password: string,
): Promise<SeedResult> {
  const result: SeedResult = { created: [], existing: [], password };
  for (const account of DEMO_ACCOUNTS) {
    if (await accounts.findUserByEmail(account.email)) {
      result.existing.push(account.email);
      continue;
    }
    await accounts.createUser(null, { ...account, password }, { ip: null, userAgent: 'seed' });
    result.created.push(account.email);
  }
  return result;
}
