import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { QUEUE_KEYS } from '../../flows/index.js';
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
    expect(services['worker-light']?.environment?.WORKER_QUEUES).toBe(
      'parse,merge,finalize,deliver,voices',
    );
    expect(services['worker-tts']?.environment?.WORKER_QUEUES).toBe('tts,preview');
    // Every queue has a kind of worker that takes it.
    const taken = ['worker-light', 'worker-tts'].flatMap(
      (name) => services[name]?.environment?.WORKER_QUEUES?.split(',') ?? [],
    );
    expect(taken.sort()).toEqual([...QUEUE_KEYS].sort());
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

interface Container {
  ports: { containerPort: number }[];
  env?: { name: string }[];
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
  resources: { limits: { memory?: string; cpu?: string } };
}

/** The parts of a manifest these rules read. */
interface Manifest {
  data: Record<string, string>;
  spec: {
    template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } };
    scaleTargetRef: { name: string };
    metrics: { external: { metric: unknown } }[];
  };
}

/** deploy/k8s/ (schema validity is checked in .ci/run by kubernetes-validate; these are our rules). */
describe('the Kubernetes manifests', () => {
  const docs = async (file: string) =>
    parseAllDocuments(await fs.readFile(path.join(REPO, 'deploy/k8s', file), 'utf8')).map(
      (d) => d.toJSON() as Manifest,
    );

  it('give every pod longer to stop than SHUTDOWN_TIMEOUT, and probe workers on their own port', async () => {
    const [config] = await docs('config.yaml');
    const shutdown = Number(config?.data.SHUTDOWN_TIMEOUT);
    for (const file of ['api.yaml', 'worker-light.yaml', 'worker-tts.yaml']) {
      const [deployment] = await docs(file);
      const pod = deployment?.spec.template.spec;
      expect(pod?.terminationGracePeriodSeconds, file).toBeGreaterThan(shutdown);
      const container = pod?.containers[0] as Container;
      expect(container.readinessProbe.httpGet.path, file).toBe('/ready');
      expect(container.livenessProbe.httpGet.path, file).toBe('/health');
      expect(container.resources.limits.memory, file).toBeDefined();
      if (file.startsWith('worker')) {
        expect(container.ports[0]?.containerPort).toBe(Number(config?.data.WORKER_PORT));
        expect(container.env?.find((e) => e.name === 'API_TOKENS')).toBeUndefined();
      }
    }
  });

  it("scales speech workers on the speech queue's depth", async () => {
    const [hpa] = await docs('worker-tts-autoscaling.yaml');
    expect(hpa?.spec.scaleTargetRef.name).toBe('bookflow-worker-tts');
    expect(hpa?.spec.metrics[0]?.external.metric).toEqual({
      name: 'bookflow_jobs',
      selector: { matchLabels: { queue: 'tts', state: 'queued' } },
    });
  });

  it('gives KEDA the rule CAPACITY.md derives: a speech worker per TTS_CONCURRENCY chapters', async () => {
    const [keda] = (await docs('worker-tts-keda.yaml')) as unknown as {
      spec: {
        scaleTargetRef: { name: string };
        triggers: { type: string; metadata: { query: string; threshold: string } }[];
      };
    }[];
    const [speech] = await docs('worker-tts.yaml');
    const cores = Number(speech?.spec.template.spec.containers[0]?.resources.limits.cpu);
    expect(keda?.spec.scaleTargetRef.name).toBe('bookflow-worker-tts');
    const [trigger] = keda?.spec.triggers ?? [];
    expect(trigger?.type).toBe('prometheus');
    // A slot per core (Piper, Kokoro): one chapter in flight per core of a worker.
    expect(Number(trigger?.metadata.threshold)).toBe(cores);
    // Evaluated by Prometheus' own engine (promtool) on series as scraped from the API and a
    // worker (each exports the same counts): 7 queued and 4 being read are 11, not 22.
    const series = (state: string, instance: string, value: number) =>
      `      - { series: 'bookflow_jobs{queue="tts",state="${state}",instance="${instance}"}', values: '${value}' }`;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bookflow-keda-'));
    try {
      const file = path.join(dir, 'test.yaml');
      await fs.writeFile(
        file,
        [
          'tests:',
          '  - interval: 1m',
          '    input_series:',
          ...['api', 'worker-1'].flatMap((i) => [
            series('queued', i, 7),
            series('active', i, 4),
            series('completed', i, 900),
          ]),
          '    promql_expr_test:',
          `      - expr: '${trigger?.metadata.query}'`,
          '        eval_time: 0m',
          "        exp_samples: [{ labels: '{}', value: 11 }]",
        ].join('\n'),
      );
      const check = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
