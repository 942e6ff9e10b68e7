/** The .eml writer: file names, atomic writes, idempotent rewrites, write errors. */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EmlFolderMailer, emlFileName } from './eml-folder-mailer.ts';
import { MailerError } from './mailer.ts';

const root = mkdtempSync(join(tmpdir(), 'netwarden-eml-'));
after(() => rmSync(root, { recursive: true, force: true }));

const mail = {
  id: 42,
  blockingId: 'L-2026-000123',
  createdAt: Date.UTC(2026, 2, 1, 14, 5, 9, 250),
  recipient: 'ops@example.com',
  message: 'Subject: test\r\n\r\nbody\r\n',
};

describe('EmlFolderMailer', () => {
  it('names files by time, Blocking ID and outbox id; hostile ids cannot leave the folder', () => {
    assert.equal(emlFileName(mail), '20260301T140509Z-L-2026-000123-42.eml');
    assert.equal(emlFileName({ ...mail, blockingId: '../../etc/x' }), '20260301T140509Z-.._.._etc_x-42.eml');
  });

  it('creates the folder, writes the message unchanged and leaves no temp file; a rewrite replaces it', async () => {
    const directory = join(root, 'new', 'outbox');
    const mailer = new EmlFolderMailer({ directory });
    const result = await mailer.send(mail);
    assert.equal(result.response, `written ${join(directory, '20260301T140509Z-L-2026-000123-42.eml')}`);
    assert.deepEqual(readdirSync(directory), ['20260301T140509Z-L-2026-000123-42.eml']);
    assert.equal(readFileSync(join(directory, '20260301T140509Z-L-2026-000123-42.eml'), 'utf8'), mail.message);
    await mailer.send({ ...mail, message: 'Subject: test\r\n\r\nsecond\r\n' });
    assert.deepEqual(readdirSync(directory), ['20260301T140509Z-L-2026-000123-42.eml']);
    assert.equal(readFileSync(join(directory, '20260301T140509Z-L-2026-000123-42.eml'), 'utf8'), 'Subject: test\r\n\r\nsecond\r\n');
  });

  it('reports a folder it cannot write as a MailerError and cleans up', async () => {
    const blocker = join(root, 'not-a-directory');
    writeFileSync(blocker, 'x');
    const mailer = new EmlFolderMailer({ directory: join(blocker, 'outbox') });
    await assert.rejects(mailer.send(mail), (error: unknown) => error instanceof MailerError && /cannot write/.test(error.message));
    if (process.getuid?.() !== 0) {
      const readOnly = join(root, 'read-only');
      await new EmlFolderMailer({ directory: readOnly }).send(mail);
      chmodSync(readOnly, 0o500);
      try {
        await assert.rejects(new EmlFolderMailer({ directory: readOnly }).send({ ...mail, id: 43 }), (error: unknown) => error instanceof MailerError && error.code === 'EACCES');
        assert.deepEqual(readdirSync(readOnly), ['20260301T140509Z-L-2026-000123-42.eml']);
      } finally {
        chmodSync(readOnly, 0o700);
      }
    }
  });
});
