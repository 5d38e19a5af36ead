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
   - FIFO queues without QueueName get `<stack>-<LogicalId>.fifo`: moto cannot name them.
   - the values the runtime needs resolved (an event source's queue/stream ARN, a destination,
     a schedule's target and input, an authorizer's issuer...) are added as hidden stack
     Outputs, so moto's own intrinsic resolver evaluates them (Ref, GetAtt, Sub, Join, If...).
3. A function's environment variables are read back resolved with GetFunctionConfiguration.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.translate import (
    DEFAULT_REGION,
    STUB_BUCKET,
    load_template,
    stub_key,
    stub_local_uris,
    translate,
)

DEFAULT_STACK_NAME = "microwish"
HIDDEN_OUTPUT_PREFIX = "LocalRuntimeValue"

# moto's event source mappings must not exist (see the module docstring): removed.
_REMOVED_TYPES = {"AWS::Lambda::EventSourceMapping"}
# Kept in moto's copy (moto skips the first two with a warning, and never fires the rules), but
# their properties are resolved through hidden outputs for the runtime's scheduler.
_SCHEDULE_TYPES = {"AWS::Scheduler::Schedule", "AWS::Events::Rule", "AWS::Lambda::EventInvokeConfig"}

_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_ANY_METHOD = "x-amazon-apigateway-any-method"


# --- what the runtime runs ------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str  # physical FunctionName in moto
    arn: str
    code_dir: str  # absolute path of the CodeUri folder
    handler: str  # "app.handler"
    layer_dirs: tuple[str, ...]  # absolute ContentUri folders of the function's layers, in order
    env: dict[str, str]  # Environment.Variables, resolved
    timeout: int  # seconds
    memory: int  # MB
    runtime: str = "python3.13"


@dataclass(frozen=True)
class AuthorizerSpec:
    name: str
    api: str
    kind: str  # "jwt" | "lambda"
    issuer: str = ""
    audience: tuple[str, ...] = ()
    identity_source: tuple[str, ...] = ()
    function: str | None = None  # kind "lambda": the authorizer function's logical id
    payload_version: str = "2.0"
    simple_responses: bool = False


@dataclass(frozen=True)
class RouteSpec:
    method: str  # "GET", ... or "ANY"
    path: str  # "/wishes/{id}", "/files/{proxy+}" or "$default"
    function: str  # logical id
    auth: str  # "jwt" | "none" | "lambda"
    api: str = ""  # the HTTP API's logical id
    authorizer: str | None = None  # authorizer name (None when auth == "none")
    scopes: tuple[str, ...] = ()

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class ApiSpec:
    logical_id: str
    cors: dict[str, Any] | None
    authorizers: dict[str, AuthorizerSpec]


@dataclass(frozen=True)
class SqsSource:
    logical_id: str
    function: str
    queue_arn: str
    queue_url: str
    batch_size: int = 10
    max_batching_window: float = 0.0
    report_batch_item_failures: bool = False
    enabled: bool = True
    filters: tuple[dict[str, Any], ...] = ()
    max_concurrency: int | None = None
    kind: str = "sqs"


@dataclass(frozen=True)
class StreamSource:
    logical_id: str
    function: str
    stream_arn: str
    batch_size: int = 100
    starting_position: str = "LATEST"
    report_batch_item_failures: bool = False
    on_failure_arn: str | None = None
    maximum_retry_attempts: int = -1  # -1: until the record expires (as AWS)
    bisect_on_error: bool = False
    max_batching_window: float = 0.0
    enabled: bool = True
    filters: tuple[dict[str, Any], ...] = ()
    kind: str = "dynamodb"


@dataclass(frozen=True)
class ScheduleSpec:
    name: str  # the schedule's logical id in the translated template
    function: str  # target function's logical id
    expression: str  # "rate(15 minutes)", "cron(0 18 * * ? *)", "at(...)"
    input: str | None  # JSON text, or None
    kind: str  # "scheduler" (ScheduleV2, AWS::Scheduler::Schedule) | "events" (Schedule, rules)
    enabled: bool = True
    timezone: str = "UTC"
    arn: str = ""


@dataclass(frozen=True)
class AsyncConfig:
    """A function's AWS::Lambda::EventInvokeConfig: what happens when an asynchronous
    invocation (a schedule's) fails. Without one Lambda retries twice and drops the event."""

    function: str
    maximum_retry_attempts: int = 2
    on_failure_arn: str | None = None
    on_success_arn: str | None = None


@dataclass
class LocalStack:
    stack_name: str
    region: str
    account_id: str
    template_path: str
    parameters: dict[str, str]
    outputs: dict[str, str]
    resources: dict[str, str]  # logical id -> physical id (what moto created)
    functions: dict[str, FunctionSpec]
    routes: list[RouteSpec]
    apis: dict[str, ApiSpec]
    event_sources: list[SqsSource | StreamSource]
    schedules: list[ScheduleSpec]
    async_configs: dict[str, AsyncConfig] = field(default_factory=dict)
    sam_template: dict[str, Any] = field(repr=False, default_factory=dict)
    cfn_template: dict[str, Any] = field(repr=False, default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # what the template has that runs nowhere

    def physical_id(self, logical_id: str) -> str:
        return self.resources[logical_id]

    @property
    def sqs_sources(self) -> list[SqsSource]:
        return [s for s in self.event_sources if isinstance(s, SqsSource)]

    @property
    def stream_sources(self) -> list[StreamSource]:
        return [s for s in self.event_sources if isinstance(s, StreamSource)]


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


# --- intrinsic helpers ------------------------------------------------------------------------


def _is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Ref" or key.startswith("Fn::")


def referenced_logical_id(value: Any) -> str | None:
    """The logical id a function/queue reference names, read syntactically.

    Understands {"Ref": X}, {"Fn::GetAtt": [X, "Arn"]}, "X.Arn" strings in GetAtt, and a Fn::Sub
    with a single "${X}" / "${X.Arn}" (as SAM writes integration URIs).
    """
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Ref" and isinstance(arg, str):
            return arg
        if key == "Fn::GetAtt":
            if isinstance(arg, str):
                arg = arg.split(".", 1)
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                return arg[0]
        if key == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) else arg
            if isinstance(text, str):
                names = [n for n in re.findall(r"\$\{([A-Za-z0-9]+)(?:\.Arn)?\}", text) if "::" not in n]
                if names:
                    return names[-1]
    return None


class _HiddenOutputs:
    """Collects intrinsic values to be resolved by moto as extra stack Outputs."""

    def __init__(self) -> None:
        self.outputs: dict[str, dict[str, Any]] = {}

    def mark(self, value: Any, condition: str | None) -> Any:
        """A copy of `value` where every intrinsic node is replaced by a placeholder."""
        if _is_intrinsic(value):
            key = f"{HIDDEN_OUTPUT_PREFIX}{len(self.outputs)}"
            output: dict[str, Any] = {"Value": value}
            if condition:
                output["Condition"] = condition
            self.outputs[key] = output
            return {"__local_output__": key}
        if isinstance(value, dict):
            return {k: self.mark(v, condition) for k, v in value.items()}
        if isinstance(value, list):
            return [self.mark(v, condition) for v in value]
        return value


class _Unresolved(Exception):
    pass


def _fill(value: Any, resolved: dict[str, str]) -> Any:
    """Put the resolved hidden outputs back; raises _Unresolved if one is missing (a Condition)."""
    if isinstance(value, dict):
        if set(value) == {"__local_output__"}:
            key = value["__local_output__"]
            if key not in resolved:
                raise _Unresolved(key)
            return resolved[key]
        return {k: _fill(v, resolved) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, resolved) for v in value]
    return value


# --- the local copy for moto ------------------------------------------------------------------


def _fifo_name(stack_name: str, logical_id: str) -> str:
    return f"{stack_name}-{logical_id}"[: 80 - len(".fifo")] + ".fifo"


def _truthy(value: Any, default: bool = True) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no", "disabled", "")
    return bool(value)


def build_moto_template(cfn: dict[str, Any], stack_name: str) -> tuple[dict[str, Any], dict[str, Any], _HiddenOutputs]:
    """The translated template as moto gets it, and the resources the runtime runs itself
    (event source mappings, schedules) with their properties marked for resolving."""
    local = copy.deepcopy(cfn)
    resources: dict[str, Any] = local.get("Resources") or {}
    hidden = _HiddenOutputs()
    removed: dict[str, Any] = {}
    for logical_id, resource in list(resources.items()):
        rtype = resource.get("Type", "")
        condition = resource.get("Condition")
        if rtype in _REMOVED_TYPES or rtype in _SCHEDULE_TYPES:
            marked = dict(resource)
            marked["Properties"] = hidden.mark(resource.get("Properties") or {}, condition)
            removed[logical_id] = marked
            if rtype in _REMOVED_TYPES:
                del resources[logical_id]
        elif rtype == "AWS::SQS::Queue":
            props = resource.setdefault("Properties", {})
            if _truthy(props.get("FifoQueue"), default=False) and "QueueName" not in props:
                props["QueueName"] = _fifo_name(stack_name, logical_id)
    # Anything that depended on a removed resource no longer does.
    for resource in resources.values():
        depends = resource.get("DependsOn")
        if isinstance(depends, str):
            depends = [depends]
        if isinstance(depends, list):
            kept = [d for d in depends if d in resources]
            if kept:
                resource["DependsOn"] = kept
            else:
                resource.pop("DependsOn", None)
    outputs = local.setdefault("Outputs", {})
    outputs.update(hidden.outputs)
    return local, removed, hidden


def _stub_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "local runtime stub: the code runs from the work tree\n")
    return buffer.getvalue()


def _upload_stubs(s3: Any, logical_ids: list[str], region: str) -> None:
    try:
        if region == "us-east-1":
            s3.create_bucket(Bucket=STUB_BUCKET)
        else:
            s3.create_bucket(Bucket=STUB_BUCKET, CreateBucketConfiguration={"LocationConstraint": region})
    except Exception as error:  # already there (a second deploy in the same moto)
        if "BucketAlready" not in str(error):
            raise
    body = _stub_zip()
    for logical_id in logical_ids:
        s3.put_object(Bucket=STUB_BUCKET, Key=stub_key(logical_id), Body=body)


class _QuietUnsupported(logging.Filter):
    """Drops moto's "No Moto CloudFormation support for AWS::ApiGatewayV2::..." (expected here)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "No Moto CloudFormation support" not in record.getMessage()


def quiet_moto_unsupported() -> None:
    """Silence moto's warning for the resource types it skips (it repeats it on every describe)."""
    moto_logger = logging.getLogger("moto")
    if not any(isinstance(f, _QuietUnsupported) for f in moto_logger.filters):
        moto_logger.addFilter(_QuietUnsupported())
    warnings.filterwarnings("ignore", message=".*not supported by moto's CloudFormation.*")


def _create_stack(cfn_client: Any, stack_name: str, template: dict[str, Any], parameters: dict[str, str]) -> None:
    quiet_moto_unsupported()
    cfn_client.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    stack = cfn_client.describe_stacks(StackName=stack_name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        reasons = [
            f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}"
            for e in cfn_client.describe_stack_events(StackName=stack_name)["StackEvents"]
            if "FAILED" in e.get("ResourceStatus", "")
        ]
        raise RuntimeError(f"stack {stack_name}: {stack['StackStatus']} {reasons}")


def _list_resources(cfn_client: Any, stack_name: str) -> dict[str, str]:
    resources: dict[str, str] = {}
    kwargs: dict[str, Any] = {"StackName": stack_name}
    while True:
        page = cfn_client.list_stack_resources(**kwargs)
        for summary in page["StackResourceSummaries"]:
            resources[summary["LogicalResourceId"]] = summary.get("PhysicalResourceId", "")
        if not page.get("NextToken"):
            return resources
        kwargs["NextToken"] = page["NextToken"]


# --- reading the template ---------------------------------------------------------------------


def _function_logical_id(value: Any, cfn_resources: dict[str, Any]) -> str | None:
    """Follow a reference through aliases and versions to an AWS::Lambda::Function logical id."""
    seen = set()
    logical_id = referenced_logical_id(value)
    while logical_id and logical_id not in seen:
        seen.add(logical_id)
        resource = cfn_resources.get(logical_id) or {}
        rtype = resource.get("Type")
        if rtype == "AWS::Lambda::Function":
            return logical_id
        if rtype in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            logical_id = referenced_logical_id((resource.get("Properties") or {}).get("FunctionName"))
            continue
        return None
    return None


def _function_by_arn(arn: str, functions: dict[str, FunctionSpec]) -> str | None:
    for spec in functions.values():
        if arn in (spec.arn, spec.name) or arn.startswith(spec.arn + ":"):
            return spec.logical_id
    return None


def _env_text(value: Any) -> str:
    """An environment value as Lambda has it: text (moto hands a Number parameter back as int)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_functions(
    cfn: dict[str, Any],
    local_uris: dict[str, str],
    template_dir: Path,
    created: dict[str, str],
    lambda_client: Any,
    skipped: list[str],
) -> dict[str, FunctionSpec]:
    resources = cfn.get("Resources") or {}
    layer_dirs: dict[str, str] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") == "AWS::Lambda::LayerVersion":
            key = ((resource.get("Properties") or {}).get("Content") or {}).get("S3Key", "")
            source = key[: -len(".zip")] if key.endswith(".zip") else key
            if source in local_uris:
                layer_dirs[logical_id] = str((template_dir / local_uris[source]).resolve())
    functions: dict[str, FunctionSpec] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Lambda::Function" or logical_id not in created:
            continue
        props = resource.get("Properties") or {}
        code = props.get("Code") or {}
        key = code.get("S3Key", "") if isinstance(code, dict) else ""
        source = key[: -len(".zip")] if key.endswith(".zip") else ""
        if code.get("S3Bucket") != STUB_BUCKET or source not in local_uris:
            skipped.append(f"function {logical_id}: its code is not a local folder")
            continue
        config = lambda_client.get_function_configuration(FunctionName=created[logical_id])
        layers = []
        for layer in props.get("Layers") or []:
            layer_id = referenced_logical_id(layer)
            if layer_id in layer_dirs:
                layers.append(layer_dirs[layer_id])
            else:
                skipped.append(f"function {logical_id}: layer {layer!r} is not a local folder")
        functions[logical_id] = FunctionSpec(
            logical_id=logical_id,
            name=config["FunctionName"],
            arn=config["FunctionArn"],
            code_dir=str((template_dir / local_uris[source]).resolve()),
            handler=config.get("Handler") or props.get("Handler", ""),
            layer_dirs=tuple(layers),
            env={k: _env_text(v) for k, v in ((config.get("Environment") or {}).get("Variables") or {}).items()},
            timeout=int(config.get("Timeout") or props.get("Timeout") or 3),
            memory=int(config.get("MemorySize") or props.get("MemorySize") or 128),
            runtime=str(props.get("Runtime") or config.get("Runtime") or ""),
        )
    return functions


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(v) for v in value)


def _read_apis(
    cfn: dict[str, Any], removed: dict[str, Any], resolved: dict[str, str]
) -> tuple[dict[str, ApiSpec], list[RouteSpec], list[str]]:
    resources = cfn.get("Resources") or {}
    apis: dict[str, ApiSpec] = {}
    routes: list[RouteSpec] = []
    skipped: list[str] = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::ApiGatewayV2::Api":
            continue
        props = resource.get("Properties") or {}
        body = props.get("Body")
        if not isinstance(body, dict):
            if props.get("ProtocolType") == "WEBSOCKET":
                continue
            skipped.append(f"api {logical_id}: no inline OpenAPI Body (DefinitionUri is not read locally)")
            continue
        # Authorizer settings carry intrinsics (issuer: !Ref JwtIssuer): resolve them through the
        # hidden outputs, marking them here the same way build_moto_template marked the rest.
        authorizers: dict[str, AuthorizerSpec] = {}
        schemes = (body.get("components") or {}).get("securitySchemes") or {}
        for name, scheme in schemes.items():
            config = (scheme or {}).get("x-amazon-apigateway-authorizer") or {}
            kind = str(config.get("type", "")).lower()
            values = _fill(removed.get(f"{logical_id}#{name}", config), resolved)
            if kind == "jwt":
                jwt_config = values.get("jwtConfiguration") or {}
                authorizers[name] = AuthorizerSpec(
                    name=name,
                    api=logical_id,
                    kind="jwt",
                    issuer=str(jwt_config.get("issuer", "")),
                    audience=_strings(jwt_config.get("audience")),
                    identity_source=_strings(values.get("identitySource")),
                )
            elif kind == "request":
                authorizers[name] = AuthorizerSpec(
                    name=name,
                    api=logical_id,
                    kind="lambda",
                    function=referenced_logical_id(config.get("authorizerUri")),
                    identity_source=_strings(values.get("identitySource")),
                    payload_version=str(values.get("authorizerPayloadFormatVersion", "2.0")),
                    simple_responses=_truthy(values.get("enableSimpleResponses"), default=False),
                )
        cors = body.get("x-amazon-apigateway-cors") or props.get("CorsConfiguration")
        if cors is not None:
            cors = _fill(removed.get(f"{logical_id}#cors", cors), resolved)
        apis[logical_id] = ApiSpec(logical_id=logical_id, cors=_normalise_cors(cors), authorizers=authorizers)
        top_security = body.get("security")
        for path, item in (body.get("paths") or {}).items():
            for key, operation in (item or {}).items():
                if key not in _HTTP_METHODS and key != _ANY_METHOD:
                    continue
                integration = (operation or {}).get("x-amazon-apigateway-integration") or {}
                function = referenced_logical_id(integration.get("uri"))
                if not function:
                    skipped.append(f"route {key.upper()} {path}: its integration is not a function")
                    continue
                security = operation.get("security", top_security) or []
                auth, authorizer, scopes = "none", None, ()
                for requirement in security:
                    for scheme_name, scheme_scopes in (requirement or {}).items():
                        if scheme_name == "NONE" or scheme_name not in authorizers:
                            continue
                        auth = authorizers[scheme_name].kind
                        authorizer, scopes = scheme_name, tuple(scheme_scopes or ())
                method = "ANY" if key == _ANY_METHOD else key.upper()
                route_path = "$default" if path == "/$default" else path
                routes.append(RouteSpec(method, route_path, function, auth, logical_id, authorizer, scopes))
    return apis, routes, skipped


def _mark_api_values(cfn: dict[str, Any], hidden: _HiddenOutputs, removed: dict[str, Any]) -> None:
    """Mark the authorizer and CORS settings of every HTTP API for resolving by moto."""
    for logical_id, resource in (cfn.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::ApiGatewayV2::Api":
            continue
        props = resource.get("Properties") or {}
        body = props.get("Body") if isinstance(props.get("Body"), dict) else {}
        schemes = (body.get("components") or {}).get("securitySchemes") or {}
        for name, scheme in schemes.items():
            config = (scheme or {}).get("x-amazon-apigateway-authorizer") or {}
            config = {k: v for k, v in config.items() if k != "authorizerUri"}
            removed[f"{logical_id}#{name}"] = hidden.mark(config, resource.get("Condition"))
        cors = body.get("x-amazon-apigateway-cors") or props.get("CorsConfiguration")
        if cors is not None:
            removed[f"{logical_id}#cors"] = hidden.mark(cors, resource.get("Condition"))


def _normalise_cors(cors: Any) -> dict[str, Any] | None:
    """CorsConfiguration (CloudFormation or OpenAPI extension spelling) as lowercase-first keys."""
    if not isinstance(cors, dict):
        return None
    out: dict[str, Any] = {}
    for key, value in cors.items():
        name = key[0].lower() + key[1:]
        out[name] = value
    return out


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _filters(props: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    patterns = []
    for item in (props.get("FilterCriteria") or {}).get("Filters") or []:
        pattern = item.get("Pattern")
        if isinstance(pattern, str):
            pattern = json.loads(pattern)
        if isinstance(pattern, dict):
            patterns.append(pattern)
    return tuple(patterns)


def _queue_url(sqs: Any, arn: str) -> str:
    parts = arn.split(":")
    return sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"]


def _read_event_sources(
    cfn: dict[str, Any],
    removed: dict[str, Any],
    resolved: dict[str, str],
    functions: dict[str, FunctionSpec],
    sqs: Any,
    skipped: list[str],
) -> list[SqsSource | StreamSource]:
    resources = cfn.get("Resources") or {}
    sources: list[SqsSource | StreamSource] = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Lambda::EventSourceMapping":
            continue
        raw = resource.get("Properties") or {}
        function = _function_logical_id(raw.get("FunctionName"), resources)
        try:
            props = _fill(removed[logical_id]["Properties"], resolved)
        except _Unresolved:
            continue  # its Condition is false
        if function not in functions:
            skipped.append(f"event source {logical_id}: target {raw.get('FunctionName')!r} does not run locally")
            continue
        arn = str(props.get("EventSourceArn", ""))
        service = arn.split(":")[2] if arn.count(":") >= 5 else ""
        report = "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or [])
        enabled = _truthy(props.get("Enabled"), default=True)
        window = float(props.get("MaximumBatchingWindowInSeconds") or 0)
        if service == "sqs":
            sources.append(
                SqsSource(
                    logical_id=logical_id,
                    function=function,
                    queue_arn=arn,
                    queue_url=_queue_url(sqs, arn),
                    batch_size=_int(props.get("BatchSize"), 10),
                    max_batching_window=window,
                    report_batch_item_failures=report,
                    enabled=enabled,
                    filters=_filters(props),
                    max_concurrency=_int((props.get("ScalingConfig") or {}).get("MaximumConcurrency"), 0) or None,
                )
            )
        elif service == "dynamodb":
            on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
            sources.append(
                StreamSource(
                    logical_id=logical_id,
                    function=function,
                    stream_arn=arn,
                    batch_size=_int(props.get("BatchSize"), 100),
                    starting_position=str(props.get("StartingPosition") or "LATEST"),
                    report_batch_item_failures=report,
                    on_failure_arn=str(on_failure) if on_failure else None,
                    maximum_retry_attempts=_int(props.get("MaximumRetryAttempts"), -1),
                    bisect_on_error=_truthy(props.get("BisectBatchOnFunctionError"), default=False),
                    max_batching_window=window,
                    enabled=enabled,
                    filters=_filters(props),
                )
            )
        else:
            skipped.append(f"event source {logical_id}: {service or arn!r} sources are not run locally")
    return sources


def _schedule_arn(kind: str, name: str, props: dict[str, Any], region: str, account_id: str) -> str:
    if kind == "scheduler":
        group = props.get("GroupName") or "default"
        return f"arn:aws:scheduler:{region}:{account_id}:schedule/{group}/{name}"
    return f"arn:aws:events:{region}:{account_id}:rule/{name}"


def _read_schedules(
    cfn: dict[str, Any],
    removed: dict[str, Any],
    resolved: dict[str, str],
    functions: dict[str, FunctionSpec],
    skipped: list[str],
    region: str,
    account_id: str,
) -> list[ScheduleSpec]:
    schedules: list[ScheduleSpec] = []
    for logical_id, resource in (cfn.get("Resources") or {}).items():
        rtype = resource.get("Type")
        if rtype not in ("AWS::Scheduler::Schedule", "AWS::Events::Rule"):
            continue
        try:
            props = _fill(removed[logical_id]["Properties"], resolved)
        except _Unresolved:
            continue
        expression = props.get("ScheduleExpression")
        if not expression:
            continue  # an event-pattern rule, not a schedule
        if rtype == "AWS::Scheduler::Schedule":
            targets = [props.get("Target") or {}]
            enabled = str(props.get("State", "ENABLED")).upper() != "DISABLED"
            kind, timezone = "scheduler", str(props.get("ScheduleExpressionTimezone") or "UTC")
        else:
            targets = props.get("Targets") or []
            enabled = str(props.get("State", "ENABLED")).upper() != "DISABLED"
            kind, timezone = "events", "UTC"
        for index, target in enumerate(targets):
            function = _function_by_arn(str(target.get("Arn", "")), functions)
            if function is None:
                skipped.append(f"schedule {logical_id}: target {target.get('Arn')!r} is not a local function")
                continue
            schedule_input = target.get("Input")
            if schedule_input is not None and not isinstance(schedule_input, str):
                schedule_input = json.dumps(schedule_input)
            name = logical_id if len(targets) == 1 else f"{logical_id}.{target.get('Id', index)}"
            schedules.append(
                ScheduleSpec(
                    name=name,
                    function=function,
                    expression=str(expression),
                    input=schedule_input,
                    kind=kind,
                    enabled=enabled,
                    timezone=timezone,
                    arn=_schedule_arn(kind, str(props.get("Name") or logical_id), props, region, account_id),
                )
            )
    return sorted(schedules, key=lambda s: s.name)


def _read_async_configs(
    cfn: dict[str, Any], removed: dict[str, Any], resolved: dict[str, str], functions: dict[str, FunctionSpec]
) -> dict[str, AsyncConfig]:
    resources = cfn.get("Resources") or {}
    configs: dict[str, AsyncConfig] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Lambda::EventInvokeConfig":
            continue
        function = _function_logical_id((resource.get("Properties") or {}).get("FunctionName"), resources)
        try:
            props = _fill(removed[logical_id]["Properties"], resolved)
        except _Unresolved:
            continue
        if function not in functions:
            continue
        destinations = props.get("DestinationConfig") or {}
        on_failure = (destinations.get("OnFailure") or {}).get("Destination")
        on_success = (destinations.get("OnSuccess") or {}).get("Destination")
        configs[function] = AsyncConfig(
            function=function,
            maximum_retry_attempts=_int(props.get("MaximumRetryAttempts"), 2),
            on_failure_arn=str(on_failure) if on_failure else None,
            on_success_arn=str(on_success) if on_success else None,
        )
    return configs


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
    local, removed, hidden = build_moto_template(cfn, stack_name)
    _mark_api_values(cfn, hidden, removed)
    local["Outputs"] = {**local.get("Outputs", {}), **hidden.outputs}
    if not local["Outputs"]:
        local.pop("Outputs")
    return StackPlan(template_path, stack_name, region, account_id, sam, cfn, local, overrides, local_uris, removed)


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A LifecycleConfiguration rule in CloudFormation's spelling → the S3 API's."""
    api: dict[str, Any] = {"ID": rule.get("Id", ""), "Status": rule.get("Status", "Enabled")}
    tags = rule.get("TagFilters") or []
    prefix = rule.get("Prefix")
    if len(tags) == 1 and prefix is None:
        api["Filter"] = {"Tag": tags[0]}
    elif tags:
        api["Filter"] = {"And": {"Tags": tags, **({"Prefix": prefix} if prefix is not None else {})}}
    else:
        api["Filter"] = {"Prefix": prefix or ""}
    if "ExpirationInDays" in rule:
        api["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "NoncurrentVersionExpiration" in rule:
        api["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        api["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])}
    return api


def _apply_bucket_lifecycles(s3: Any, cfn: dict[str, Any], created: dict[str, str],
                             parameters: dict[str, str]) -> None:
    """moto's CloudFormation ignores a bucket's LifecycleConfiguration: put it through the S3 API, so
    the rules of template.yaml are what the local bucket holds (and S3's validation sees them)."""

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
            return parameters[value["Ref"]]
        if isinstance(value, dict):
            return {key: resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [resolve(item) for item in value]
        return value

    for logical_id, resource in (cfn.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::S3::Bucket" or logical_id not in created:
            continue
        rules = ((resource.get("Properties") or {}).get("LifecycleConfiguration") or {}).get("Rules")
        if rules:
            s3.put_bucket_lifecycle_configuration(
                Bucket=created[logical_id],
                LifecycleConfiguration={"Rules": [_lifecycle_rule(resolve(rule)) for rule in rules]})


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

    _upload_stubs(clients("s3"), list(plan.local_uris), region)
    _create_stack(cfn_client, stack_name, plan.moto_template, overrides)
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

    created = _list_resources(cfn_client, stack_name)
    skipped: list[str] = []
    template_dir = plan.template_path.parent
    functions = _read_functions(cfn, plan.local_uris, template_dir, created, clients("lambda"), skipped)
    apis, routes, api_skipped = _read_apis(cfn, removed, resolved)
    skipped.extend(api_skipped)
    event_sources = _read_event_sources(cfn, removed, resolved, functions, clients("sqs"), skipped)
    schedules = _read_schedules(cfn, removed, resolved, functions, skipped, region, account_id)
    async_configs = _read_async_configs(cfn, removed, resolved, functions)
    _apply_bucket_lifecycles(clients("s3"), cfn, created, parameters)
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
