/**
 * From the configuration to the policy:
 * - yamlPathOf turns the policy's camelCase paths into the YAML's snake_case ones
 * - every field of a manager reaches the policy's ManagerInput, and the policy's initial state
 *   is what the YAML said
 */
import t from 'tap';
import { configDirectory, toDirectoryInput, yamlPathOf } from '../../src/config/to-directory.js';
import { SIP, configOf } from '../fixtures/config.js';

t.test('yamlPathOf', async (t) => {
  t.equal(yamlPathOf('managers[0].noAnswerMs'), 'managers[0].no_answer');
  t.equal(yamlPathOf('managers[2].filterMode'), 'managers[2].filter_mode');
  t.equal(yamlPathOf('managers[1].timeZone'), 'managers[1].time_zone');
  t.equal(yamlPathOf('numbering.countryCode'), 'numbering.country_code');
  t.equal(yamlPathOf('numbering.accessCodes[0]'), 'numbering.access_codes[0]');
  t.equal(yamlPathOf('users[3].manager'), 'users[3].manager');
});

t.test('a manager reaches the policy with every setting', async (t) => {
  const config = configOf(
    `${SIP}managers:\n` +
      '  - id: m\n    name: M\n    number: "1000"\n' +
      '    targets: { desk: "81000", voicemail: "8000", softphone: "71000", alternative: "1099" }\n' +
      '    assistants: [ a, b ]\n    active: [ b ]\n    filter: on\n    filter_mode: exclusive\n    availability: away\n' +
      '    alerting: sequential\n    no_answer: 1m\n    fallback: alternative\n    block_action: reject\n' +
      '    whitelist: [ "3*" ]\n    time_zone: Europe/Rome\n' +
      'assistants:\n  - { id: a, name: A, number: "2000" }\n  - { id: b, name: B, number: "2001", availability: offline }\n' +
      'numbering: { country_code: "39" }\n',
  );
  const input = toDirectoryInput(config);
  t.same(input.managers[0], {
    id: 'm',
    name: 'M',
    number: '1000',
    targets: { desk: '81000', voicemail: '8000', softphone: '71000', alternative: '1099' },
    assistants: ['a', 'b'],
    active: ['b'],
    filter: true,
    filterMode: 'exclusive',
    availability: 'away',
    alerting: 'sequential',
    noAnswerMs: 60_000,
    fallback: 'alternative',
    blockAction: 'reject',
    whitelist: ['3*'],
    timeZone: 'Europe/Rome',
  });
  t.equal(input.numbering?.countryCode, '39');
  const result = configDirectory(config);
  if (!result.ok) {
    t.fail(JSON.stringify(result.problems));
    return;
  }
  const manager = result.directory.managers.get('m');
  t.equal(manager?.timeZone, 'Europe/Rome');
  t.same(manager?.pool, ['a', 'b']);
  t.equal(manager?.initial.isFilterOn, true);
  t.equal(manager?.initial.noAnswerMs, 60_000);
  t.same(manager?.initial.active, ['b']);
  t.equal(result.directory.assistants.get('b')?.initial.availability, 'offline');
});
