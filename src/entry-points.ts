/**
 * The slash commands the app answers. `/dostat` and `/vustat` keep the
 * DigitalOcean and Vultr status bots' commands working: the same grammar,
 * with the provider type fixed.
 */

export interface FixedProvider {
  readonly type: string;
  readonly label: string;
  /** How to configure one, for the "none configured" reply. */
  readonly setup: string;
}

export interface SlashCommandSpec {
  readonly command: `/${string}`;
  readonly description: string;
  readonly usageHint: string;
  readonly fixed?: FixedProvider;
}

export const SLASH_COMMANDS: readonly SlashCommandSpec[] = [
  {
    command: '/cloudmaster',
    description: 'Run your clouds: list, status, reboot, create, deploy…',
    usageHint: 'list on aws | status web-1 | reboot web-1 | help',
  },
  {
    command: '/dostat',
    description: 'DigitalOcean droplets: list, status, reboot…',
    usageHint: 'droplets | status NAME | reboot NAME | help',
    fixed: {
      type: 'digitalocean',
      label: 'DigitalOcean',
      setup: 'add a provider with `type: digitalocean` to cloudmaster.yml, or set DIGITALOCEAN_TOKEN',
    },
  },
  {
    command: '/vustat',
    description: 'Vultr instances: list, status, reboot…',
    usageHint: 'instances | status NAME | reboot NAME | help',
    fixed: {
      type: 'vultr',
      label: 'Vultr',
      setup: 'add a provider with `type: vultr` to cloudmaster.yml, or set VULTR_TOKEN',
    },
  },
];
