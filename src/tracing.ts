import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Telemetry } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';

/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set: a trace per book, from the upload
 * request through every job (bullmq-otel carries the context from the flow's
 * producer to each job, and from the orchestrator to the chapters it adds),
 * exported over OTLP/HTTP. Without it, nothing is set up and tracing costs
 * nothing (the API's spans go to OpenTelemetry's no-op tracer).
 */
export function startTracing(
  endpoint: string | undefined,
  serviceName: string,
): { telemetry: Telemetry; shutdown(): Promise<void> } | undefined {
  if (!endpoint) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    // The exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* settings) itself.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return {
    telemetry: new BullMQOtel({ tracerName: 'bookflow' }) as unknown as Telemetry,
    shutdown: () => provider.shutdown(),
  };
}
