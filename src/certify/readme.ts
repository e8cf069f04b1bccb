/**
 * The README.md of a certification bundle: the environment file in words,
 * the files, and how to check them. Made from environment.json alone, so
 * `verify` can make it again and compare.
 */
import type { Environment } from './environment.js';

/** The files of a bundle besides SHA256SUMS, with what each holds. */
export const BUNDLE_FILES = [
  ['results.json', 'the results document (as `run --json` writes it): every verdict, the run record'],
  ['junit.xml', 'JUnit XML of the same results'],
  ['tap.log', 'the TAP 13 log of the run'],
  ['report.html', 'the results matrix of this run, one self-contained page (as `ocicomply report --html`)'],
  ['summary.md', 'the totals and the results matrix in Markdown'],
  ['environment.json', 'who judged what, where and with what (made from the run record of results.json)'],
  ['README.md', 'this file'],
] as const;

export type BundleFile = (typeof BUNDLE_FILES)[number][0];

function unreadableOr<T>(v: T | { readonly unreadable: string } | null, show: (v: T) => string): string {
  if (v === null) return 'not recorded';
  if (typeof v === 'object' && 'unreadable' in v) return `not read (${v.unreadable})`;
  return show(v);
}

export function renderReadme(env: Environment): string {
  const h = env.host;
  const lines = [
    `# ocicomply certification bundle: ${env.runtime.name}`,
    '',
    `- runtime: \`${env.runtime.path}\`${env.runtime.args.length ? ` with \`${env.runtime.args.join(' ')}\`` : ''}, ${env.runtime.version ?? 'version unknown'}; features document: ${env.runtime.features ? 'recorded' : 'none'}`,
    `- spec version: ${env.spec.version} (${env.spec.chosenBy === null ? 'how chosen not recorded' : `chosen by: ${env.spec.chosenBy}`})`,
    `- ocicomply ${env.ocicomply.version}${env.ocicomply.commit ? `, commit ${env.ocicomply.commit}` : ''}${env.node ? `, on Node.js ${env.node}` : ''}`,
    `- cases: ${env.cases ? `${env.cases.files.length} case files, digest sha256:${env.cases.digest}` : 'not recorded'}${env.options && (env.options.only.length || env.options.skip.length) ? `; selected with${env.options.only.length ? ` --only ${env.options.only.join(',')}` : ''}${env.options.skip.length ? ` --skip ${env.options.skip.join(',')}` : ''}` : ''}`,
    `- profile: ${env.profile ? env.profile.name : 'not recorded'}`,
    `- host: kernel ${h.kernel.release}${h.kernel.version ? ` (${h.kernel.version})` : ''}, ${h.architecture ?? 'architecture not recorded'}, ${unreadableOr(h.distribution, (d) => d.prettyName ?? d.id ?? 'distribution unnamed')}`,
    `- cgroups: ${h.cgroup.mode}, controllers ${h.cgroup.controllers.join(' ') || 'none'}`,
    `- security modules: ${unreadableOr(h.securityModules, (l) => l.join(', ') || 'none')}`,
    `- user: ${h.user === null ? 'not recorded' : `uid ${h.user.uid}${h.user.userNamespace ? ' in a user namespace' : ''}, ${h.user.rootless ? 'rootless' : 'root'}`}`,
    `- libseccomp: ${h.libseccomp.length ? h.libseccomp.map((l) => `${l.version ?? '?'} (${l.from})`).join('; ') : 'no version seen'}`,
    `- VM: ${h.vm ? `${h.vm.mode}, kernel ${h.vm.kernel}` : 'no (run on the host)'}`,
    `- run: ${env.startedAt ?? '?'} to ${env.endedAt ?? '?'}`,
    '',
    '## Files',
    '',
    ...BUNDLE_FILES.map(([name, what]) => `- \`${name}\`: ${what}`),
    '- `SHA256SUMS`: the SHA-256 of every other file',
    '',
    '## Checking it',
    '',
    '    ocicomply verify DIR        # checksums, no file missing or added, and the documents agree',
    '    sha256sum -c SHA256SUMS     # the checksums alone, inside DIR',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
