// Domain errors of the deployments module: a closed set of codes (contract/deployments.ts) with a
// message for people and the field concerned. api/ maps them to HTTP; nothing here knows statuses.
import type { DeploymentErrorCode } from '../../contract/index.js';

export class DeploymentError extends Error {
  constructor(
    readonly code: DeploymentErrorCode,
    message: string,
    readonly field: string | null = null,
    /** Seconds after which a retry may succeed (loading, restarting). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'DeploymentError';
  }
}
