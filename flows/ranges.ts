/**
 * A reading's pace, 1 being the engine's own: the one range uploads, previews and the CLI
 * take. On its own (no schema library, no BullMQ), so the CLI starts without loading them.
 */
export const SPEED_RANGE = { minimum: 0.5, maximum: 2 } as const;
