import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO } from '../support/fixtures.js';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  stop_grace_period?: string;
}

/** docker-compose.yml as users run it (there is no Docker engine here: its rules are read). */
describe('the compose deployment', () => {
  const load = async () =>
    parse(await fs.readFile(path.join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, Service>;
    };

  it('pins every image to a version', async () => {
    for (const [name, s] of Object.entries((await load()).services)) {
      if (s.image) expect(s.image, name).toMatch(/:(?!latest$)[\w.-]+$/);
      else expect(s.build, name).toBe('.');
    }
  });

  it('runs the API and two kinds of worker apart; workers hold no API token', async () => {
    const { services } = await load();
    expect(services.api?.command).toEqual(['npm', 'run', 'api']);
    expect(services['worker-light']?.environment?.WORKER_QUEUES).toBe('parse,merge,finalize');
    expect(services['worker-tts']?.environment?.WORKER_QUEUES).toBe('tts');
    for (const name of ['worker-light', 'worker-tts']) {
      expect(services[name]?.command, name).toEqual(['npm', 'run', 'worker']);
      expect(services[name]?.environment?.API_TOKENS, name).toBeUndefined();
      expect(services[name]?.environment?.WORKER_PORT, name).toBe('9100');
    }
  });

  it('gives every app service longer to stop than SHUTDOWN_TIMEOUT', async () => {
    for (const name of ['api', 'worker-light', 'worker-tts']) {
      const s = (await load()).services[name] as Service;
      const grace = Number(/^(\d+)s$/.exec(s.stop_grace_period ?? '')?.[1]);
      expect(grace, name).toBeGreaterThan(Number(s.environment?.SHUTDOWN_TIMEOUT));
    }
  });
});
