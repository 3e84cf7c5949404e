import 'server-only';
import { loadConfig, type PosternConfig } from '../mail-engine/config';

const KEY = Symbol.for('postern.web-config');

/** The process configuration, validated once (the same parser the engine uses). */
export const env = (): PosternConfig => ((globalThis as Record<symbol, PosternConfig | undefined>)[KEY] ??= loadConfig());
