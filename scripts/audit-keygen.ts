// npm run audit:keygen [-- --pem]: prints a new Ed25519 key pair for signing audit checkpoints.
// AUDIT_SIGNING_KEY goes into the bot's environment (a secret store), never into the database or
// the repository; AUDIT_VERIFY_KEY is public: give it to whoever verifies checkpoints. Nothing is
// written anywhere: the key exists only in this output.
import { parseArgs } from 'node:util';
import { generateSigningKey } from '../src/domain/audit-checkpoint.ts';

let pem = false;
try {
  pem =
    parseArgs({ args: process.argv.slice(2), options: { pem: { type: 'boolean' } }, strict: true }).values.pem ?? false;
} catch (err) {
  console.error(`${(err as Error).message}\nusage: npm run audit:keygen [-- --pem]`);
  process.exit(2);
}
const key = generateSigningKey();
console.log("# Signs audit checkpoints: keep it secret (the bot's environment only).");
console.log(`AUDIT_SIGNING_KEY=${pem ? JSON.stringify(key.privatePem) : key.seed}`);
console.log('# Verifies them: public, for auditors (npm run audit:verify -- --checkpoint <file>).');
console.log(`AUDIT_VERIFY_KEY=${pem ? JSON.stringify(key.publicPem) : key.publicKey}`);
console.log(`# Key fingerprint (named in every checkpoint): ${key.fingerprint}`);
