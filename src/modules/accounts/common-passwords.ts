import fs from 'node:fs';
import path from 'node:path';

let list: Set<string> | null = null;

function listFile(): string {
  // Next to this file in src/; compiled code in dist/src/ reads the one in src/.
  for (const p of [path.join(__dirname, 'common-passwords.txt'), path.resolve(__dirname, '..', '..', '..', '..', 'src', 'modules', 'accounts', 'common-passwords.txt')]) {
    if (fs.existsSync(p)) return p;
  }
  throw new Error('common-passwords.txt not found');
}

/** True for the 10 000 most common passwords (see common-passwords.PROVENANCE.md), any case. */
export function isCommonPassword(password: string): boolean {
  list ??= new Set(
    fs
      .readFileSync(listFile(), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean),
  );
  return list.has(password.toLowerCase());
}
