import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Native modules and the engine's dependencies stay outside the bundle.
  serverExternalPackages: ['better-sqlite3', '@prisma/adapter-better-sqlite3', '@prisma/adapter-pg', 'pg', '@node-rs/argon2', 'smtp-server', 'nodemailer'],
  poweredByHeader: false,
  // Uploads up to the console's own limits (main.cf 256 KB, a pasted message 500,000
  // characters) reach the actions, which refuse larger ones with the limit in words.
  experimental: { serverActions: { bodySizeLimit: '2mb' } },
  typescript: { ignoreBuildErrors: true }, // `npm test` runs tsc over the whole tree first
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
};

export default nextConfig;
