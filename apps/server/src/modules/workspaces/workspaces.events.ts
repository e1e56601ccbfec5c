/** Domain events the workspaces module writes to the outbox, with their payloads. */
export const WORKSPACE_EVENTS = {
  /** {} the lifecycle rules changed: stored stages are to be computed again by them. */
  lifecycleChanged: 'workspace.lifecycle_changed',
} as const;
