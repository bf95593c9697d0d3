import { pino, type DestinationStream } from 'pino';
import { redactPhi } from './domain/phi-guard.ts';

/** The logging the app needs; pino in production, anything with these methods in tests. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const CENSOR = '[redacted]';

/**
 * Fields whose value never reaches the logs, whatever it looks like (fast-redact paths, so they are
 * censored before the line is written): tokens, secrets and authorization headers, including on
 * the request config that HTTP client errors carry.
 */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'appToken',
  '*.appToken',
  'botToken',
  '*.botToken',
  'signingSecret',
  '*.signingSecret',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'authorization',
  'Authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.*.headers.authorization',
  '*.*.headers.Authorization',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'PAGERDUTY_TOKEN',
  'PAGERDUTY_WEBHOOK_SECRET',
  'BACKSTAGE_TOKEN',
  'DATABASE_URL',
  'AUDIT_SIGNING_KEY',
  '*.AUDIT_SIGNING_KEY',
  '*.SLACK_BOT_TOKEN',
  '*.SLACK_APP_TOKEN',
  '*.SLACK_SIGNING_SECRET',
  '*.PAGERDUTY_TOKEN',
  '*.PAGERDUTY_WEBHOOK_SECRET',
  '*.BACKSTAGE_TOKEN',
  '*.DATABASE_URL',
];

/**
 * Credentials that can turn up inside any string (an error message quoting a request, a URL):
 * Slack tokens (`xoxb-`, `xoxp-`, `xapp-`, refresh `xoxe-`…), `Bearer …` and PagerDuty's
 * `Token token=…` authorization values, and the password of a `scheme://user:password@host` URL.
 */
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/\bx(?:ox[a-z]|app)(?:\.xox[a-z])?-[A-Za-z0-9-]+/g, '[redacted token]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${CENSOR}`],
  [/\bToken\s+token=[^\s,;"']+/gi, `Token token=${CENSOR}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${CENSOR}@`],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, `[redacted private key]`],
];

/** A string as it may be logged: credentials and then PHI (NHS numbers, emails, UK phones, postcodes, dates of birth) replaced. */
export function redactLogText(text: string): string {
  let out = text;
  for (const [re, replacement] of CREDENTIAL_PATTERNS) out = out.replace(re, replacement);
  return redactPhi(out).text;
}

/** pino's own numeric fields, which are never PHI. */
const PINO_NUMBERS = new Set(['level', 'time', 'pid']);

function redactValue(value: unknown, key: string | null): unknown {
  if (typeof value === 'string') return redactLogText(value);
  if (typeof value === 'number') {
    if (key !== null && PINO_NUMBERS.has(key)) return value;
    const text = String(value);
    const redacted = redactLogText(text);
    return redacted === text ? value : redacted;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, null));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k);
    return out;
  }
  return value;
}

/**
 * The one place every log line passes: the JSON pino is about to write (message, bindings,
 * serialized errors with their stacks and causes, every nested field) with each string value
 * redacted. Working on the parsed line, not on its text, keeps JSON escapes out of the detectors'
 * way and the line valid JSON.
 */
export function redactLogLine(line: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return `${redactLogText(line.replace(/\n$/, ''))}\n`;
  }
  return `${JSON.stringify(redactValue(parsed, null))}\n`;
}

/** pino at `level` (to stdout, or `destination` in tests) with tokens, secrets and PHI redacted from every line. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    // Tokens and signing secrets never reach the logs, by field name...
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    // ...nor inside any string, and neither do patient identifiers.
    hooks: { streamWrite: redactLogLine },
  };
  return destination ? pino(options, destination) : pino(options);
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Bolt's and the WebClient's logger interface (@slack/logger), structurally. */
export interface SlackLibraryLogger {
  debug(...msg: unknown[]): void;
  info(...msg: unknown[]): void;
  warn(...msg: unknown[]): void;
  error(...msg: unknown[]): void;
  setLevel(level: string): void;
  getLevel(): string;
  setName(name: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

/**
 * Bolt and its WebClient log through this, into our logger, so their lines are redacted like ours
 * (Bolt's console logger would write them as they are). Bolt sets the level it wants with setLevel.
 */
export function slackLibraryLogger(logger: Logger, level: Level = 'warn'): SlackLibraryLogger {
  let current: Level = level;
  let name = 'bolt';
  const at =
    (l: Level) =>
    (...parts: unknown[]) => {
      if (LEVELS.indexOf(l) < LEVELS.indexOf(current)) return;
      const err = parts.find((p) => p instanceof Error);
      const msg = parts
        .filter((p) => p !== err)
        .map((p) => (typeof p === 'string' ? p : safeJson(p)))
        .join(' ');
      logger[l](err ? { source: name, err } : { source: name }, msg || (err as Error | undefined)?.message);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel(l: string) {
      if ((LEVELS as readonly string[]).includes(l)) current = l as Level;
    },
    getLevel: () => current,
    setName(n: string) {
      name = n;
    },
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
