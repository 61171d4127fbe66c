/**
 * Loading:
 * - examples/imad.yaml passes, and its values come out typed (ms, parsed addresses, absolute paths)
 * - a minimal file gets every documented default
 * - every problem of a file is reported at once, in reading order
 * - relative paths resolve against the file's folder; absolute paths stay
 * - YAML 1.2: on/off/true/false for filter
 * - the policy accepts the directory of a valid configuration (toDirectoryInput / configDirectory),
 *   without any password hash
 * - loadConfig on a missing file is one problem without a position
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { formatProblem } from '../../src/config/problem.js';
import { configDirectory, toDirectoryInput } from '../../src/config/to-directory.js';
import { HASH, SIP, configOf, problemsOf } from '../fixtures/config.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/imad.yaml', import.meta.url));

t.test('the example configuration passes and is typed', async (t) => {
  const result = await loadConfig(EXAMPLE);
  if (!result.ok) {
    t.fail(result.problems.map((p) => formatProblem(EXAMPLE, p)).join('\n'));
    return;
  }
  const { config } = result;
  t.same(config.sip.listen, [
    { transport: 'udp', host: '127.0.0.1', port: 5060 },
    { transport: 'tcp', host: '127.0.0.1', port: 5060 },
  ]);
  t.same(config.sip.trunk, {
    peers: [{ host: '127.0.0.1', port: 5080 }],
    allow: [{ family: 4, address: '127.0.0.1', prefix: 32 }],
    transport: 'udp',
    optionsIntervalMs: 30_000,
    phoneState: 'presence',
  });
  t.equal(config.storage.dir, fileURLToPath(new URL('../../../../examples/var', import.meta.url)));
  const alice = config.managers[0];
  t.equal(alice?.isFilterOn, true, 'filter: on');
  t.equal(alice?.noAnswerMs, 20_000);
  t.same(alice?.active, ['bob']);
  t.same(alice?.whitelist, ['+39021234567', '3*']);
  t.same(config.users.map((u) => u.role), ['admin', 'manager', 'assistant', 'assistant']);
  const directory = configDirectory(config);
  t.ok(directory.ok, 'the policy accepts the directory');
});

t.test('a minimal file gets every default', async (t) => {
  const config = configOf(SIP);
  t.same(config.http, { listen: { host: '127.0.0.1', port: 8080 }, embedOrigins: [], webhooks: [], historyKeep: 10_000, sessionIdleMs: 1_800_000, tls: null });
  t.same(config.storage, { dir: '/etc/ima/var' });
  t.same(config.log, { level: 'info' });
  t.same(config.shutdown, { drainTimeoutMs: 30_000 });
  t.same(config.sip.tls, null);
  t.equal(config.sip.assistantDisplay, '{caller} > {manager}');
  t.same(config.numbering, { internationalPrefix: '00', accessCodes: [], extensionMaxLength: 6 });
  t.same([config.managers, config.assistants, config.users], [[], [], []]);
  t.same(config.sip.trunk.transport, 'udp');
  t.same(config.sip.trunk.phoneState, 'presence');
});

t.test('manager defaults, and active defaulting to the whole pool', async (t) => {
  const config = configOf(
    `${SIP}managers:\n  - id: m\n    name: M\n    number: "1000"\n    targets: { desk: "81000", voicemail: "8000" }\n    assistants: [ a ]\n` +
      'assistants:\n  - { id: a, name: A, number: "2000" }\n',
  );
  t.same(config.managers[0], {
    id: 'm',
    name: 'M',
    number: '1000',
    targets: { desk: '81000', voicemail: '8000' },
    assistants: ['a'],
    active: ['a'],
    isFilterOn: false,
    filterMode: 'inclusive',
    availability: 'available',
    alerting: 'parallel',
    noAnswerMs: 20_000,
    fallback: 'voicemail',
    blockAction: 'voicemail',
    whitelist: [],
    timeZone: 'UTC',
  });
  t.same(config.assistants[0], { id: 'a', name: 'A', number: '2000', availability: 'available' });
});

t.test('filter: on, off, true and false', async (t) => {
  const filter = (value: string): boolean | undefined =>
    configOf(`${SIP}managers:\n  - { id: m, name: M, number: "1000", targets: { desk: "1", voicemail: "2" }, filter: ${value} }\n`)
      .managers[0]?.isFilterOn;
  t.equal(filter('on'), true);
  t.equal(filter('off'), false);
  t.equal(filter('true'), true);
  t.equal(filter('false'), false);
  t.equal(filter('"on"'), true, 'quoted works too');
  t.equal(filter('On'), true, 'any case');
  t.equal(filter('OFF'), false);
});

t.test('every problem at once, in reading order', async (t) => {
  const yaml = [
    'sip:',
    '  listen: [ "udp://127.0.0.1:99999" ]',
    '  trunk:',
    '    peers: [ "127.0.0.1:5080" ]',
    '    allow: [ "127.0.0.1/32" ]',
    '    transport: sctp',
    'log: { level: loud }',
    'managers:',
    '  - { id: m, name: M, number: 1000, targets: { desk: "81000", voicemail: "8000" }, no_answer: 10 }',
    'users:',
    `  - { login: m, role: manager, manager: nobody, password_hash: "${HASH}" }`,
    '  - { login: x, role: admin, password_hash: "plain" }',
    'extra: true',
  ].join('\n');
  t.same(problemsOf(yaml), [
    '2:13: sip.listen[0]: "udp://127.0.0.1:99999": port 99999 is outside 1-65535',
    '6:16: sip.trunk.transport: "sctp" is not one of udp, tcp, tls',
    '7:15: log.level: "loud" is not one of fatal, error, warn, info, debug, trace, silent',
    '9:31: managers[0].number: 1000 is a YAML number, which loses a leading 0 or +: quote it, as "1000"',
    '9:95: managers[0].no_answer: "10" is not a duration: add a unit, as 20s, 500ms or 2m',
    '11:41: users[0].manager: "nobody" is not a manager (known: m)',
    '12:45: users[1].password_hash: this is not a password hash: expected scrypt$N$r$p$salt$hash (make one with `imad hash-password`)',
    '13:1: unknown key "extra" (allowed here: sip, http, storage, log, shutdown, numbering, managers, assistants, users)',
  ]);
});

t.test('paths resolve against the base folder', async (t) => {
  const yaml = `${SIP}  tls: { cert: certs/ima.pem, key: /secrets/ima.key }\nstorage: { dir: ../state }\n`;
  const result = parseConfig(yaml, { baseDir: '/etc/ima' });
  t.ok(result.ok);
  if (!result.ok) return;
  t.same(result.config.sip.tls, { cert: '/etc/ima/certs/ima.pem', key: '/secrets/ima.key', ca: null });
  t.equal(result.config.storage.dir, '/etc/state');
});

t.test('IPv6 everywhere', async (t) => {
  const config = configOf(
    'sip:\n  listen: [ "tcp://[::1]:5060" ]\n  trunk:\n    peers: [ "[::1]:5080", "pbx.example.com:5060" ]\n    allow: [ "::1/128", "10.0.0.0/8" ]\nhttp: { listen: "[::1]:8080" }\n',
  );
  t.same(config.sip.listen, [{ transport: 'tcp', host: '::1', port: 5060 }]);
  t.same(config.sip.trunk.peers, [
    { host: '::1', port: 5080 },
    { host: 'pbx.example.com', port: 5060 },
  ]);
  t.same(config.http.listen, { host: '::1', port: 8080 });
});

t.test('the directory input carries no password hash', async (t) => {
  const config = configOf(
    `${SIP}managers:\n  - { id: m, name: M, number: "1000", targets: { desk: "81000", voicemail: "8000", mobile: "+393331234567" }, fallback: mobile }\n` +
      `users:\n  - { login: root, role: admin, password_hash: "${HASH}" }\n  - { login: m, role: manager, manager: m, password_hash: "${HASH}" }\n`,
  );
  const input = toDirectoryInput(config);
  t.same(input.users, [
    { login: 'root', role: 'admin' },
    { login: 'm', role: 'manager', manager: 'm' },
  ]);
  t.notMatch(JSON.stringify(input), /scrypt/);
  t.equal(input.managers[0]?.fallback, 'mobile');
  t.equal(input.managers[0]?.noAnswerMs, 20_000);
  t.ok(configDirectory(config).ok);
});

t.test('a file that cannot be read', async (t) => {
  const result = await loadConfig('/nonexistent/imad.yaml');
  t.notOk(result.ok);
  if (result.ok) return;
  t.equal(result.problems.length, 1);
  t.equal(result.problems[0]?.line, 0);
  t.match(formatProblem('/nonexistent/imad.yaml', result.problems[0] ?? { line: 0, column: 0, path: '', message: '' }), /^\/nonexistent\/imad\.yaml: cannot read the file: ENOENT/);
});

t.test('loadConfig checks that the TLS files are readable', async (t) => {
  const dir = t.testdir({
    'ima.pem': 'certificate',
    'imad.yaml': `${SIP.replace('udp://', 'tls://')}  tls: { cert: ima.pem, key: ima.key }\n`,
  });
  const result = await loadConfig(`${dir}/imad.yaml`);
  t.same(result.ok ? [] : result.problems.map((p) => `${p.line}:${p.column}: ${p.message}`), [
    `6:30: sip.tls.key: cannot read ${dir}/ima.key (ENOENT)`,
  ]);
  t.ok(parseConfig(`${SIP}  tls: { cert: ima.pem, key: ima.key }\n`, { baseDir: dir }).ok, 'parseConfig does not look at files by default');
});
