import { type Static, Type } from '@sinclair/typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Stamp = Type.Union([Type.Number(), Type.Null()]);

/**
 * One job of a book's tree, as GET /books/:id/jobs shows it and the job history keeps it
 * (db/schema.ts): the shape of the flow `book-flow.ts` builds, as read back (src/jobs/).
 */
export const JobNodeSchema = Type.Recursive(
  (Self) =>
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      queue: Type.String(),
      state: Type.String(),
      attemptsMade: Type.Integer(),
      attempts: Type.Integer(),
      progress: Type.Unknown(),
      failedReason: Nullable(Type.String()),
      timestamps: Type.Object({ created: Stamp, processed: Stamp, finished: Stamp }),
      children: Type.Array(Self),
    }),
  { $id: 'JobNode' },
);
export type JobNode = Static<typeof JobNodeSchema>;
