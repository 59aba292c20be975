import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.ts';
import { validationHook } from './validation-hook.ts';

/**
 * The routes of one area of a group, mounted by the group's app with `.route()`. Only the
 * validation hook belongs here: a router's routes are checked where they are declared, while
 * the app around them (`createApp`) owns auth, limits, errors and the OpenAPI document, which
 * lists a mounted router's routes under its mount path.
 */
export const createRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
