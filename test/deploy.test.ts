// deploy/: the Compose file is checked against the Compose specification's JSON schema (as shipped
// by the composeverter package), the Kubernetes manifests against the Kubernetes API's OpenAPI
// schemas (the kubernetes-models package: its validators, and its types for unknown fields, which
// the schemas allow but `kubectl apply` refuses), and both for what a deploy of this bot needs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ConfigError, configSchema, loadConfig } from '../src/config.ts';
import { childEnv } from './support/node-args.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEPLOY = path.join(ROOT, 'deploy');
const K8S = path.join(DEPLOY, 'kubernetes');
const read = (file: string) => fs.readFileSync(file, 'utf8');
const CONFIG_KEYS = new Set(Object.keys(configSchema.shape));
const MINIMAL = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 'x'.repeat(16),
  INCIDENT_BROADCAST_CHANNEL: 'C0123',
};
const DRAIN_SECONDS = loadConfig(MINIMAL).SHUTDOWN_TIMEOUT_SECONDS;

// Parsed YAML, navigated freely: the assertions check each shape they read.
type Json = Record<string, any>;

function yamlDocs(file: string): Json[] {
  return parseAllDocuments(read(file), { merge: true }).map((d) => {
    assert.deepEqual(d.errors, [], `${path.relative(ROOT, file)} parses`);
    return d.toJS() as Json;
  });
}

/** Compose durations (`30s`, `1m30s`) in seconds. */
function seconds(duration: string): number {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  assert.ok(m && (m[1] || m[2]), `a duration: ${duration}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Compose

const { getDockerComposeSchemaWithoutFormats } = createRequire(import.meta.url)('composeverter') as {
  getDockerComposeSchemaWithoutFormats(): object;
};
/**
 * composeverter replaces each `format` of the specification (duration, ports, expose…) with a
 * `pattern` of its own regular expression, written with RegExp#toString(): `/^…$/`, slashes
 * included, which as a JSON Schema pattern matches nothing. The slashes are taken off.
 */
function patternsAsSources(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) patternsAsSources(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (typeof o.pattern === 'string') {
    const literal = /^\/(.*)\/([a-z]*)$/s.exec(o.pattern);
    if (literal) {
      assert.equal(literal[2], '', `no flags on ${o.pattern}`);
      o.pattern = literal[1];
    }
  }
  for (const [key, value] of Object.entries(o)) if (key !== 'pattern') patternsAsSources(value);
}
const composeSchema = structuredClone(getDockerComposeSchemaWithoutFormats());
patternsAsSources(composeSchema);
const validateCompose = new Ajv({ allErrors: true, strict: false }).compile(composeSchema);
const composeText = read(path.join(DEPLOY, 'compose.yaml'));
const [compose] = yamlDocs(path.join(DEPLOY, 'compose.yaml')) as [Json];
const initScript = read(path.join(DEPLOY, 'postgres-init', '10-incident-roles.sh'));
const initDefault = (name: string) => new RegExp(`\\$\\{${name}:-(\\w+)\\}`).exec(initScript)?.[1];

/** A value with each `${VAR…}` that Compose fills in from deploy/.env replaced by letters and digits. */
const interpolated = (value: string) => value.replace(/\$\{[A-Z_]+(:\?[^}]*)?\}/g, 'hex0123');

/** KEY=value lines of an env file (comments and blank lines skipped; commented-out KEY= lines listed apart). */
function envFile(file: string): { set: string[]; commented: string[] } {
  const lines = read(file).split('\n');
  return {
    set: lines.filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l)).map((l) => l.split('=')[0]!),
    commented: lines.filter((l) => /^#\s*[A-Z_][A-Z0-9_]*=/.test(l)).map((l) => l.replace(/^#\s*/, '').split('=')[0]!),
  };
}

describe('deploy/compose.yaml', () => {
  test('is valid against the Compose specification schema, which rejects what Compose would', () => {
    assert.ok(validateCompose(compose), JSON.stringify(validateCompose.errors, null, 2));
    // The check is live: mistakes Compose refuses are refused here too.
    const broken: [string, (c: Json) => void][] = [
      ['a misspelt condition', (c) => (c.services.bot.depends_on.db.condition = 'healthy')],
      ['an unknown service key', (c) => (c.services.bot.stop_timeout = '30s')],
      ['a healthcheck typo', (c) => (c.services.db.healthcheck.retry = 3)],
      ['a service without a name pattern', (c) => (c.services['bad name'] = { image: 'x' })],
    ];
    for (const [what, breakIt] of broken) {
      const copy = structuredClone(compose);
      breakIt(copy);
      assert.equal(validateCompose(copy), false, `${what} is refused`);
    }
  });

  test('PostgreSQL 17 with a health check, its data on a named volume', () => {
    const db = compose.services.db as Json;
    assert.match(db.image, /^postgres:17(-|$)/);
    assert.ok(db.healthcheck.test.includes('pg_isready'), 'pg_isready');
    // Over TCP: the image's first-start server (init scripts running) listens on its socket only.
    assert.ok(
      db.healthcheck.test.some((a: string) => /^--host=127\.0\.0\.1$/.test(a)),
      'checked over TCP',
    );
    assert.ok(db.healthcheck.test.includes(`--dbname=${initDefault('INCIDENT_DB')}`), "on the bot's database");
    const data = (db.volumes as string[]).find((v) => v.endsWith(':/var/lib/postgresql/data'));
    assert.ok(data, 'the data directory is a volume');
    const volume = data.split(':')[0]!;
    assert.ok(!volume.includes('/') && !volume.startsWith('.'), `${volume} is a named volume, not a host path`);
    assert.ok(volume in compose.volumes, `${volume} is declared under volumes:`);
    assert.ok(
      db.volumes.includes('./postgres-init:/docker-entrypoint-initdb.d:ro'),
      'the roles are made on the first start',
    );
    assert.equal(db.ports, undefined, 'the database is not published on the host');
  });

  test('the bot: one replica, after a healthy database and the migrations, with a health check on /healthz', () => {
    const bot = compose.services.bot as Json;
    assert.deepEqual(bot.depends_on.db, { condition: 'service_healthy' });
    assert.deepEqual(bot.depends_on.migrate, { condition: 'service_completed_successfully' });
    assert.ok(bot.healthcheck.test.join(' ').includes('/healthz'));
    assert.ok(!bot.deploy?.replicas || bot.deploy.replicas === 1, 'one replica');
    assert.ok(
      seconds(bot.stop_grace_period) > DRAIN_SECONDS,
      `stop_grace_period ${bot.stop_grace_period} > ${DRAIN_SECONDS} s drain`,
    );
    assert.equal(bot.stop_signal ?? 'SIGTERM', 'SIGTERM');
    assert.equal(bot.entrypoint, undefined, 'tini stays PID 1');
    assert.equal(bot.command, undefined, "the image's `node src/main.ts`");
    assert.equal(bot.read_only, true);
    assert.ok(bot.cap_drop.includes('ALL'));
    // It migrates on start by default (MIGRATE_ON_START unset); the owner's URL is not its to hold.
    assert.ok(!('MIGRATE_ON_START' in bot.environment));
    assert.ok(!('MIGRATION_DATABASE_URL' in bot.environment), "the running bot never holds the owner's password");
    for (const key of Object.keys(bot.environment)) assert.ok(CONFIG_KEYS.has(key), `${key} is a setting`);
  });

  test("the migrations: `npm run db:migrate` as the owner, granting the bot's role, with the bot's image", () => {
    const migrate = compose.services.migrate as Json;
    const bot = compose.services.bot as Json;
    assert.deepEqual(migrate.command, ['node', 'scripts/migrate.ts']);
    assert.ok(fs.existsSync(path.join(ROOT, 'scripts', 'migrate.ts')));
    assert.equal(migrate.entrypoint, undefined, 'tini stays PID 1');
    assert.deepEqual(migrate.depends_on.db, { condition: 'service_healthy' });
    assert.equal(migrate.restart, 'no', 'a one-shot');
    assert.equal(migrate.image, bot.image);
    assert.deepEqual(migrate.build, bot.build);
    assert.equal(bot.build.dockerfile, 'Dockerfile');
    assert.ok(
      fs.existsSync(path.join(DEPLOY, bot.build.context, bot.build.dockerfile)),
      'the build context holds the Dockerfile',
    );
    // The URLs name the roles and database that postgres-init/ creates.
    const owner = new URL(interpolated(migrate.environment.MIGRATION_DATABASE_URL));
    const botUrl = new URL(interpolated(migrate.environment.DATABASE_URL));
    assert.equal(owner.username, initDefault('INCIDENT_OWNER'));
    assert.equal(botUrl.username, initDefault('INCIDENT_BOT'));
    for (const u of [owner, botUrl]) assert.equal(u.pathname, `/${initDefault('INCIDENT_DB')}`);
    assert.equal(
      bot.environment.DATABASE_URL,
      migrate.environment.DATABASE_URL,
      'the bot runs as the role the migrations granted',
    );
  });

  test('secrets come from deploy/.env and deploy/bot.env, never committed; the examples list what is needed', () => {
    // Every password in compose.yaml is interpolated from deploy/.env, and required.
    const passwords = [
      ...[...composeText.matchAll(/^\s*[A-Z_]*PASSWORD[A-Z_]*:\s*(.*)$/gm)].map((m) => m[1]!),
      ...[...composeText.matchAll(/postgres(?:ql)?:\/\/\w+:(.*?)@db\b/g)].map((m) => m[1]!),
    ];
    assert.equal(passwords.length, 6, 'the passwords given to the database, the migrations and the bot');
    for (const p of passwords) assert.match(p, /^\$\{[A-Z_]+:\?[^}]*\}$/, `${p}: required, from deploy/.env`);
    const interpolated = new Set([...composeText.matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!));
    assert.deepEqual(
      new Set(envFile(path.join(DEPLOY, '.env.example')).set),
      interpolated,
      '.env.example lists exactly what compose.yaml reads',
    );
    // The init script reads the passwords the db service passes it.
    for (const v of ['OWNER_DB_PASSWORD', 'BOT_DB_PASSWORD']) {
      assert.ok(initScript.includes(v));
      assert.ok(v in compose.services.db.environment, `db passes ${v}`);
    }
    assert.deepEqual(compose.services.bot.env_file, ['bot.env']);
    const botEnv = envFile(path.join(DEPLOY, 'bot.env.example'));
    for (const key of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'INCIDENT_BROADCAST_CHANNEL'])
      assert.ok(botEnv.set.includes(key), `bot.env.example has ${key}`);
    for (const key of [...botEnv.set, ...botEnv.commented])
      assert.ok(CONFIG_KEYS.has(key), `bot.env.example: ${key} is a setting`);
    assert.ok(!botEnv.set.includes('DATABASE_URL'), 'compose.yaml sets DATABASE_URL');
    const gitignore = read(path.join(ROOT, '.gitignore')).split('\n');
    for (const f of ['deploy/.env', 'deploy/bot.env']) assert.ok(gitignore.includes(f), `${f} is ignored by git`);
  });

  const server = process.env.TEST_DATABASE_URL;
  test('postgres-init makes the roles and database that the migrations and the bot then use', {
    skip: server ? false : 'set TEST_DATABASE_URL to a PostgreSQL server',
    timeout: 180_000,
  }, async () => {
    const { default: pg } = await import('pg');
    const suffix = randomBytes(4).toString('hex');
    const names = {
      INCIDENT_OWNER: `ib_init_owner_${suffix}`,
      INCIDENT_BOT: `ib_init_bot_${suffix}`,
      INCIDENT_DB: `ib_init_db_${suffix}`,
    };
    const base = new URL(server!);
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    const run = (cmd: string, args: string[], env: Record<string, string>) =>
      new Promise<{ code: number; out: string }>((resolve) =>
        execFile(cmd, args, { cwd: ROOT, env: { ...childEnv(), ...env }, timeout: 120_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr }),
        ),
      );
    try {
      // As the postgres image runs it: its superuser, the passwords from the environment.
      const init = await run('sh', [path.join(DEPLOY, 'postgres-init', '10-incident-roles.sh')], {
        ...names,
        POSTGRES_USER: decodeURIComponent(base.username) || 'postgres',
        PGHOST: base.hostname,
        PGPORT: base.port || '5432',
        OWNER_DB_PASSWORD: randomBytes(12).toString('hex'),
        BOT_DB_PASSWORD: randomBytes(12).toString('hex'),
      });
      assert.equal(init.code, 0, init.out);
      const { rows } = await admin.query(
        `SELECT r.rolname, r.rolsuper, r.rolcreaterole, pg_has_role(r.rolname, $1, 'MEMBER') AS member_of_owner
           FROM pg_roles r WHERE r.rolname IN ($1, $2) ORDER BY r.rolname`,
        [names.INCIDENT_OWNER, names.INCIDENT_BOT],
      );
      assert.deepEqual(rows, [
        { rolname: names.INCIDENT_BOT, rolsuper: false, rolcreaterole: false, member_of_owner: false },
        { rolname: names.INCIDENT_OWNER, rolsuper: false, rolcreaterole: false, member_of_owner: true },
      ]);
      const url = (user: string) => {
        const u = new URL(server!);
        u.username = user;
        u.password = '';
        u.pathname = `/${names.INCIDENT_DB}`;
        return u.toString();
      };
      // What the migrate service then runs.
      const migrate = await run(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/migrate.ts'], {
        MIGRATION_DATABASE_URL: url(names.INCIDENT_OWNER),
        DATABASE_URL: url(names.INCIDENT_BOT),
      });
      assert.equal(migrate.code, 0, migrate.out);
      assert.match(migrate.out, new RegExp(`Granted the bot's role ${names.INCIDENT_BOT} what the bot needs`));
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${names.INCIDENT_DB}" WITH (FORCE)`).catch(() => {});
      for (const r of [names.INCIDENT_BOT, names.INCIDENT_OWNER])
        await admin.query(`DROP ROLE IF EXISTS "${r}"`).catch(() => {});
      await admin.end();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Kubernetes

const MODELS = {
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'batch/v1/Job': { model: Job, module: 'kubernetes-models/batch/v1/Job', type: 'IJob' },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget,
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
  },
} as const;
type Kind = keyof typeof MODELS;

const manifests = fs
  .readdirSync(K8S)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((file) => yamlDocs(path.join(K8S, file)).map((doc) => ({ file, doc })));
const one = (kind: string, name?: string) => {
  const found = manifests.filter((m) => m.doc.kind === kind && (!name || m.doc.metadata?.name === name));
  assert.equal(found.length, 1, `one ${kind}${name ? ` ${name}` : ''}`);
  return found[0]!.doc;
};

/** Type-checks the documents against kubernetes-models' types: an unknown field anywhere is an error. */
function unknownFieldErrors(docs: Json[]): string[] {
  const file = path.join(ROOT, 'test', '__manifests_typecheck__.ts');
  const source = [
    ...Object.values(MODELS).map((m) => `import type { ${m.type} } from '${m.module}';`),
    ...docs.map(
      (d, i) =>
        `export const doc${i}: ${MODELS[`${d.apiVersion}/${d.kind}` as Kind].type} = ${JSON.stringify(d, null, 1)};`,
    ),
  ].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    path.resolve(name) === file ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => path.resolve(name) === file || fileExists(name);
  const program = ts.createProgram({ rootNames: [file], options, host });
  return ts
    .getPreEmitDiagnostics(program, program.getSourceFile(file))
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const deployment = one('Deployment');
const podSpec = deployment.spec.template.spec as Json;
const botContainer = podSpec.containers[0] as Json;
const job = one('Job');
const jobContainer = job.spec.template.spec.containers[0] as Json;
const envOf = (c: Json) => new Map<string, Json>((c.env ?? []).map((e: Json) => [e.name, e]));
const secrets = manifests.filter((m) => m.doc.kind === 'Secret');

describe('deploy/kubernetes', () => {
  test('every manifest is valid against the Kubernetes OpenAPI schema, unknown fields included', () => {
    assert.ok(manifests.length >= 7, 'Secrets, ConfigMap, Job, Deployment, Service, PodDisruptionBudget');
    for (const { file, doc } of manifests) {
      const entry = MODELS[`${doc.apiVersion}/${doc.kind}` as Kind];
      assert.ok(entry, `${file}: ${doc.apiVersion} ${doc.kind} is one of the kinds checked here`);
      assert.doesNotThrow(() => new entry.model(doc as never).validate(), `${file}: ${doc.kind} ${doc.metadata?.name}`);
      assert.equal(doc.metadata?.namespace, undefined, `${file}: the namespace is chosen at apply time`);
    }
    assert.deepEqual(unknownFieldErrors(manifests.map((m) => m.doc)), []);
  });

  test('the checks are live: a wrong type, a missing field and an unknown field are refused', () => {
    const wrong = structuredClone(deployment);
    wrong.spec.replicas = '2';
    assert.throws(() => new Deployment(wrong).validate(), /replicas must be integer/);
    const missing = structuredClone(deployment);
    delete missing.spec.template.spec.containers[0].readinessProbe.httpGet.port;
    assert.throws(() => new Deployment(missing).validate(), /httpGet must have required property port/);
    // A misspelt field at any depth, one per copy: the schemas would let each through.
    const typos: [string, (d: Json) => void][] = [
      ['replica', (d) => (d.spec.replica = 2)],
      ['terminationGracePeriod', (d) => (d.spec.template.spec.terminationGracePeriod = 40)],
      ['livenessProbes', (d) => (d.spec.template.spec.containers[0].livenessProbes = {})],
      [
        'readOnlyRootFileSystem',
        (d) => (d.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true),
      ],
      ['label', (d) => (d.metadata.label = { a: 'b' })],
    ];
    const copies = typos.map(([, typo]) => {
      const copy = structuredClone(deployment);
      typo(copy);
      assert.doesNotThrow(() => new Deployment(copy).validate(), 'the OpenAPI schema allows unknown fields');
      return copy;
    });
    const errors = unknownFieldErrors(copies);
    assert.equal(errors.length, typos.length, errors.join('\n'));
    for (const [i, [field]] of typos.entries())
      assert.match(errors[i]!, new RegExp(`'"${field}"' does not exist in type`));
  });

  test("a Deployment of two replicas, readiness and liveness on /healthz at the container's port", () => {
    assert.equal(deployment.spec.replicas, 2);
    assert.deepEqual(
      deployment.spec.selector.matchLabels,
      Object.fromEntries(
        Object.entries(deployment.spec.template.metadata.labels).filter(
          ([k]) => k in deployment.spec.selector.matchLabels,
        ),
      ),
    );
    const port = (botContainer.ports as Json[]).find((p) => p.name === 'http');
    assert.equal(port?.containerPort, 3000);
    assert.equal(envOf(botContainer).get('PORT')?.value, String(port.containerPort));
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      assert.equal(botContainer[probe]?.httpGet?.path, '/healthz', probe);
      assert.ok(
        [port.name, port.containerPort].includes(botContainer[probe].httpGet.port),
        `${probe} on the bot's port`,
      );
    }
    // Liveness is more patient than readiness: a database outage (503) is not cured by restarts.
    const window = (p: Json) => (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3);
    assert.ok(window(botContainer.livenessProbe) > window(botContainer.readinessProbe));
    assert.deepEqual(deployment.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
  });

  test(`terminationGracePeriodSeconds is above the preStop pause plus the drain (SHUTDOWN_TIMEOUT_SECONDS)`, () => {
    const drain = Number(envOf(botContainer).get('SHUTDOWN_TIMEOUT_SECONDS')?.value ?? DRAIN_SECONDS);
    assert.equal(
      drain,
      loadConfig({ ...MINIMAL, SHUTDOWN_TIMEOUT_SECONDS: String(drain) }).SHUTDOWN_TIMEOUT_SECONDS,
      'a valid setting',
    );
    const preStop = Number(botContainer.lifecycle?.preStop?.sleep?.seconds ?? 0);
    assert.ok(
      podSpec.terminationGracePeriodSeconds > preStop + drain,
      `${podSpec.terminationGracePeriodSeconds} > ${preStop} + ${drain}`,
    );
    assert.ok(podSpec.terminationGracePeriodSeconds >= 40);
  });

  test("replicas do not migrate (MIGRATE_ON_START=false) and never see the owner's URL", () => {
    const env = envOf(botContainer);
    // `env` wins over `envFrom`: a ConfigMap or Secret cannot turn it back on.
    assert.equal(env.get('MIGRATE_ON_START')?.value, 'false');
    assert.equal(
      loadConfig({ ...MINIMAL, MIGRATE_ON_START: env.get('MIGRATE_ON_START')!.value }).MIGRATE_ON_START,
      false,
    );
    assert.ok(!env.has('MIGRATION_DATABASE_URL'));
    const fromSecrets = (botContainer.envFrom as Json[])
      .filter((e) => e.secretRef)
      .map((e) => e.secretRef.name as string);
    for (const name of fromSecrets) {
      const secret = secrets.find((s) => s.doc.metadata.name === name);
      assert.ok(secret, `the Secret ${name} is in the template`);
      assert.ok(!('MIGRATION_DATABASE_URL' in secret.doc.stringData), `${name} does not hold the owner's URL`);
      assert.ok(
        'DATABASE_URL' in secret.doc.stringData,
        `${name} holds DATABASE_URL: several replicas need PostgreSQL`,
      );
    }
    assert.equal(botContainer.command, undefined, "the image's tini and `node src/main.ts`");
    assert.equal(botContainer.args, undefined);
    for (const key of env.keys()) assert.ok(CONFIG_KEYS.has(key), `${key} is a setting`);
  });

  test("the migration Job runs `npm run db:migrate` (node scripts/migrate.ts) as the owner, with the Deployment's image", () => {
    assert.deepEqual(jobContainer.args, ['node', 'scripts/migrate.ts']);
    assert.equal(jobContainer.command, undefined, 'args, not command: tini stays PID 1');
    assert.match(JSON.parse(read(path.join(ROOT, 'package.json'))).scripts['db:migrate'], /scripts\/migrate\.ts$/);
    assert.equal(jobContainer.image, botContainer.image);
    const env = envOf(jobContainer);
    const ref = (name: string) => env.get(name)?.valueFrom?.secretKeyRef as { name: string; key: string } | undefined;
    for (const [name, secretName] of [
      ['MIGRATION_DATABASE_URL', 'incident-bot-migration'],
      ['DATABASE_URL', 'incident-bot'],
    ] as const) {
      assert.deepEqual(ref(name), { name: secretName, key: name }, `${name} from the Secret ${secretName}`);
      assert.ok(
        secrets.some((s) => s.doc.metadata.name === secretName && name in s.doc.stringData),
        `the template has ${secretName}.${name}`,
      );
    }
    assert.ok(['Never', 'OnFailure'].includes(job.spec.template.spec.restartPolicy));
    assert.ok(job.spec.backoffLimit <= 3, 'a broken migration fails the deploy rather than retrying for ever');
    assert.ok(job.spec.activeDeadlineSeconds > 0);
  });

  test('non-root, read-only root file system, no privilege escalation, resources bounded', () => {
    for (const [what, pod, c] of [
      ['Deployment', podSpec, botContainer],
      ['Job', job.spec.template.spec, jobContainer],
    ] as const) {
      assert.equal(pod.securityContext.runAsNonRoot, true, what);
      assert.ok(pod.securityContext.runAsUser > 0, `${what} runs as a uid other than 0`);
      assert.equal(pod.securityContext.seccompProfile?.type, 'RuntimeDefault', what);
      assert.equal(pod.automountServiceAccountToken, false, `${what} needs no Kubernetes API token`);
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, what);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, what);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], what);
      for (const kind of ['requests', 'limits'])
        for (const r of ['cpu', 'memory']) assert.ok(c.resources?.[kind]?.[r], `${what} ${kind}.${r}`);
      // The only writable place is a bounded emptyDir at /tmp.
      const mounts = (c.volumeMounts ?? []) as Json[];
      for (const m of mounts)
        assert.ok(
          (pod.volumes as Json[]).find((v) => v.name === m.name)?.emptyDir,
          `${what}: ${m.mountPath} is an emptyDir`,
        );
    }
  });

  test("a PodDisruptionBudget keeps one replica, a Service reaches the bot's port", () => {
    const pdb = one('PodDisruptionBudget');
    assert.equal(pdb.spec.minAvailable, 1);
    assert.ok(pdb.spec.minAvailable < deployment.spec.replicas, 'a drain can still evict one');
    const labels = deployment.spec.template.metadata.labels as Record<string, string>;
    const selects = (sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
    assert.ok(selects(pdb.spec.selector.matchLabels), "the PDB selects the bot's pods");
    const job = one('Job');
    assert.ok(
      !Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => job.spec.template.metadata.labels[k] === v),
      "and not the Job's",
    );
    const service = one('Service');
    assert.ok(selects(service.spec.selector), "the Service selects the bot's pods");
    assert.ok(
      !Object.entries(service.spec.selector).every(([k, v]) => job.spec.template.metadata.labels[k] === v),
      "and not the Job's",
    );
    const targetPort = service.spec.ports[0].targetPort;
    assert.ok(
      (botContainer.ports as Json[]).some((p) => p.name === targetPort || p.containerPort === targetPort),
      `targetPort ${targetPort}`,
    );
  });

  test('the Secrets are a template: placeholders only, which the bot refuses to start with', () => {
    assert.ok(
      secrets.every((s) => s.file === 'secrets.template.yaml'),
      'Secrets live in the template only',
    );
    const values: Record<string, string> = {};
    for (const { doc } of secrets) {
      assert.equal(doc.data, undefined, 'stringData placeholders, no encoded values');
      for (const [key, value] of Object.entries(doc.stringData as Record<string, string>)) {
        assert.match(value, /^REPLACE_ME\b/, `${doc.metadata.name}.${key} is a placeholder`);
        assert.ok(CONFIG_KEYS.has(key), `${key} is a setting`);
        values[key] = value;
      }
    }
    const config = one('ConfigMap');
    for (const key of Object.keys(config.data)) assert.ok(CONFIG_KEYS.has(key), `ConfigMap: ${key} is a setting`);
    const { MIGRATION_DATABASE_URL: _owner, ...botEnv } = {
      ...config.data,
      ...values,
      ...Object.fromEntries([...envOf(botContainer)].map(([k, e]) => [k, e.value])),
    };
    assert.throws(
      () => loadConfig(botEnv),
      (err: unknown) =>
        err instanceof ConfigError &&
        ['SLACK_BOT_TOKEN', 'DATABASE_URL', 'INCIDENT_BROADCAST_CHANNEL'].every((k) => err.message.includes(`${k} `)),
    );
  });
});
