"""Reading what runs locally from the translated template (and what moto resolved for it):
functions, HTTP APIs and routes, event sources, schedules, asynchronous invocation configs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from infra.local import filters
from infra.local.motocopy import HiddenOutputs, Unresolved, fill_resolved
from infra.local.specs import (
    ApiSpec,
    AsyncConfig,
    AuthorizerSpec,
    FunctionSpec,
    RouteSpec,
    ScheduleSpec,
    SqsSource,
    StreamSource,
)
from infra.local.translate import STUB_BUCKET

_HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_ANY_METHOD = "x-amazon-apigateway-any-method"


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


def read_functions(
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


def _truthy(value: Any, default: bool = True) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no", "disabled", "")
    return bool(value)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(v) for v in value)


def read_apis(
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
            values = fill_resolved(removed.get(f"{logical_id}#{name}", config), resolved)
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
        cors = body.get("x-amazon-apigateway-cors") or props.get("CorsConfiguration")
        if cors is not None:
            cors = fill_resolved(removed.get(f"{logical_id}#cors", cors), resolved)
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
                unsupported = None
                for requirement in security:
                    for scheme_name, scheme_scopes in (requirement or {}).items():
                        if scheme_name in schemes and scheme_name not in authorizers:
                            unsupported = scheme_name  # e.g. a REQUEST (Lambda) authorizer
                        if scheme_name == "NONE" or scheme_name not in authorizers:
                            continue
                        auth = authorizers[scheme_name].kind
                        authorizer, scopes = scheme_name, tuple(scheme_scopes or ())
                if unsupported:
                    # Never serve a protected route unprotected: only JWT authorizers run locally.
                    skipped.append(f"route {key.upper()} {path}: authorizer {unsupported} is not a JWT authorizer")
                    continue
                method = "ANY" if key == _ANY_METHOD else key.upper()
                route_path = "$default" if path == "/$default" else path
                routes.append(RouteSpec(method, route_path, function, auth, logical_id, authorizer, scopes))
    return apis, routes, skipped


def mark_api_values(cfn: dict[str, Any], hidden: HiddenOutputs, removed: dict[str, Any]) -> None:
    """Mark the authorizer and CORS settings of every HTTP API for resolving by moto."""
    for logical_id, resource in (cfn.get("Resources") or {}).items():
        if resource.get("Type") != "AWS::ApiGatewayV2::Api":
            continue
        props = resource.get("Properties") or {}
        body = props.get("Body")
        if not isinstance(body, dict):
            body = {}
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
            filters.check(pattern)
            patterns.append(pattern)
    return tuple(patterns)


def _queue_url(sqs: Any, arn: str) -> str:
    parts = arn.split(":")
    return sqs.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])["QueueUrl"]


def read_event_sources(
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
            props = fill_resolved(removed[logical_id]["Properties"], resolved)
        except Unresolved:
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


def read_schedules(
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
            props = fill_resolved(removed[logical_id]["Properties"], resolved)
        except Unresolved:
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


def read_async_configs(
    cfn: dict[str, Any], removed: dict[str, Any], resolved: dict[str, str], functions: dict[str, FunctionSpec]
) -> dict[str, AsyncConfig]:
    resources = cfn.get("Resources") or {}
    configs: dict[str, AsyncConfig] = {}
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Lambda::EventInvokeConfig":
            continue
        function = _function_logical_id((resource.get("Properties") or {}).get("FunctionName"), resources)
        try:
            props = fill_resolved(removed[logical_id]["Properties"], resolved)
        except Unresolved:
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
