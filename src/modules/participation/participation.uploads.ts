import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors';
import type { StoredFile } from './participation.record';

export class PayloadTooLargeError extends AppError {
  constructor() {
    super('participation:errors.file_too_large', 413);
  }
}

/** A stored PDF with what the public record says about it: its SHA-256 (hex) and size in bytes. */
export type StoredPdf = StoredFile & { sha256: string; size: number };

const STORED_NAME = /^[a-f0-9]{32}\.(pdf|csv)$/;

/**
 * Uploaded files: kept in memory up to `maxBytes` (413 beyond), checked by content, written
 * outside the web root under a random name, and served only as attachments.
 */
export function createUploads({ dir, maxBytes }: { dir: string; maxBytes: number }) {
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 40, fieldSize: 20_000 } });

  /** Parses a multipart form with at most one file in `field`; too large → 413. */
  function single(field: string): RequestHandler {
    const mw = upload.single(field);
    return (req: Request, res: Response, next: NextFunction) =>
      mw(req, res, (err?: unknown) => {
        if (err instanceof multer.MulterError)
          return next(err.code === 'LIMIT_FILE_SIZE' ? new PayloadTooLargeError() : new ValidationError([{ field, key: 'participation:errors.file_invalid' }], 400));
        next(err as Error | undefined);
      });
  }

  /** Stores a PDF (checked by its `%PDF-` magic bytes, never by its name or declared type), with its SHA-256 and size. */
  async function storePdf(file: Express.Multer.File | undefined, field: string): Promise<StoredPdf | null> {
    if (!file || !file.size) return null;
    if (!file.buffer.subarray(0, 5).equals(Buffer.from('%PDF-'))) throw new ValidationError([{ field, key: 'participation:errors.file_not_pdf' }], 422);
    await fs.promises.mkdir(dir, { recursive: true });
    const name = `${crypto.randomBytes(16).toString('hex')}.pdf`;
    await fs.promises.writeFile(path.join(dir, name), file.buffer, { flag: 'wx' });
    const originalName = (file.originalname || 'documento.pdf').replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 200);
    return {
      name,
      originalName: originalName.toLowerCase().endsWith('.pdf') ? originalName : `${originalName}.pdf`,
      sha256: crypto.createHash('sha256').update(file.buffer).digest('hex'),
      size: file.size,
    };
  }

  /** Removes a file stored for a change that was then refused (nothing points to it). */
  async function discard(f: StoredFile | null): Promise<void> {
    if (f && STORED_NAME.test(f.name)) await fs.promises.rm(path.join(dir, f.name), { force: true });
  }

  /** Sends a stored file as a download: attachment, nosniff, PDF type, never rendered as HTML. */
  function sendStored(res: Response, f: StoredFile): void {
    if (!STORED_NAME.test(f.name)) throw new NotFoundError();
    const file = path.join(dir, f.name);
    if (!fs.existsSync(file)) throw new NotFoundError();
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Content-Security-Policy', "default-src 'none'; sandbox");
    res.set('Cache-Control', 'no-cache');
    res.attachment(f.originalName);
    res.type('application/pdf');
    res.sendFile(file);
  }

  return { single, storePdf, discard, sendStored, dir };
}

export type Uploads = ReturnType<typeof createUploads>;
