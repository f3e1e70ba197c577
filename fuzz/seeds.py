#!/usr/bin/env python3
"""fuzz/seeds.py -- (re)write the committed seed corpora fuzz/corpus/<target>/
from the test fixtures (tests/fixtures: SNWS2 vectors, OSCP samples) and the
bodies the integration tests send (tests/integration/lib.mjs).  Run it from
anywhere; it replaces every seed it writes (seed-*) and leaves other files.
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
FIX = os.path.join(SRC, 'tests', 'fixtures')
seeds = {}


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    seeds.setdefault(target, []).append(data)


def js(o):
    return json.dumps(o, ensure_ascii=False)


# Entities: the bodies of tests/integration/lib.mjs and a few the tests vary.
cp = {'name': 'Grid Co', 'registrationStatus': 'Pending',
      'baseUrl': 'https://cp-1.example/oscp/cp/2.0', 'enabled': True,
      'serviceProps': {'oauth-token-url': 'https://auth.example/token',
                       'oauth-client-id': 'abc', 'oauth-client-secret': 's3cr3t'}}
add('peer', js(cp))
add('peer', js({'name': 'Flex Co', 'registrationStatus': 'Registered',
                'baseUrl': 'https://co-1.example/oscp/co/2.0', 'enabled': False,
                'oscpVersion': '2.0', 'serviceProps': {'url-paths': {'Heartbeat': '/hb'}}}))
add('peer', js({'name': '', 'registrationStatus': None, 'baseUrl': 'not a uri'}))
add('peer', '{"name":"\\u00e9\\ud83d\\ude00","enabled":1,"x":[{"":0}]}')
grp = {'name': 'Group 1', 'identifier': 'grp-1', 'capacityProviderId': 1,
       'capacityOptimizerId': 2, 'capacityProviderMeasurementPeriod': 'FifteenMinute',
       'capacityOptimizerMeasurementPeriod': 'FifteenMinute', 'enabled': True,
       'serviceProps': {'a': [1, 2.5, None, True]}}
add('group', js(grp))
add('group', js({'name': 'G', 'identifier': 'g', 'capacityProviderId': 9223372036854775807,
                 'capacityOptimizerId': -1, 'capacityProviderMeasurementPeriod': 'Hour'}))
add('group', js({'name': ' ' * 65, 'identifier': None, 'capacityProviderId': '1'}))
asset = {'name': 'Charger 1', 'capacityGroupId': 1, 'identifier': 'chg-1',
         'audience': 'CapacityProvider', 'nodeId': 1, 'sourceId': '/ev/1',
         'category': 'Charging', 'phase': 'All', 'enabled': True,
         'instantaneous': {'propertyNames': ['watts'], 'unit': 'kW', 'multiplier': 0.001,
                           'statisticType': 'Maximum'},
         'energy': {'propertyNames': ['wattHours'], 'unit': 'kWh', 'multiplier': 0.001,
                    'statisticType': 'Difference', 'type': 'Total', 'direction': 'Import'},
         'serviceProps': {'k': 'v'}}
add('asset', js(asset))
add('asset', js({'name': 'A', 'capacityGroupId': 1, 'identifier': 'a',
                 'audience': 'FlexibilityProvider', 'nodeId': 0, 'sourceId': '',
                 'category': 'Unknown', 'phase': 'A',
                 'instantaneous': {'propertyNames': [], 'unit': 'W', 'multiplier': 1e400},
                 'energy': None}))
add('asset', '{"instantaneous":{"propertyNames":["a","b","c"],"multiplier":-0.0e-7}}')

# OSCP messages: the samples (valid and invalid) by message.
samples = os.path.join(FIX, 'oscp-samples')
kinds = [('register', 'oscp_register'), ('handshake-ack', 'oscp_handshake_ack'),
         ('handshake-cp', 'oscp_handshake'), ('handshake', 'oscp_handshake'),
         ('heartbeat', 'oscp_heartbeat'), ('forecast', 'oscp_forecast')]
for d in (samples, os.path.join(samples, 'invalid')):
    for f in sorted(os.listdir(d)):
        if not f.endswith('.json'):
            continue
        for k, t in kinds:
            if k in f:
                with open(os.path.join(d, f), 'rb') as fh:
                    add(t, fh.read())
                break
add('oscp_handshake_ack', '{"required_behaviour":{}}')
add('oscp_handshake', '{"required_behaviour":{"heartbeat_interval":30.5,'
    '"measurement_configuration":["CONTINUOUS","INTERMITTENT"]}}')
add('oscp_handshake', '{"required_behaviour":{"heartbeat_interval":-1e999,'
    '"measurement_configuration":["CONTINUOUS","CONTINUOUS"]}}')
add('oscp_heartbeat', '{"offline_mode_at":"2025-03-07T09:05:03.123456789+14:00"}')
add('oscp_heartbeat', '{"offline_mode_at":"9999-12-31T23:59:59-00:01"}')

# SNWS2: each vector as FastCGI params (one a line) + body; the secret
# rides along as FUZZ_SECRET so a seed can verify.
def params(method, target, headers, secret):
    p = ['REQUEST_METHOD=' + method, 'REQUEST_URI=' + target]
    for k, v in headers.items():
        k = k.upper().replace('-', '_')
        if k in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
            p.append(k + '=' + v)
        else:
            p.append('HTTP_' + k + '=' + v)
    if secret is not None:
        p.append('FUZZ_SECRET=' + secret)
    return p


with open(os.path.join(FIX, 'snws2-vectors.json')) as fh:
    vec = json.load(fh)['vectors']
with open(os.path.join(FIX, 'snws2-jsclient-random.json')) as fh:
    rnd = json.load(fh)['cases'][:20]
for v in vec:
    i = v['input']
    p = params(i['method'], i['request_target'], v['expected']['headers'],
               i['token_secret'])
    body = i.get('body') or ''
    add('snws2', '\n'.join(p) + '\n\n' + body)
    add('fcgi', '\0'.join(p[:-1]) + '\0\0' + body)
    if '?' in i['request_target']:
        add('query', i['request_target'].split('?', 1)[1])
for c in rnd:
    p = params(c['method'], c['target'], c['headers'], c['secret'])
    body = c.get('body') or ''
    add('snws2', '\n'.join(p) + '\n\n' + body)
    if '?' in c['target']:
        add('query', c['target'].split('?', 1)[1])
add('fcgi', '\0'.join(['REQUEST_METHOD=POST', 'REQUEST_URI=/oscp/fp/2.0/heartbeat',
                       'CONTENT_TYPE=application/json', 'CONTENT_LENGTH=2',
                       'HTTP_AUTHORIZATION=Token abc']) + '\0\0{}')
add('fcgi', '\0'.join(['REQUEST_URI=/ping?x=1', 'CONTENT_LENGTH=99999999999999999999']))
add('query', 'a=1&b=2&a=0&c')
add('query', '%E2%82%AC=%zz&=&&x=%2b+%20')

# Routes: method, newline, path.
for m, path in [('GET', '/ping'), ('GET', '/solaruser/api/v1/sec/user/oscp/capacity-providers'),
                ('PUT', '/solaruser/api/v1/sec/user/oscp/capacity-providers/12'),
                ('DELETE', '/solaruser/api/v1/sec/user/oscp/capacity-groups/3/assets'),
                ('GET', '/solaruser/api/v1/sec/user/oscp/capacity-optimizers/1/events'),
                ('PATCH', '/solaruser/api/v1/sec/user/oscp/assets/9223372036854775808'),
                ('POST', '/oscp/fp/2.0/handshake_acknowledgment'),
                ('POST', '/oscp/fp/2.0/update_group_capacity_forecast')]:
    add('route', m + '\n' + path)

# Timestamps: each format, edges.
for s in ['2022-09-08 22:54:31.746647Z', '2022-09-08 22:54:31Z', '0000-01-01 00:00:00Z',
          '2024-02-29T23:59:59.999999999+14:00', '2022-09-08t22:54:31z',
          '0000-01-01T00:00:00+00:01', 'Fri, 07 Mar 2025 09:05:03 GMT',
          'Friday, 07-Mar-25 09:05:03 GMT', 'Fri Mar  7 09:05:03 2025',
          'Sun, 31 Dec 9999 23:59:59 GMT']:
    add('timefmt', s)

# Token policy apiPaths: patterns, last line the path.
add('api_paths', '/user/oscp/**\n!/user/oscp/assets/*\n/user/oscp/assets/12')
add('api_paths', '/**/a?c/*\n/x/y/abc/d')
add('api_paths', '**\n*\n?\n/')

# Settings: the example file and odd lines.
with open(os.path.join(SRC, 'oscp-fp.conf.example'), 'rb') as fh:
    add('settings', fh.read())
add('settings', '\ufeff[server]\nworkers = 4\nlisten_mode = 0600\nlog_level = debug\n'
    'db_password = "a \\" b"\nlog_syslog = yes\n; c\n')
add('settings', 'body_max = 1073741824\njson_max_depth=1024\nfp_base_url=https://x/\n')

for t, lst in sorted(seeds.items()):
    d = os.path.join(HERE, 'corpus', t)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith('seed-'):
            os.remove(os.path.join(d, f))
    for data in lst:
        h = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(d, 'seed-' + h), 'wb') as fh:
            fh.write(data)
    print('%-20s %3d seeds' % (t, len(lst)), file=sys.stderr)
