/** The initial inventory, built from the seed: same seed, same machines and stacks. */
import type { MachineStatus } from '../types.ts';
import type { SimulatorConfig } from './config.ts';
import { SeededRandom } from './random.ts';
import { PROVIDER_WORDS, type SimMachine, type SimStack } from './state.ts';

const FAMILIES = ['web', 'api', 'db', 'cache', 'worker', 'lb'] as const;
/** Databases and caches stay off the public internet, as they should. */
const PRIVATE_FAMILIES = new Set(['db', 'cache']);
const PUBLIC_PREFIXES = ['203.0.113', '198.51.100', '192.0.2'] as const;
const DAY_MS = 86_400_000;

export function sizeFacts(size: string, sizes: readonly string[]): { vcpus: number; memoryGb: number } {
  const rank = Math.max(0, sizes.indexOf(size));
  return { vcpus: 2 ** rank, memoryGb: 2 ** rank * 2 };
}

function initialStatus(index: number, count: number, random: SeededRandom): MachineStatus {
  // A small cloud still shows every kind of row: web-1 runs, one is off, one is broken.
  if (index === 0) return 'running';
  if (count >= 5 && index % 10 === 4) return 'stopped';
  if (count >= 10 && index % 50 === 9) return 'error';
  return random.next() < 0.9 ? 'running' : 'stopped';
}

export function generateMachines(config: SimulatorConfig, now: number): SimMachine[] {
  const random = new SeededRandom(config.seed);
  const counters = new Map<string, number>();
  const machines: SimMachine[] = [];
  for (let index = 0; index < config.machines; index++) {
    const family = FAMILIES[index % FAMILIES.length] as string;
    const number = (counters.get(family) ?? 0) + 1;
    counters.set(family, number);
    const regionIndex = random.int(config.regions.length);
    const size = random.pick(config.sizes);
    const status = initialStatus(index, config.machines, random);
    const publicPrefix = PUBLIC_PREFIXES[Math.floor(index / 254) % PUBLIC_PREFIXES.length];
    machines.push({
      id: `sim-${random.hex(8)}`,
      name: `${family}-${number}`,
      region: config.regions[regionIndex] as string,
      size,
      image: random.pick(config.images),
      ...sizeFacts(size, config.sizes),
      publicIpv4: PRIVATE_FAMILIES.has(family) ? undefined : `${publicPrefix}.${(index % 254) + 1}`,
      privateIpv4: `10.${regionIndex}.${(index >> 8) & 255}.${index & 255 || 1}`,
      createdAt: new Date(now - (1 + random.int(400)) * DAY_MS - random.int(DAY_MS)).toISOString(),
      status,
      word: PROVIDER_WORDS[status],
      transition: undefined,
    });
  }
  return machines;
}

export function generateStacks(config: SimulatorConfig, now: number): SimStack[] {
  if (!config.stacks) return [];
  const random = new SeededRandom(config.seed ^ 0x5eed);
  const stack = (
    name: string,
    environment: string,
    services: string[],
    ageDays: number,
    failWith?: string,
  ): SimStack => {
    const requestedAt = now - ageDays * DAY_MS;
    return {
      id: random.hex(32),
      name,
      environment,
      services,
      deployments: [
        {
          id: String(1000 + random.int(9000)),
          requestedAt,
          duration: 4 * 60_000,
          services,
          triggeredBy: 'ci@example.com',
          ...(failWith ? { failWith } : {}),
        },
      ],
    };
  };
  return [
    stack('shop', 'production', ['web', 'worker', 'docker'], 2),
    stack('shop', 'staging', ['web', 'worker', 'docker'], 1),
    stack('blog', 'production', ['web'], 9, 'asset compilation failed'),
  ];
}
