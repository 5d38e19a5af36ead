"""The local runtime of Micro-Wish: `make run` → `python -m infra.local` (see __main__.py).

moto (server mode, loopback) stands in for AWS; everything else comes from template.yaml: the
stack is created in moto's CloudFormation from the offline SAM translation, every HttpApi route
is served on http://127.0.0.1:$PORT by the real handlers (API Gateway v2 events, JWT authorizer),
and the queue and stream event sources and the schedules run with their settings. Nothing here
names a route or a function of the app (the in-process test harness, which does, is
tests/support/harness.py). Only what the template uses is supported: JWT authorizers, SQS
destinations, exact-value filter patterns, rate/cron schedules; anything else is reported or refused.

    translate.py   SAM → CloudFormation offline (also `make lint`)
    stack.py       plan_stack / deploy_stack: the stack in moto (in-process or server)
    specs.py       what runs locally (functions, routes, event sources, schedules), read from it
    motocopy.py    the translated template as moto's CloudFormation gets it, and creating it
    readtemplate.py  reading the specs back from the template and what moto resolved
    routing.py     the HTTP API's route matcher (the server's, and the test harness's)
    events.py      Lambda events as AWS builds them (pure; handler tests use them too)
    motoserver.py  moto's server, one request at a time, in a child process
    motopatch.py   two fixes to moto's DynamoDB (transactions, UpdateItem stream records)
    workers.py     handlers in worker subprocesses (pools, cold starts, timeouts)
    httpserver.py  the HTTP API and the /dev routes
    auth.py        local token issuer (/dev/tokens, JWKS) and the JWT authorizer's checks
    pollers.py     SQS and DynamoDB stream event sources
    schedules.py   rate/cron schedules
    journal.py     the state folder: moto's successful write calls, replayed at the next start
    destinations.py, filters.py, clock.py, reload.py, runtime.py (ties it all together)

moto gaps worked around (measured with moto 5.2):
- event source mappings: moto's try Docker, fail, and still delete the SQS messages / stream
  records → removed from moto's copy of the stack; pollers.py runs them.
- AWS::ApiGatewayV2::* and AWS::Scheduler::Schedule are skipped by moto (with a warning, repeated
  on every describe; silenced) → served / fired here, read from the template.
- Intrinsics in what moto does not create (an event source's ARN, a schedule's target, an
  authorizer's issuer) → resolved by moto itself through hidden stack Outputs.
- A Number parameter comes back from GetFunctionConfiguration as an int → made text.
- moto's Lambda ignores Architectures and drops Layers → layers are read from the template.
- Lambda and LayerVersion creation read the code from S3 → tiny stub zips in a stub bucket.
- moto's backends are not thread-safe (two conditional writes can both succeed) → the server
  runs one request at a time (SQS ReceiveMessage, which may wait, excepted).
- TransactWriteItems deep-copies the whole table (seconds per call at 5,000 items) and, when
  cancelled, swaps in the copy, stranding stream readers → motopatch.py journals the touched
  items instead.
- UpdateItem that creates an item writes two INSERT stream records (the first with the key only)
  → motopatch.py drops the first.
- DynamoDB Streams: moto keeps every shard iterator it hands out (two per poll) → pruned.
- Stream records carry no eventSourceARN, awsRegion is always us-east-1, and
  ApproximateCreationDateTime is a datetime → events.py builds the record Lambda would get.
"""
