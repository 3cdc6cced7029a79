/**
 * The fixed vocabulary of prompts (everything that is not catalog data): phrases for backend,
 * network, display, lifetime, corrections and the words that label numbers. Phrases are written
 * as the tokenizer normalises them (lower case, no apostrophes).
 */
import type { Backend, NetworkMode } from '../../preload/spec.js';
import { table } from './lookup.js';

export type Keyword =
  /** `noun` marks words that name the thing being built, so "three ... vms" counts. */
  | { t: 'backend'; v: Backend; noun?: true }
  | { t: 'noun' }
  | { t: 'network'; v: NetworkMode }
  | { t: 'display'; v: 'gui' | 'headless'; noun?: true }
  | { t: 'ephemeral'; v: boolean }
  | { t: 'restart'; v: 'never' | 'on-failure' | 'always' }
  | { t: 'correction' }
  | { t: 'negation' }
  | { t: 'listJoin' }
  | { t: 'listStart' }
  | { t: 'cpuWord' }
  | { t: 'memWord' }
  | { t: 'diskWord' }
  | { t: 'unit'; mib: number }
  | { t: 'cores'; n: number }
  | { t: 'portVerb'; v: 'publish' | 'expose' | 'forward' | 'map' | 'port' }
  | { t: 'nameVerb' }
  | { t: 'countWord' }
  | { t: 'imageWord' }
  | { t: 'needsVm'; why: string }
  | { t: 'installer' }
  | { t: 'stack' }
  | { t: 'unsupportedFeature'; reason: string }
  | { t: 'each' };

// Phrases are '|'-separated so the vocabulary stays readable at a glance.
const PHRASES: Array<[Keyword, string]> = [
  [
    { t: 'backend', v: 'qemu', noun: true },
    'vm|vms|virtual machine|virtual machines|virtual-machine|domu',
  ],
  [{ t: 'backend', v: 'qemu' }, 'qemu|kvm|libvirt|virtualbox|virtual box|hypervisor|full vm'],
  [
    { t: 'backend', v: 'docker', noun: true },
    'container|containers|docker container|docker containers|ctr|oci container',
  ],
  [
    { t: 'backend', v: 'docker' },
    'podman|docker|containerized|containerised|dockerized|dockerised',
  ],
  [
    { t: 'noun' },
    'machine|machines|instance|instances|box|boxes|sandbox|sandboxes|copies|copy|' +
      'replicas|nodes|env|envs|lab|playground',
  ],
  [
    { t: 'network', v: 'isolated' },
    'offline|no internet|without internet|no internet access|' +
      'without internet access|air-gapped|airgapped|air gapped|isolated|' +
      'isolated from the internet|no outbound|no outside access|no external access|' +
      'cut off from the internet|host-only|host only|internal network|' +
      'private network|no web access|offline only|sandboxed network|no egress',
  ],
  [
    { t: 'network', v: 'none' },
    'no network|no networking|without network|without networking|' +
      'without a network|no nic|no nics|without a nic|no net|network none|' +
      'network off|networking off|no network at all|disconnected|no network card',
  ],
  [
    { t: 'network', v: 'nat' },
    'with internet|internet access|with internet access|online|nat|network nat|' +
      'internet|with network|with networking|networked|can reach the internet|' +
      'connected to the internet',
  ],
  [{ t: 'display', v: 'gui', noun: true }, 'desktop|desktops|workstation|workstations'],
  [
    { t: 'display', v: 'gui' },
    'gui|graphical|with a gui|with gui|graphical desktop|desktop environment|' +
      'with a desktop|x11|wayland|xorg|browse the web|web browsing|browsing|browser|' +
      'with display|with a screen|vnc|remote desktop|gaming|point and click',
  ],
  [{ t: 'display', v: 'headless', noun: true }, 'server|servers'],
  [
    { t: 'display', v: 'headless' },
    'headless|no gui|without gui|without a gui|no desktop|without a desktop|' +
      'without desktop|console only|console-only|cli only|cli-only|terminal only|' +
      'text mode|text only|no display|without display|no graphics|server edition|' +
      'ssh only|shell only',
  ],
  [
    { t: 'ephemeral', v: true },
    'throwaway|throw-away|throw away|disposable|temporary|temp|ephemeral|one-off|' +
      'one off|single-use|single use|burner|transient|deleted when i close it|' +
      'delete when i close it|delete it when i close it|deleted when closed|' +
      'delete on close|deleted on close|gone when i close it|' +
      'removed when i close it|auto-delete|autodelete|self-destructing|scratch vm|' +
      'scratch container',
  ],
  [
    { t: 'ephemeral', v: false },
    'persistent|permanent|keep it|keep the data|keep data|long-lived|long lived|' +
      'not ephemeral|not disposable',
  ],
  [
    { t: 'restart', v: 'always' },
    'restart always|always restart|auto restart|auto-restart|autorestart|' +
      'keep it running|restart=always|restart unless stopped',
  ],
  [
    { t: 'restart', v: 'on-failure' },
    'restart on failure|restart on-failure|on-failure|restart if it crashes|' +
      'restart when it crashes|restart on crash',
  ],
  [{ t: 'restart', v: 'never' }, 'never restart|no restart|dont restart'],
  [
    { t: 'correction' },
    'actually|instead|i mean|rather|no wait|wait|scratch that|make it|make that|' +
      'change it to|change that to|on second thought|correction|sorry|oops|better|' +
      'switch to|no make it|change to',
  ],
  [
    { t: 'negation' },
    'no|without|not|minus|except|dont|do not|no need for|skip|but not|remove|drop',
  ],
  [{ t: 'listJoin' }, 'and|&|+|plus|as well as|also|or|and also|along with|together with'],
  [
    { t: 'listStart' },
    'with|install|installed|including|includes|has|have|having|apps|packages|' +
      'tools|running|preinstalled|pre-installed|for|to run|that runs|set up|setup',
  ],
  [
    { t: 'cpuWord' },
    'cpu|cpus|vcpu|vcpus|core|cores|cpu cores|cpu core|processors|processor|' +
      'threads|vcores|vcore|virtual cpus|virtual cores|cpu count|ncpus|smp',
  ],
  [{ t: 'memWord' }, 'ram|memory|mem|of ram|of memory|ram size|memory size'],
  [
    { t: 'diskWord' },
    'disk|disks|disk space|storage|hdd|ssd|drive|hard drive|hard disk|disk size|' +
      'root disk|of disk|of storage|of disk space|volume|nvme|space',
  ],
  [{ t: 'unit', mib: 1 }, 'mb|m|mib|meg|megs|megabyte|megabytes|mbs|mebibytes'],
  [{ t: 'unit', mib: 1024 }, 'gb|g|gib|gig|gigs|gigabyte|gigabytes|gbs|gibibytes|gigas'],
  [{ t: 'unit', mib: 1048576 }, 'tb|t|tib|terabyte|terabytes|tera'],
  [{ t: 'cores', n: 1 }, 'single core|single-core|single cpu|single-cpu|uniprocessor'],
  [{ t: 'cores', n: 2 }, 'dual core|dual-core|dual cpu|dual-cpu|dualcore|two-core'],
  [{ t: 'cores', n: 3 }, 'tri-core|triple core|triple-core'],
  [{ t: 'cores', n: 4 }, 'quad core|quad-core|quadcore|quad cpu|quad-cpu|four-core'],
  [{ t: 'cores', n: 6 }, 'hexa-core|hexa core|hex-core|hex core|six-core'],
  [{ t: 'cores', n: 8 }, 'octa-core|octa core|octo-core|octocore|eight-core'],
  [{ t: 'portVerb', v: 'publish' }, 'publish|published|publishing|--publish|-p'],
  [
    { t: 'portVerb', v: 'expose' },
    'expose|exposed|exposing|open|open up|--expose|reachable on|listen on|' +
      'listening on|serve on',
  ],
  [
    { t: 'portVerb', v: 'forward' },
    'forward|forwarded|forwarding|port forward|port-forward|port forwarding|' + 'redirect|tunnel',
  ],
  [{ t: 'portVerb', v: 'map' }, 'map|mapped|mapping|bind|port mapping'],
  [{ t: 'portVerb', v: 'port' }, 'port|ports'],
  [
    { t: 'nameVerb' },
    'called|named|name it|call it|name|hostname|with the name|name of|label it|' + 'titled',
  ],
  [{ t: 'countWord' }, 'count|x|times|replicas of'],
  [
    { t: 'imageWord' },
    'image|from image|docker image|container image|using image|based on image|' + 'from the image',
  ],
  [
    { t: 'needsVm', why: 'kernel work needs a VM (containers share the host kernel)' },
    'kernel|kernel module|kernel modules|kernel development|kernel dev|' +
      'custom kernel|kernel hacking|systemd|bootloader|grub|kmod|ebpf|bpf|selinux',
  ],
  [
    { t: 'installer' },
    'iso|from an iso|from iso|installer|install media|live cd|livecd|live usb|' +
      'installer iso|install iso|netinst|install it by hand|install by hand',
  ],
  [
    { t: 'stack' },
    'that uses it|which uses it|that uses|which uses|connected to it|' +
      'that talks to|which talks to|talks to it|linked to|depends on|depending on|' +
      'backed by|stack|that connects to|pointing at it|uses it|use it|that use it|which use it|' +
      'uses them|use them|needs it|need it|that needs it|which needs it|that need it|' +
      'requires it|that requires it|which requires it|using it|relies on it|depends on it|' +
      'connects to it|talk to it|reads from it|writes to it|points to it|points at it',
  ],
  [
    {
      t: 'unsupportedFeature',
      reason:
        'privileged containers are not offered: GenOS keeps containers confined (capabilities are added one by one in the hardening settings)',
    },
    'privileged|--privileged',
  ],
  [
    {
      t: 'unsupportedFeature',
      reason:
        'GPU passthrough is not supported yet; the environment gets a virtual display adapter',
    },
    'gpu|gpu passthrough|cuda|nvidia|vfio',
  ],
  [{ t: 'each' }, 'each|apiece|per vm|per container|per machine|per instance|a piece'],
];

export const KEYWORD_PHRASES: Array<[string, Keyword]> = PHRASES.flatMap(([kw, phrases]) =>
  phrases.split('|').map((p): [string, Keyword] => [p, kw]),
);

/** Well-known service names for ports ("expose ssh on 2222"). */
export const SERVICE_PORTS = table<number>({
  ssh: 22,
  sshd: 22,
  'openssh-server': 22,
  http: 80,
  web: 80,
  https: 443,
  rdp: 3389,
  vnc: 5900,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
  redis: 6379,
  mongodb: 27017,
  mongo: 27017,
  jupyter: 8888,
  dns: 53,
  ftp: 21,
  smtp: 25,
  telnet: 23,
});

/** Words that carry no meaning for composing; they neither help nor hurt confidence. */
export const STOPWORDS = new Set(
  (
    'a an the of to in on at by is are be it its me my i we us you your please pls give get want ' +
    'need needs would like can could should will let lets make create spin up start run spawn ' +
    'new some that this which one one with using use via from as so just quick quickly small ' +
    'big tiny little simple basic fresh clean standard default linux os system distro ' +
    'environment setup based also then there here them they for and or but about around ' +
    'approximately roughly least most max maximum min minimum up to enough plenty good nice ' +
    'latest newest recent current stable version release edition flavor flavour running ' +
    'hey hi hello thanks thank gimme go able vanilla image configured setup something ' +
    'have has had do does did what how much many'
  ).split(/\s+/),
);
