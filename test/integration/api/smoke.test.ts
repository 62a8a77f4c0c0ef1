import request from 'supertest';
import { createTestApp, TestApp } from '../../helpers/app';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => t.cleanup());
  it('x', async () => {
    for (const u of ['/api/v1', '/api/v1/openapi.json', '/api/v1/municipalities/999999', '/api/v1/execution?level=x&lang=en', '/es/api', '/en/api']) {
      const res = await request(t.app).get(u);
      console.log(u, res.status, res.headers['content-type'], res.text.slice(0, 600));
    }
  });
});
