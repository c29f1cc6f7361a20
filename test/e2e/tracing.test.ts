import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIds } from '../../flows/index.js';
import { createDeployment, type Deployment } from '../support/deployment.js';
import { fixture } from '../support/fixtures.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';

/** With OTEL_EXPORTER_OTLP_ENDPOINT set, one trace follows a book from its upload to READY. */
describe('a trace per book', () => {
  let d: Deployment;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    d = await createDeployment({
      env: () => ({
        TTS_ENGINE: 'silence',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: '200',
      }),
    });
    await d.start('api');
    await d.start('worker');
  });
  afterAll(async () => {
    await d?.stop();
    await receiver?.close();
  });

  it('spans the upload, parse, every chapter, merge and finalize', async () => {
    const { body } = await d.api.upload(fixture('idpf-wasteland.epub'));
    const book = await d.api.waitFor(body.id, ['READY', 'FAILED']);
    expect(book.status).toBe('READY');
    const spoken = book.chapters.filter((c) => c.status === 'DONE').map((c) => c.n);
    const expected = [
      jobIds.parse(body.id),
      ...spoken.map((n) => jobIds.chapter(body.id, n)),
      jobIds.merge(body.id),
      jobIds.finalize(body.id),
    ];
    // Spans are exported in batches: wait for the last job's.
    const processed = (traceId: string) =>
      new Set(
        receiver.spans
          .filter(
            (s) => s.traceId === traceId && s.attributes['bullmq.queue.operation'] === 'process',
          )
          .map((s) => s.attributes['bullmq.job.id']),
      );
    const upload = () =>
      receiver.spans.find((s) => s.name === 'POST /books' && s.attributes['book.id'] === body.id);
    for (
      let i = 0;
      i < 100 && !(upload() && expected.every((id) => processed(upload()?.traceId ?? '').has(id)));
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    const root = upload();
    expect(root, 'the upload span').toBeDefined();
    expect([...processed(root?.traceId ?? '')].sort()).toEqual(expected.sort());
  }, 120_000);
});
