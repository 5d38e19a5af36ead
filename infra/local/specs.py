"""What the local runtime runs, as read from the template: functions, routes and their API,
event sources, schedules (stack.py builds a LocalStack; the other modules only read these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
    kind: str  # "jwt" (the only kind the local runtime serves)
    issuer: str = ""
    audience: tuple[str, ...] = ()
    identity_source: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouteSpec:
    method: str  # "GET", ... or "ANY"
    path: str  # "/wishes/{id}", "/files/{proxy+}" or "$default"
    function: str  # logical id
    auth: str  # "jwt" | "none"
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
