import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { TtsEngine } from '../tts/tts-engine.js';
import { VoiceList } from './schemas.js';

const Checks = Type.Record(Type.String(), Type.String());
/** Each dependency's state is for admins; anyone else (a probe) gets the verdict alone. */
const Readiness = Type.Object({ status: Type.String(), checks: Type.Optional(Checks) });

/** Liveness, readiness of what the API depends on, and the voices uploads may choose. */
export const serviceRoutes: FastifyPluginAsyncTypebox<{
  engine: Pick<TtsEngine, 'name' | 'voices' | 'defaultVoice'>;
  /** Each probe throws when its dependency is unreachable. */
  readiness: Record<string, () => Promise<void>>;
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
      const { ready, checks } = await readinessOf(readiness);
      const status = ready ? 'ready' : 'unavailable';
      return reply
        .code(ready ? 200 : 503)
        .send({ status, ...(request.principal.admin ? { checks } : {}) });
    },
  );

  app.get('/voices', { schema: { response: { 200: VoiceList } } }, async () => ({
    engine: engine.name,
    default: engine.defaultVoice,
    voices: engine.voices,
  }));
};

/** Each probe's answer within 2 s: `ok`, or why not. */
export async function readinessOf(readiness: Record<string, () => Promise<void>>) {
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
  return { ready: entries.every(([, v]) => v === 'ok'), checks: Object.fromEntries(entries) };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
