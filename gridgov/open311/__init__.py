"""Open311 GeoReport v2 at /open311/v2/: a thin adapter over the catalogue and cases.

services.{json,xml}            the catalogue: service_code = category code (S0501), group = 大类
services/{code}.{json,xml}     a service definition (no extra attributes: metadata is false)
POST requests.{json,xml}       a new case through actions.report_case(source=Source.OPEN311),
                               with an api_key issued for one town (jurisdiction)
GET requests.{json,xml}        public list: by ids, service_code, dates, status; last 90 days by
                               default, at most 1,000 requests
GET requests/{id}.{json,xml}   one request

jurisdiction_id is a town's 9-digit code (district code + town code, e.g. 310105xxx); it may be
left out while the platform serves a single town. Public answers carry no personal data: no
reporter, the address with house numbers masked, long digit runs (phone, ID numbers) in the
description masked. A request's media_url is not fetched: the platform makes no outside calls.

Keys are issued, listed and revoked in the admin or by `gridgov open311_key issue|list|revoke`
(both through keys.issue_key / keys.set_active, audited); README, "Connecting a partner system".
"""
