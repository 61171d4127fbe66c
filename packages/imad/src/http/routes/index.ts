/** Every route of the API, in the order the OpenAPI document lists them. */
import type { RouteSpec } from '../route.js';
import { adminRoutes } from './admin.js';
import { authRoutes } from './auth.js';
import { callRoutes } from './calls.js';
import { directoryRoutes } from './directory.js';
import { opsRoutes } from './ops.js';

export const API_ROUTES: readonly RouteSpec[] = [...authRoutes, ...directoryRoutes, ...callRoutes, ...adminRoutes, ...opsRoutes];
