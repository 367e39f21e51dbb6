import { it } from 'vitest';
import * as c from '../../../src/registry/epp/commands.js';
it('prints', () => {
console.log(c.helloFrame());
console.log(c.loginCommand({clID:'ClientX', pw:'foo-BAR2', newPW:'bar-FOO2', clTRID:'ABC-12345'}));
console.log(c.domainUpdateCommand({name:'example.test', add:{ns:['ns2.example.test'], statuses:[{s:'clientHold', message:'Payment overdue.', lang:'en'}]}, rem:{statuses:['clientUpdateProhibited']}, chg:{authInfo:'2BARfoo'}, secDns:{rem:[{keyTag:12345,alg:3,digestType:1,digest:'38EC35D5B3A34B33C99B'}], add:[{keyTag:12346,alg:3,digestType:1,digest:'38EC35D5B3A34B4A78EE'}], maxSigLife:605900}, clTRID:'ABC-12345'}));
console.log(c.hostCreateCommand({name:'ns1.example.test', addrs:['192.0.2.2','2001:db8::1'], clTRID:'ABC-12345'}));
});
