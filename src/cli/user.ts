import { createPasswordHasher, ROLES, Role } from '../auth';
import { otpauthUri } from '../auth/totp';
import { loadConfig } from '../config';
import type { Db } from '../db';
import { createI18n } from '../i18n';
import { createLogger } from '../lib/logger';
import { createBackgroundJobs } from '../lib/background';
import { createMailer } from '../lib/mailer';
import { createAccountsService, Email, NewPassword } from '../modules/accounts';
import { createAuditService, CLI_ACTOR } from '../modules/audit';
import { runCli, usageError, withDatabase } from './run';

const USAGE = `Usage: npm run user -- <command> [options]

  create     --email E --role resident|monitor|official|moderator|admin [--municipality UBIGEO] [--org NAME] --password-stdin
             An account that is already confirmed. Officials need --municipality; admins get a
             TOTP secret printed once (add it to an authenticator app).
  list       [--role R] [--status pending|active|disabled]
  set-role   --email E --role R [--municipality UBIGEO] [--org NAME]
  disable    --email E
  enable     --email E
  reset-totp --email E      new TOTP secret for an admin, printed once
Environment: DATABASE_URL (default: embedded SQLite under data/).`;

export interface CliArgs {
  command: string;
  email?: string;
  role?: Role;
  status?: string;
  municipality?: string;
  org?: string;
  passwordStdin: boolean;
}

export function parseArgs(argv: string[]): CliArgs | string {
  const [command, ...rest] = argv;
  if (!command || command === '-h' || command === '--help') return '';
  if (!['create', 'list', 'set-role', 'disable', 'enable', 'reset-totp'].includes(command)) return `unknown command: ${command}`;
  const args: CliArgs = { command, passwordStdin: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--email') {
        const e = Email.safeParse(value());
        if (!e.success) return '--email is not a valid address';
        args.email = e.data;
      } else if (a === '--role') {
        const r = value();
        if (!(ROLES as readonly string[]).includes(r)) return `--role must be one of ${ROLES.join(', ')}`;
        args.role = r as Role;
      } else if (a === '--status') args.status = value();
      else if (a === '--municipality') {
        const m = value();
        if (!/^\d{6}$/.test(m)) return '--municipality expects a 6-digit ubigeo';
        args.municipality = m;
      } else if (a === '--org') args.org = value();
      else if (a === '--password-stdin') args.passwordStdin = true;
      else return `unknown option: ${a}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (command !== 'list' && !args.email) return '--email is required';
  if ((command === 'create' || command === 'set-role') && !args.role) return '--role is required';
  if (command === 'create' && !args.passwordStdin) return 'create needs --password-stdin (the password is read from standard input, never from the command line)';
  if (args.role === 'official' && !args.municipality) return 'an official needs --municipality';
  return args;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function run(args: CliArgs, db: Db, password: string | null, out: (s: string) => void): Promise<number> {
  const config = loadConfig();
  const logger = createLogger('silent');
  const i18n = createI18n();
  const t = i18n.getFixedT((process.env.LANG ?? '').startsWith('en') ? 'en' : 'es');
  const accounts = createAccountsService({
    db,
    hasher: createPasswordHasher(config.env),
    mailer: createMailer(config, logger),
    background: createBackgroundJobs(logger),
    i18n,
    audit: createAuditService(),
    publicUrl: config.publicUrl,
  });
  const printTotp = (email: string, secret: string) => {
    out(`TOTP secret (shown once): ${secret}`);
    out(`otpauth URI: ${otpauthUri(secret, email)}`);
  };
  if (args.command === 'list') {
    const { rows } = await accounts.listUsers({ role: args.role, status: args.status as never, page: 1, perPage: 100000 });
    for (const u of rows) out([u.id, u.email, u.role, u.status, u.municipality_ubigeo ?? '', u.org_name ?? '', u.requested_role ? `requested:${u.requested_role}` : ''].join('\t'));
    return 0;
  }
  if (args.command === 'create') {
    const p = NewPassword.safeParse(password ?? '');
    if (!p.success) {
      out(`password refused: ${p.error.issues.map((i) => String(t(i.message))).join(' ')}`);
      return 1;
    }
    const { id, totpSecret } = await accounts.createConfirmed(CLI_ACTOR, {
      email: args.email!,
      password: p.data,
      role: args.role!,
      municipality: args.municipality ?? null,
      orgName: args.org ?? null,
    });
    out(`created user ${id} ${args.email} (${args.role})`);
    if (totpSecret) printTotp(args.email!, totpSecret);
    return 0;
  }
  const user = await accounts.findByEmail(args.email!);
  if (!user) {
    out(`no user ${args.email}`);
    return 1;
  }
  if (args.command === 'set-role') {
    await accounts.setRole(CLI_ACTOR, user.id, args.role!, args.municipality ?? null, args.org ?? null);
    out(`${args.email} is now ${args.role}`);
    if (args.role === 'admin') {
      const secret = await accounts.resetTotp(CLI_ACTOR, user.id);
      printTotp(args.email!, secret);
    }
    return 0;
  }
  if (args.command === 'disable' || args.command === 'enable') {
    await accounts.setStatus(CLI_ACTOR, user.id, args.command === 'disable' ? 'disabled' : 'active');
    out(`${args.email} ${args.command}d`);
    return 0;
  }
  if (args.command === 'reset-totp') {
    if (user.role !== 'admin') {
      out('only admins use a TOTP second factor');
      return 1;
    }
    printTotp(args.email!, await accounts.resetTotp(CLI_ACTOR, user.id));
    return 0;
  }
  return 2;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') return usageError(USAGE, args);
  const password = args.passwordStdin ? await readStdin() : null;
  return withDatabase((db) => run(args, db, password, (s) => process.stdout.write(`${s}\n`)));
}

if (require.main === module) runCli(main);
