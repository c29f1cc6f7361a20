import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { withTimeout } from '../time-limit.js';
import { routed } from '../tts/engine-set.js';
import type { TtsEngine } from '../tts/tts-engine.js';
import { VoiceList } from './schemas.js';

const Checks = Type.Record(Type.String(), Type.String());
const EngineState = Type.Object({
  state: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  since: Type.Optional(Type.String({ format: 'date-time' })),
});
/**
 * `degraded`: everything answers but the speech engine, so chapters wait (unfailed) and
 * books resume when it is back; the API still serves, so it stays in rotation (200).
 * Each dependency's state, the engine's reason included, is for admins; anyone else (a
 * probe) gets the verdict and the engine's state alone.
 */
const Readiness = Type.Object({
  status: Type.Union([
    Type.Literal('ready'),
    Type.Literal('degraded'),
    Type.Literal('unavailable'),
  ]),
  engine: EngineState,
  checks: Type.Optional(Checks),
});

/** What /ready reports on. */
export interface ReadinessSources {
  /** Each probe throws when its dependency is unreachable. */
  probes: Record<string, () => Promise<void>>;
  /** The speech engine's outage under way, if any (db/engine-outage-queries.ts). */
  engineOutage(): Promise<{ startedAt: Date; reason: string } | undefined>;
}

/** Liveness, readiness of what the API depends on, and the voices uploads may choose. */
export const serviceRoutes: FastifyPluginAsyncTypebox<{
  engine: Pick<TtsEngine, 'name' | 'voices' | 'defaultVoice' | 'route'>;
  readiness: ReadinessSources;
}> = async (app, { engine, readiness }) => {
  app.get(
    '/health',
    { schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    { schema: { response: { 200: Readiness, 503: Readiness } } },
    async (request, reply) => {
      const { status, engine, checks } = await readinessReport(readiness);
      return reply
        .code(status === 'unavailable' ? 503 : 200)
        .send({ status, engine, ...(request.principal.admin ? { checks } : {}) });
    },
  );

  app.get('/voices', { schema: { response: { 200: VoiceList } } }, async () => ({
    engine: engine.name,
    default: engine.defaultVoice,
    // Each voice with the engine that reads it (a set of engines names several).
    voices: engine.voices.map((v) => ({ ...v, engine: routed(engine, v.id).engine.name })),
  }));
};

/** The verdict, the engine's state, and each dependency's answer (the engine's with its reason). */
export async function readinessReport(sources: ReadinessSources) {
  const [{ ready, checks }, outage] = await Promise.all([
    readinessOf(sources.probes),
    // With the database down the outage cannot be read; the database check says why.
    withTimeout(sources.engineOutage(), 2000).catch(() => undefined),
  ]);
  const since = outage?.startedAt.toISOString();
  const engine = outage ? { state: 'down' as const, since } : { state: 'up' as const };
  const status = !ready ? 'unavailable' : outage ? 'degraded' : 'ready';
  checks.engine = outage ? `down since ${since}: ${outage.reason}` : 'ok';
  return { status: status as 'ready' | 'degraded' | 'unavailable', engine, checks };
}

/** Each probe's answer within 2 s: `ok`, or why not. */
async function readinessOf(readiness: Record<string, () => Promise<void>>) {
  const entries = await Promise.all(
    Object.entries(readiness).map(async ([name, probe]) => {
      try {
        await withTimeout(probe(), 2000);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, `unavailable: ${(err as Error).message}`] as const;
      }
    }),
  );
  const checks: Record<string, string> = Object.fromEntries(entries);
  return { ready: entries.every(([, v]) => v === 'ok'), checks };
}
