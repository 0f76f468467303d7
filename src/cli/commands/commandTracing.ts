/**
 * OpenTelemetry export for the command line: when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, the official SDK sends the library's spans over
 * OTLP, `http/protobuf` unless `OTEL_EXPORTER_OTLP_PROTOCOL` (or `…_TRACES_PROTOCOL`) says
 * `http/json`. The SDK is loaded only then. Spans are flushed when the command ends, and on a
 * SIGTERM the command does not handle itself, within a bounded time: a collector that does not
 * answer never keeps the process alive.
 */
import { packageVersion } from './packageRoot.js';

/** How long the last spans may take to leave when the command ends. */
export const TRACE_FLUSH_MS = 5_000;
/** The exit code of a process ended by SIGTERM (128 + 15), as the shell reports it. */
const EXIT_SIGTERM = 143;

export const TRACE_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type TraceProtocol = (typeof TRACE_PROTOCOLS)[number];

type Env = Readonly<Record<string, string | undefined>>;

const oneLine = (text: string): string => text.split('\n')[0] ?? '';

/**
 * Whether the standard variables ask for traces, and in which protocol; null when they do not.
 *
 * @example
 * traceExportOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }); // { protocol: 'http/protobuf' }
 */
export function traceExportOf(env: Env): { protocol: string } | null {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return null;
  const endpoint = (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? '').trim() || (env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').trim();
  if (endpoint === '') return null;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? '').trim() || (env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim() || 'http/protobuf';
  return { protocol };
}

export interface CliTracing {
  /** Sends what is left and stops; resolves within `TRACE_FLUSH_MS` whatever the collector does. */
  shutdown(): Promise<void>;
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref())]);

async function exporterFor(protocol: TraceProtocol) {
  // Each reads the endpoint, headers and timeout from the OTEL_EXPORTER_OTLP_* variables itself.
  if (protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
}

/**
 * Starts the export if the environment asks for it; null otherwise. A protocol this command
 * cannot send, or an SDK that will not load, is said on stderr and the command runs untraced.
 *
 * @example
 * const tracing = await startTracing('onboard', process.env);
 * try { return await command.run(args); } finally { await tracing?.shutdown(); }
 */
export async function startTracing(command: string, env: Env = process.env, err: (text: string) => void = (t) => process.stderr.write(t)): Promise<CliTracing | null> {
  const wanted = traceExportOf(env);
  if (!wanted) return null;
  if (!(TRACE_PROTOCOLS as readonly string[]).includes(wanted.protocol)) {
    err(`mx-lifecycle ${command}: OTEL_EXPORTER_OTLP_PROTOCOL=${oneLine(wanted.protocol)} is not supported (${TRACE_PROTOCOLS.join(' or ')}); traces are not sent\n`);
    return null;
  }
  let provider: { shutdown(): Promise<void> };
  try {
    const [api, sdk, resources, semconv] = await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ]);
    const exporter = await exporterFor(wanted.protocol as TraceProtocol);
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the defaults. No process detector:
    // the command line may hold an API key (--api-key).
    const resource = resources
      .defaultResource()
      .merge(resources.resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: 'mx-lifecycle', [semconv.ATTR_SERVICE_VERSION]: packageVersion() ?? 'unknown' }))
      .merge(resources.detectResources({ detectors: [resources.envDetector] }));
    const tracerProvider = new sdk.BasicTracerProvider({ resource, spanProcessors: [new sdk.BatchSpanProcessor(exporter)] });
    api.trace.setGlobalTracerProvider(tracerProvider);
    provider = tracerProvider;
  } catch (error) {
    err(`mx-lifecycle ${command}: traces are not sent: the OpenTelemetry SDK did not load (${oneLine(error instanceof Error ? error.message : String(error))})\n`);
    return null;
  }

  let stopped: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    process.off('SIGTERM', onTerm);
    stopped ??= within(provider.shutdown().catch(() => undefined), TRACE_FLUSH_MS).then(() => undefined);
    return stopped;
  };
  // Listening for SIGTERM takes Node's own exit on it away: a command that does not stop on it
  // itself (a run does, and its end flushes) is ended here, once its spans are sent.
  function onTerm(): void {
    if (process.listenerCount('SIGTERM') > 1) return;
    void shutdown().finally(() => process.exit(EXIT_SIGTERM));
  }
  process.on('SIGTERM', onTerm);
  return { shutdown };
}
