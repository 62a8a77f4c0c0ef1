import type request from 'supertest';

/** The answer's body as bytes, whatever its type (superagent still inflates gzip itself). */
export const rawBody = (req: request.Test) =>
  req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
