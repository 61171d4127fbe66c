/**
 * Bad configurations, one problem each (or a few that belong together), with the exact line,
 * column and message that `imad check` prints. Every snippet after the first group starts with
 * the five-line minimal sip section (fixtures/config.ts), so its own lines start at 6.
 *
 * Covered: YAML syntax and duplicate keys; empty file; unknown keys at every level with and
 * without a hint; missing required keys; wrong node kinds; unquoted numbers; aliases; listen
 * specs, peers, CIDRs; enums with hints; durations and their ranges; on/off; ids; phone
 * numbers; whitelist patterns; time zones; numbering; roles and their references; password
 * hashes; duplicate ids, logins and numbers; references (assistants, active, users);
 * fallback without its target; targets that loop; TLS without certificates; peers outside allow;
 * listeners and peers listed twice; http and sip on one TCP address; display templates.
 */
import t from 'tap';
import { HASH, SIP, problemsOf } from '../fixtures/config.js';

const ALICE = [
  'managers:',
  '  - id: alice',
  '    name: Alice Rossi',
  '    number: "1000"',
  '    targets: { desk: "81000", voicemail: "8000" }',
  '',
].join('\n'); // lines 6-10 after SIP

const BOB = ['assistants:', '  - { id: bob, name: Bob Bianchi, number: "2000" }', ''].join('\n');

interface Case {
  readonly name: string;
  readonly yaml: string;
  readonly problems: readonly string[];
}

const cases: readonly Case[] = [
  // The file as a whole
  { name: 'empty file', yaml: '', problems: ['1:1: the file is empty: it needs at least a sip section'] },
  { name: 'not a mapping', yaml: '- sip\n', problems: ['1:1: must be a mapping (key: value), not a list'] },
  { name: 'missing sip', yaml: 'log: { level: info }\n', problems: ['1:1: missing required key "sip"'] },
  {
    name: 'YAML syntax error',
    yaml: 'sip:\n  listen: [ "udp://127.0.0.1:5060"\n  trunk: {}\n',
    problems: ['3:3: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  },
  {
    name: 'two documents',
    yaml: `${SIP}---\nlog: {}\n`,
    problems: ['6:1: YAML: the file holds more than one YAML document (---): keep one'],
  },
  {
    name: 'duplicate key',
    yaml: `${SIP}log:\n  level: info\n  level: debug\n`,
    problems: ['8:3: log: "level" is given twice (first at line 7); the second would silently win'],
  },
  {
    name: 'duplicate key in a flow mapping, with other problems still reported',
    yaml: `${SIP}assistants:\n  - { id: bob, name: Bob, id: bobby, number: 2000 }\n`,
    problems: [
      '7:27: assistants[0]: "id" is given twice (first at line 7); the second would silently win',
      '7:46: assistants[0].number: 2000 is a YAML number, which loses a leading 0 or +: quote it, as "2000"',
    ],
  },
  {
    name: 'alias',
    yaml: `${SIP}log: &l { level: info }\nshutdown: *l\n`,
    problems: ['7:11: shutdown: aliases (*l) are not supported: write the value out'],
  },
  // Unknown keys
  { name: 'unknown top-level key with a hint', yaml: `${SIP}logg: {}\n`, problems: ['6:1: unknown key "logg" (did you mean "log"?)'] },
  {
    name: 'unknown top-level key without a hint',
    yaml: `${SIP}database: {}\n`,
    problems: ['6:1: unknown key "database" (allowed here: sip, http, storage, log, shutdown, numbering, managers, assistants, users)'],
  },
  {
    name: 'unknown nested key',
    yaml: `${SIP}    optons_interval: 10s\n`,
    problems: ['6:5: sip.trunk: unknown key "optons_interval" (did you mean "options_interval"?)'],
  },
  {
    name: 'unknown key in a flow mapping',
    yaml: `${SIP}${BOB.replace('number:', 'nmber:')}`,
    problems: ['7:5: assistants[0]: missing required key "number"', '7:35: assistants[0]: unknown key "nmber" (did you mean "number"?)'],
  },
  { name: 'a key that is not a word', yaml: `${SIP}[a]: 1\n`, problems: ['6:1: keys must be plain words, not a list'] },
  // Required keys and node kinds
  {
    name: 'missing trunk peers and allow',
    yaml: 'sip:\n  listen: [ "udp://127.0.0.1:5060" ]\n  trunk: { transport: udp }\n',
    problems: ['3:10: sip.trunk: missing required key "peers"', '3:10: sip.trunk: missing required key "allow"'],
  },
  {
    name: 'empty listen list',
    yaml: 'sip:\n  listen: []\n  trunk:\n    peers: [ "127.0.0.1:5080" ]\n    allow: [ "127.0.0.1/32" ]\n',
    problems: ['2:11: sip.listen: must list at least one entry'],
  },
  {
    name: 'listen given as text',
    yaml: 'sip:\n  listen: udp://127.0.0.1:5060\n  trunk:\n    peers: [ "127.0.0.1:5080" ]\n    allow: [ "127.0.0.1/32" ]\n',
    problems: ['2:11: sip.listen: must be a list, not text: write [ udp://127.0.0.1:5060 ]'],
  },
  { name: 'section given as a list', yaml: `${SIP}log: [ info ]\n`, problems: ['6:6: log: must be a mapping (key: value), not a list'] },
  // Addresses
  {
    name: 'listen on a name',
    yaml: SIP.replace('udp://127.0.0.1:5060', 'udp://localhost:5060'),
    problems: ['2:13: sip.listen[0]: "udp://localhost:5060": "localhost" is not an IP address (a name would be ambiguous to bind)'],
  },
  {
    name: 'peer without a port',
    yaml: SIP.replace('"127.0.0.1:5080"', '"pbx.example.com"'),
    problems: ['4:14: sip.trunk.peers[0]: "pbx.example.com": has no port: write it as pbx.example.com:5060, 127.0.0.1:5060 or [::1]:5060'],
  },
  {
    name: 'CIDR with host bits',
    yaml: SIP.replace('"127.0.0.1/32"', '"127.0.0.1/8"'),
    problems: ['5:14: sip.trunk.allow[0]: "127.0.0.1/8": has host bits set: did you mean 127.0.0.0/8?'],
  },
  {
    name: 'peer outside allow',
    yaml: SIP.replace('"127.0.0.1/32"', '"10.0.0.0/8"'),
    problems: ['4:14: sip.trunk.peers[0]: 127.0.0.1 is not in sip.trunk.allow: its requests and NOTIFYs would be refused'],
  },
  {
    name: 'listener and peer listed twice',
    yaml: SIP.replace('[ "udp://127.0.0.1:5060" ]', '[ "udp://127.0.0.1:5060", "UDP://127.0.0.1:5060" ]').replace(
      '[ "127.0.0.1:5080" ]',
      '[ "127.0.0.1:5080", "127.0.0.1:5080" ]',
    ),
    problems: [
      '2:37: sip.listen[1]: listed twice (first at sip.listen[0], line 2)',
      '4:32: sip.trunk.peers[1]: listed twice (first at sip.trunk.peers[0], line 4)',
    ],
  },
  {
    name: 'tls listener without certificates',
    yaml: SIP.replace('[ "udp://127.0.0.1:5060" ]', '[ "tls://127.0.0.1:5061" ]'),
    problems: ['2:13: sip.listen[0]: a tls listener needs sip.tls (cert and key)'],
  },
  {
    name: 'tls trunk without certificates',
    yaml: `${SIP}    transport: tls\n`,
    problems: ['6:16: sip.trunk.transport: tls needs sip.tls (cert and key)'],
  },
  { name: 'tls without key', yaml: `${SIP}  tls: { cert: ima.pem }\n`, problems: ['6:8: sip.tls: missing required key "key"'] },
  {
    name: 'http on the sip TCP address',
    yaml: `${SIP.replace('udp://', 'tcp://')}http: { listen: "127.0.0.1:5060" }\n`,
    problems: ['6:17: http.listen: the same TCP address as sip.listen[0]'],
  },
  {
    name: 'unknown placeholder in the display template',
    yaml: `${SIP}  assistant_display: "{caller} for {manger}"\n`,
    problems: ['6:22: sip.assistant_display: unknown placeholder {manger}: use {caller} and {manager}'],
  },
  // Enums, durations, on/off, whole numbers
  {
    name: 'transport typo',
    yaml: `${SIP}    transport: UDP\n`,
    problems: ['6:16: sip.trunk.transport: "UDP" is not one of udp, tcp, tls (did you mean "udp"?)'],
  },
  {
    name: 'phone_state typo',
    yaml: `${SIP}    phone_state: presense\n`,
    problems: ['6:18: sip.trunk.phone_state: "presense" is not one of presence, dialog, none (did you mean "presence"?)'],
  },
  {
    name: 'log level',
    yaml: `${SIP}log: { level: verbose }\n`,
    problems: ['6:15: log.level: "verbose" is not one of fatal, error, warn, info, debug, trace, silent'],
  },
  {
    name: 'duration without a unit',
    yaml: `${SIP}    options_interval: 30\n`,
    problems: ['6:23: sip.trunk.options_interval: "30" is not a duration: add a unit, as 20s, 500ms or 2m'],
  },
  {
    name: 'duration with a bad unit',
    yaml: `${SIP}shutdown: { drain_timeout: 30sec }\n`,
    problems: ['6:28: shutdown.drain_timeout: "30sec" is not a duration (use 20s, 500ms, 2m, 1m30s or 0)'],
  },
  {
    name: 'duration out of range',
    yaml: `${SIP}${ALICE}    no_answer: 500ms\n`,
    problems: ['11:16: managers[0].no_answer: 500ms must be from 1s to 5m'],
  },
  {
    name: 'filter neither on nor off',
    yaml: `${SIP}${ALICE}    filter: maybe\n`,
    problems: ['11:13: managers[0].filter: "maybe" must be on, off, true or false'],
  },
  {
    name: 'filter as yes',
    yaml: `${SIP}${ALICE}    filter: yes\n`,
    problems: ['11:13: managers[0].filter: "yes" must be on, off, true or false'],
  },
  {
    name: 'alerting typo',
    yaml: `${SIP}${ALICE}    alerting: first_available\n`,
    problems: ['11:15: managers[0].alerting: "first_available" is not one of parallel, sequential, first-available (did you mean "first-available"?)'],
  },
  {
    name: 'availability of a manager',
    yaml: `${SIP}${ALICE}    availability: offline\n`,
    problems: ['11:19: managers[0].availability: "offline" is not one of available, busy, away'],
  },
  {
    name: 'availability of an assistant',
    yaml: `${SIP}assistants:\n  - { id: bob, name: Bob, number: "2000", availability: busy }\n`,
    problems: ['7:57: assistants[0].availability: "busy" is not one of available, away, offline'],
  },
  {
    name: 'numbering',
    yaml: `${SIP}numbering:\n  country_code: "039"\n  access_codes: [ "9", "x" ]\n  extension_max_length: 20\n`,
    problems: [
      '7:17: numbering.country_code: "039" must be 1 to 3 digits, not starting with 0',
      '8:24: numbering.access_codes[1]: "x" must be 1 to 4 digits',
      '9:25: numbering.extension_max_length: "20" must be a whole number from 1 to 15',
    ],
  },
  {
    name: 'a whole number given quoted',
    yaml: `${SIP}numbering: { extension_max_length: "5" }\n`,
    problems: ['6:36: numbering.extension_max_length: "5" is quoted: write it without quotes, as 5'],
  },
  // Unquoted numbers and other text fields
  {
    name: 'unquoted public number',
    yaml: `${SIP}${ALICE.replace('"1000"', '01000')}`,
    problems: ['9:13: managers[0].number: 01000 is a YAML number, which loses a leading 0 or +: quote it, as "01000"'],
  },
  {
    name: 'unquoted mobile with a +',
    yaml: `${SIP}${ALICE.replace('voicemail: "8000"', 'voicemail: "8000", mobile: +393331234567')}`,
    problems: ['10:58: managers[0].targets.mobile: +393331234567 is a YAML number, which loses a leading 0 or +: quote it, as "+393331234567"'],
  },
  {
    name: 'unquoted whitelist entry',
    yaml: `${SIP}${ALICE}    whitelist: [ 021234567 ]\n`,
    problems: ['11:18: managers[0].whitelist[0]: 021234567 is a YAML number, which loses a leading 0 or +: quote it, as "021234567"'],
  },
  {
    name: 'id as a number',
    yaml: `${SIP}assistants:\n  - { id: 7, name: Bob, number: "2000" }\n`,
    problems: ['7:11: assistants[0].id: 7 is a YAML number, which loses a leading 0 or +: quote it, as "7"'],
  },
  {
    name: 'name as true',
    yaml: `${SIP}assistants:\n  - { id: bob, name: true, number: "2000" }\n`,
    problems: ['7:22: assistants[0].name: true is true/false, not text: quote it, as "true"'],
  },
  {
    name: 'empty name',
    yaml: `${SIP}assistants:\n  - { id: bob, name: "", number: "2000" }\n`,
    problems: ['7:22: assistants[0].name: must not be empty'],
  },
  {
    name: 'missing name value',
    yaml: `${SIP}assistants:\n  - id: bob\n    name:\n    number: "2000"\n`,
    problems: ['8:10: assistants[0].name: must be text, not empty'],
  },
  {
    name: 'id with a space',
    yaml: `${SIP}assistants:\n  - { id: "bob b", name: Bob, number: "2000" }\n`,
    problems: ['7:11: assistants[0].id: "bob b" must be 1 to 64 letters, digits or _.@- (no spaces)'],
  },
  {
    name: 'not a phone number',
    yaml: `${SIP}assistants:\n  - { id: bob, name: Bob, number: "ext 2000" }\n`,
    problems: ['7:35: assistants[0].number: "ext 2000" is not a phone number (digits, optionally starting with +)'],
  },
  {
    name: 'whitelist pattern',
    yaml: `${SIP}${ALICE}    whitelist: [ "3*4" ]\n`,
    problems: ['11:18: managers[0].whitelist[0]: "3*4" is not a number or a trailing-* prefix (as "3*")'],
  },
  {
    name: 'time zone',
    yaml: `${SIP}${ALICE}    time_zone: Europe/Roma\n`,
    problems: ['11:16: managers[0].time_zone: "Europe/Roma" is not an IANA time zone (as Europe/Rome or UTC)'],
  },
  {
    name: 'targets without desk',
    yaml: `${SIP}${ALICE.replace('desk: "81000", ', '')}`,
    problems: ['10:14: managers[0].targets: missing required key "desk"'],
  },
  // References, duplicates, consistency
  {
    name: 'unknown assistant in the pool',
    yaml: `${SIP}${ALICE}    assistants: [ bob, dave ]\n${BOB}`,
    problems: ['11:24: managers[0].assistants[1]: "dave" is not an assistant (known: bob)'],
  },
  {
    name: 'a near miss of an assistant id',
    yaml: `${SIP}${ALICE}    assistants: [ bbo ]\n${BOB}`,
    problems: ['11:19: managers[0].assistants[0]: "bbo" is not an assistant (did you mean "bob"?)'],
  },
  {
    name: 'assistant listed twice',
    yaml: `${SIP}${ALICE}    assistants: [ bob, bob ]\n${BOB}`,
    problems: ['11:24: managers[0].assistants[1]: "bob" is listed twice'],
  },
  {
    name: 'active outside the pool',
    yaml: `${SIP}${ALICE}    assistants: [ bob ]\n    active: [ carol ]\n${BOB}assistants_more: 1\n`.replace('assistants_more: 1\n', ''),
    problems: ['12:15: managers[0].active[0]: "carol" is not in this manager\'s assistants (known: bob)'],
  },
  {
    name: 'no assistants at all',
    yaml: `${SIP}${ALICE}    assistants: [ bob ]\n`,
    problems: ['11:19: managers[0].assistants[0]: "bob" is not an assistant (there are none)'],
  },
  {
    name: 'fallback without its target',
    yaml: `${SIP}${ALICE}    fallback: alternative\n`,
    problems: ['11:15: managers[0].fallback: "alternative" needs targets.alternative, which this manager does not have'],
  },
  {
    name: 'target that loops',
    yaml: `${SIP}${ALICE.replace('"81000"', '"1000"')}`,
    problems: ['10:22: managers[0].targets.desk: "1000" is the public number of alice: the call would loop back into IMA'],
  },
  {
    name: 'duplicate manager id',
    yaml: `${SIP}${ALICE}${ALICE.replace('managers:\n', '').replace('"1000"', '"1001"')}`,
    problems: ['11:9: managers[1].id: duplicate id "alice" (first at managers[0].id, line 7)'],
  },
  {
    name: 'duplicate number across managers and assistants',
    yaml: `${SIP}${ALICE}${BOB.replace('"2000"', '"1000"')}`,
    problems: ['12:43: assistants[0].number: this number is already taken (by managers[0].number, line 9)'],
  },
  {
    name: 'duplicate number once normalised',
    yaml: `${SIP}${ALICE.replace('"1000"', '"+39 02 1234 567"')}${BOB.replace('"2000"', '"0039021234567"')}`,
    problems: ['12:43: assistants[0].number: this number is already taken (by managers[0].number, line 9)'],
  },
  {
    name: 'duplicate login',
    yaml: `${SIP}users:\n  - { login: root, role: admin, password_hash: "${HASH}" }\n  - { login: root, role: admin, password_hash: "${HASH}" }\n`,
    problems: ['8:14: users[1].login: duplicate login "root" (first at users[0].login, line 7)'],
  },
  {
    name: 'manager role without manager',
    yaml: `${SIP}users:\n  - { login: alice, role: manager, password_hash: "${HASH}" }\n`,
    problems: ['7:5: users[0]: role manager needs "manager:" (the manager this login stands for)'],
  },
  {
    name: 'admin naming a manager',
    yaml: `${SIP}${ALICE}users:\n  - { login: root, role: admin, manager: alice, password_hash: "${HASH}" }\n`,
    problems: ['12:33: users[0].manager: only a user with role manager names a manager'],
  },
  {
    name: 'user of an unknown manager',
    yaml: `${SIP}users:\n  - { login: alice, role: manager, manager: alice, password_hash: "${HASH}" }\n`,
    problems: ['7:45: users[0].manager: "alice" is not a manager (there are none)'],
  },
  {
    name: 'user of an unknown assistant',
    yaml: `${SIP}${BOB}users:\n  - { login: bob, role: assistant, assistant: zed, password_hash: "${HASH}" }\n`,
    problems: ['9:47: users[0].assistant: "zed" is not an assistant (known: bob)'],
  },
  {
    name: 'unknown role',
    yaml: `${SIP}users:\n  - { login: root, role: root, password_hash: "${HASH}" }\n`,
    problems: ['7:26: users[0].role: "root" is not one of admin, manager, assistant'],
  },
  {
    name: 'password in clear',
    yaml: `${SIP}users:\n  - { login: root, role: admin, password_hash: hunter2 }\n`,
    problems: ['7:48: users[0].password_hash: this is not a password hash: expected scrypt$N$r$p$salt$hash (make one with `imad hash-password`)'],
  },
  {
    name: 'hash with a weak cost',
    yaml: `${SIP}users:\n  - { login: root, role: admin, password_hash: "${HASH.replace('$1024$', '$16$')}" }\n`,
    problems: ['7:48: users[0].password_hash: scrypt N "16" must be a power of two from 2^10 to 2^20'],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    t.same(problemsOf(c.yaml), c.problems);
  });
}
