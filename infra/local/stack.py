"""Create the template's stack in moto and describe what the local runtime must run.

    stack = deploy_stack(boto3.Session(region_name="us-east-1"), "template.yaml",
                         {"JwtIssuer": "http://127.0.0.1:3000/dev"})
    stack.outputs["TableName"]; stack.functions["ApiFunction"].env; stack.routes; ...

Works against moto in-process (`moto.mock_aws`) and against a moto server (pass
`endpoint_url=`). Everything is read from the template: nothing here names a function or a
route of the app.

How (and which moto gaps this works around):
1. The SAM template is translated offline (translate.py): local CodeUri/ContentUri become
   `s3://local-stub/<LogicalId>.zip`; we create that bucket and tiny zips in moto, because moto's
   Lambda and LayerVersion creation read the code object from S3.
2. From the translated template we build a *local copy* for moto's CloudFormation:
   - every AWS::Lambda::EventSourceMapping is removed: moto's mappings try to invoke the
     function in Docker, fail, and still delete the SQS messages / stream records. The runtime
     polls the queues and streams itself (pollers.py).
   - AWS::ApiGatewayV2::* and AWS::Scheduler::* are removed: moto skips them anyway (with a
     warning); the runtime serves the routes and fires the schedules itself, read from the
     template.
   - the values the runtime needs resolved (an event source's queue/stream ARN, a destination,
     a schedule's target and input, an authorizer's issuer...) are added as hidden stack
     Outputs, so moto's own intrinsic resolver evaluates them (Ref, GetAtt, Sub, Join, If...).
3. A function's environment variables are read back resolved with GetFunctionConfiguration.

The parts: specs.py (what runs locally), motocopy.py (step 1 and 2), readtemplate.py (reading the
specs back), this module (planning, then deploying).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local.motocopy import (
    HIDDEN_OUTPUT_PREFIX,
    apply_bucket_lifecycles,
    build_moto_template,
    create_stack,
    list_resources,
    upload_stubs,
)
from infra.local.readtemplate import (
    mark_api_values,
    read_apis,
    read_async_configs,
    read_event_sources,
    read_functions,
    read_schedules,
)
from infra.local.specs import (  # noqa: F401 - re-exported: what the runtime runs
    ApiSpec,
    AsyncConfig,
    AuthorizerSpec,
    FunctionSpec,
    LocalStack,
    RouteSpec,
    ScheduleSpec,
    SqsSource,
    StreamSource,
)
from infra.local.translate import DEFAULT_REGION, load_template, stub_local_uris, translate

DEFAULT_STACK_NAME = "microwish"


# --- clients ----------------------------------------------------------------------------------


ClientFactory = Callable[[str], Any]


def client_factory(session_or_clients: Any, endpoint_url: str | None = None) -> ClientFactory:
    """A `(service name) -> client` callable from a boto3 Session, a dict of clients or a callable."""
    if callable(session_or_clients) and not hasattr(session_or_clients, "client"):
        return session_or_clients
    if isinstance(session_or_clients, dict):
        clients = session_or_clients

        def from_dict(service: str) -> Any:
            if service not in clients:
                raise KeyError(f"deploy_stack needs a {service!r} client")
            return clients[service]

        return from_dict
    session = session_or_clients
    if session is None:
        import boto3

        session = boto3.session.Session(region_name=DEFAULT_REGION)
    cache: dict[str, Any] = {}

    def from_session(service: str) -> Any:
        if service not in cache:
            kwargs = {"endpoint_url": endpoint_url} if endpoint_url else {}
            cache[service] = session.client(service, **kwargs)
        return cache[service]

    return from_session


# --- the entry point --------------------------------------------------------------------------


@dataclass
class StackPlan:
    """Everything decided offline: the translation and moto's copy (see plan_stack)."""

    template_path: Path
    stack_name: str
    region: str
    account_id: str
    sam: dict[str, Any]
    cfn: dict[str, Any]
    moto_template: dict[str, Any]
    overrides: dict[str, str]
    local_uris: dict[str, str]
    removed: dict[str, Any]


def plan_stack(
    template_path: str | Path,
    parameter_overrides: dict[str, str] | None = None,
    *,
    stack_name: str = DEFAULT_STACK_NAME,
    region: str = DEFAULT_REGION,
    account_id: str = "123456789012",
) -> StackPlan:
    """The offline half of deploy_stack (no AWS call): translate, and build moto's copy."""
    template_path = Path(template_path).resolve()
    sam = load_template(template_path)
    declared = set((sam.get("Parameters") or {}).keys())
    overrides = {k: str(v) for k, v in (parameter_overrides or {}).items() if k in declared}
    stubbed = copy.deepcopy(sam)
    local_uris = stub_local_uris(stubbed)
    cfn = translate(stubbed, overrides, region=region, account_id=account_id)
    local, removed, hidden = build_moto_template(cfn)
    mark_api_values(cfn, hidden, removed)
    local["Outputs"] = {**local.get("Outputs", {}), **hidden.outputs}
    if not local["Outputs"]:
        local.pop("Outputs")
    return StackPlan(template_path, stack_name, region, account_id, sam, cfn, local, overrides, local_uris, removed)


def deploy_stack(
    session_or_clients: Any,
    template_path: str | Path | StackPlan,
    parameter_overrides: dict[str, str] | None = None,
    *,
    endpoint_url: str | None = None,
    stack_name: str = DEFAULT_STACK_NAME,
    region: str | None = None,
    api_url: str | None = None,
) -> LocalStack:
    """Translate `template_path`, create its stack in moto and return what runs locally.

    `session_or_clients`: a boto3 Session (clients are made with `endpoint_url` when given), a
    dict {service name: client}, or a callable (service name) -> client. Overrides for parameters
    the template does not declare are ignored. `api_url`, when given, replaces the
    `https://<api>.execute-api...` part of Outputs that point at an HTTP API (moto cannot resolve
    them). `template_path` may also be a StackPlan made earlier (the runtime translates while
    moto starts); the overrides, stack name and region are then the plan's.
    """
    clients = client_factory(session_or_clients, endpoint_url)
    cfn_client = clients("cloudformation")
    if isinstance(template_path, StackPlan):
        plan = template_path
    else:
        plan = plan_stack(
            template_path,
            parameter_overrides,
            stack_name=stack_name,
            region=region or cfn_client.meta.region_name or DEFAULT_REGION,
        )
    sam, cfn, overrides, removed = plan.sam, plan.cfn, plan.overrides, plan.removed
    stack_name, region, account_id = plan.stack_name, plan.region, plan.account_id

    upload_stubs(clients("s3"), list(plan.local_uris), region)
    create_stack(cfn_client, stack_name, plan.moto_template, overrides)
    stack = cfn_client.describe_stacks(StackName=stack_name)["Stacks"][0]
    all_outputs = {o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs") or []}
    resolved = {k: v for k, v in all_outputs.items() if k.startswith(HIDDEN_OUTPUT_PREFIX)}
    outputs = {k: v for k, v in all_outputs.items() if not k.startswith(HIDDEN_OUTPUT_PREFIX)}
    if api_url:
        outputs = {k: re.sub(r"^https://[^/]*execute-api[^/]*", api_url.rstrip("/"), v) for k, v in outputs.items()}
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters") or []}
    for name, spec in (sam.get("Parameters") or {}).items():
        parameters.setdefault(name, str(overrides.get(name, (spec or {}).get("Default", ""))))
    parameters.update(overrides)

    created = list_resources(cfn_client, stack_name)
    skipped: list[str] = []
    template_dir = plan.template_path.parent
    functions = read_functions(cfn, plan.local_uris, template_dir, created, clients("lambda"), skipped)
    apis, routes, api_skipped = read_apis(cfn, removed, resolved)
    skipped.extend(api_skipped)
    event_sources = read_event_sources(cfn, removed, resolved, functions, clients("sqs"), skipped)
    schedules = read_schedules(cfn, removed, resolved, functions, skipped, region, account_id)
    async_configs = read_async_configs(cfn, removed, resolved, functions)
    apply_bucket_lifecycles(clients("s3"), cfn, created, parameters)
    for route in routes:
        if route.function not in functions:
            skipped.append(f"route {route.route_key}: function {route.function} does not run locally")
    routes = sorted((r for r in routes if r.function in functions), key=lambda r: (r.path, r.method))
    return LocalStack(
        stack_name=stack_name,
        region=region,
        account_id=account_id,
        template_path=str(plan.template_path),
        parameters=parameters,
        outputs=outputs,
        resources=created,
        functions=functions,
        routes=routes,
        apis=apis,
        event_sources=event_sources,
        schedules=schedules,
        async_configs=async_configs,
        sam_template=sam,
        cfn_template=cfn,
        skipped=skipped,
    )
