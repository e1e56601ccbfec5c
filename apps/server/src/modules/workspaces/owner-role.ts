import { AppError } from '../../platform/errors.ts';
import type { Role } from './authenticate.ts';

/**
 * Only an owner makes someone an owner or changes an owner's role: an admin (or an API key, which
 * acts as one) who could would take the workspace from its owner, making themselves owner and
 * then demoting them. `from` is null for someone new.
 */
export function checkOwnerChange(callerRole: Role, from: Role | null, to: Role): void {
  if (to === from || (to !== 'owner' && from !== 'owner')) return;
  if (callerRole !== 'owner') throw new AppError('forbidden', "only an owner may make someone an owner or change an owner's role", 'role');
}
