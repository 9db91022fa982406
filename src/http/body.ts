// Body parsers of the JSON and form APIs, in one place: bounded, and strict about UTF-8 (a body
// that is not valid UTF-8 is refused, instead of being decoded with replacement characters).
import { isUtf8 } from 'node:buffer';
import express from 'express';
import { badRequest } from '../core/errors.ts';

const verifyUtf8 = (_req: unknown, _res: unknown, buf: Buffer): void => {
  if (!isUtf8(buf)) throw badRequest('the request body is not valid UTF-8');
};

export function jsonBody(limit: number, type: string[] = ['application/json']) {
  return express.json({ limit, type, strict: true, verify: verifyUtf8 });
}

export function formBody(limit: number) {
  return express.urlencoded({ extended: true, limit, parameterLimit: 200, verify: verifyUtf8 });
}
