"""infra.local.stack against moto in-process: the fixture template and the project's template.

What the template declares is read here straight from the SAM YAML, independently of stack.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from infra.local.stack import deploy_stack
from infra.local.translate import load_template, translate_template
from infra.local.translate import main as translate_main

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "app" / "template.yaml"
TEMPLATES = [pytest.param(FIXTURE, id="fixture")]
if (REPO / "template.yaml").exists():
    TEMPLATES.append(pytest.param(REPO / "template.yaml", id="template.yaml"))

ISSUER = "http://127.0.0.1:3999/dev"


@pytest.fixture(scope="module")
def aws_env():
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        yield


@pytest.fixture(scope="module", params=TEMPLATES)
def deployed(request, aws_env):
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        stack = deploy_stack(session, request.param, {"JwtIssuer": ISSUER, "JwtAudience": "micro-wish-local"})
        yield request.param, load_template(request.param), stack, session


def _resources(sam, *types):
    return {k: v for k, v in sam["Resources"].items() if v["Type"] in types}


def _events(sam, *types):
    for fid, fn in _resources(sam, "AWS::Serverless::Function").items():
        for name, event in ((fn.get("Properties") or {}).get("Events") or {}).items():
            if event["Type"] in types:
                yield fid, name, event.get("Properties") or {}


def expected_routes(sam):
    """(method, path, function, auth) of every HttpApi event, by SAM's rules."""
    apis = _resources(sam, "AWS::Serverless::HttpApi")
    global_auth = ((sam.get("Globals") or {}).get("HttpApi") or {}).get("Auth") or {}
    routes = set()
    for fid, _, props in _events(sam, "HttpApi"):
        api_ref = props.get("ApiId", {}).get("Ref") if isinstance(props.get("ApiId"), dict) else None
        auth = (apis.get(api_ref, {}).get("Properties") or {}).get("Auth") or global_auth
        authorizer = (props.get("Auth") or {}).get("Authorizer", auth.get("DefaultAuthorizer"))
        kind = "none" if authorizer in (None, "NONE") else "jwt"
        routes.add((str(props.get("Method", "ANY")).upper(), props.get("Path", "$default"), fid, kind))
    return routes


def test_every_table_and_queue_exists_in_moto(deployed):
    _, sam, stack, session = deployed
    dynamodb, sqs = session.client("dynamodb"), session.client("sqs")
    for logical_id, table in _resources(sam, "AWS::DynamoDB::Table").items():
        description = dynamodb.describe_table(TableName=stack.physical_id(logical_id))["Table"]
        wants_stream = "StreamSpecification" in table["Properties"]
        assert bool(description.get("LatestStreamArn")) == wants_stream, logical_id
        indexes = {i["IndexName"] for i in description.get("GlobalSecondaryIndexes", [])}
        assert indexes == {i["IndexName"] for i in table["Properties"].get("GlobalSecondaryIndexes", [])}
    for logical_id, queue in _resources(sam, "AWS::SQS::Queue").items():
        url = stack.physical_id(logical_id)
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        redrive = (queue.get("Properties") or {}).get("RedrivePolicy")
        if redrive:
            assert json.loads(attributes["RedrivePolicy"])["maxReceiveCount"] == redrive["maxReceiveCount"]


def test_no_event_source_mapping_is_left_in_moto(deployed):
    _, _, _, session = deployed
    assert session.client("lambda").list_event_source_mappings()["EventSourceMappings"] == []


def test_routes_match_the_templates_http_api_events(deployed):
    _, sam, stack, _ = deployed
    assert {(r.method, r.path, r.function, r.auth) for r in stack.routes} == expected_routes(sam)
    assert len(stack.routes) == len(expected_routes(sam))


def test_every_function_runs_from_its_code_folder_with_resolved_env(deployed):
    path, sam, stack, _ = deployed
    functions = _resources(sam, "AWS::Serverless::Function")
    assert set(stack.functions) == set(functions)
    for logical_id, resource in functions.items():
        spec = stack.functions[logical_id]
        code_uri = resource["Properties"].get("CodeUri") or sam["Globals"]["Function"]["CodeUri"]
        assert spec.code_dir == str((path.parent / code_uri).resolve())
        assert Path(spec.code_dir, spec.handler.rsplit(".", 1)[0] + ".py").exists()
        assert spec.layer_dirs and all(Path(d).is_dir() for d in spec.layer_dirs)
        for name, value in spec.env.items():
            assert isinstance(value, str), name
            assert "${" not in value and "Ref" not in value, (name, value)
        if "JWKS_URL" in spec.env:
            assert spec.env["JWKS_URL"] == f"{ISSUER}/.well-known/jwks.json"
        assert spec.timeout > 0 and spec.memory >= 128


def test_event_sources_and_schedules_are_all_read(deployed):
    _, sam, stack, session = deployed
    sources = list(_events(sam, "SQS", "DynamoDB")) + list(_resources(sam, "AWS::Lambda::EventSourceMapping"))
    assert len(stack.event_sources) == len(sources)
    for source in stack.sqs_sources:
        session.client("sqs").get_queue_attributes(QueueUrl=source.queue_url)
        assert source.function in stack.functions
    for source in stack.stream_sources:
        assert ":table/" in source.stream_arn and "/stream/" in source.stream_arn
    schedules = list(_events(sam, "Schedule", "ScheduleV2")) + list(_resources(sam, "AWS::Scheduler::Schedule"))
    schedules += [r for r in _resources(sam, "AWS::Events::Rule").values() if "ScheduleExpression" in r["Properties"]]
    assert len(stack.schedules) == len(schedules)
    for schedule in stack.schedules:
        assert schedule.function in stack.functions
        assert schedule.expression.startswith(("rate(", "cron("))
        if schedule.input is not None:
            json.loads(schedule.input)


def test_outputs_are_resolved(deployed):
    _, sam, stack, _ = deployed
    outputs = sam.get("Outputs") or {}
    # Outputs under a Condition exist only when it holds (the local stack turns the optional parts off).
    assert {k for k, v in outputs.items() if "Condition" not in v} <= set(stack.outputs) <= set(outputs)
    assert not any(k.startswith("LocalRuntime") for k in stack.outputs)


def test_fixture_details(aws_env):
    """Specific values of the fixture (the real template's are the app's business)."""
    with mock_aws():
        stack = deploy_stack(
            boto3.Session(region_name="us-east-1"),
            FIXTURE,
            api_url="http://127.0.0.1:3999",
            stack_name="details",
        )
    assert stack.outputs["ApiUrl"] == "http://127.0.0.1:3999"
    (sqs,) = stack.sqs_sources
    assert (sqs.function, sqs.batch_size, sqs.max_batching_window, sqs.report_batch_item_failures) == (
        "WorkerFunction",
        5,
        1.0,
        True,
    )
    (stream,) = stack.stream_sources
    assert stream.starting_position == "TRIM_HORIZON" and stream.maximum_retry_attempts == 2
    assert stream.on_failure_arn and stream.on_failure_arn.startswith("arn:aws:sqs:")
    assert stream.bisect_on_error and stream.report_batch_item_failures
    by_name = {s.name: s for s in stack.schedules}
    assert by_name["SchedFunctionEscalate"].kind == "scheduler"
    assert by_name["SchedFunctionEscalate"].input == '{"job": "escalate"}'
    assert by_name["SchedFunctionNightly"].kind == "events"
    assert by_name["RawSchedule"].expression == "rate(1 hour)"
    api = stack.apis["HttpApi"]
    assert api.authorizers["CognitoJwt"].audience == ("example-client-id",)
    assert api.cors and api.cors["allowOrigins"] == ["*"]
    assert stack.functions["ApiFunction"].timeout == 3
    config = stack.async_configs["SchedFunction"]
    assert config.maximum_retry_attempts == 1
    assert config.on_failure_arn and "SchedFailureQueue" in config.on_failure_arn


def test_translate_needs_no_credentials_or_region(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    cfn = translate_template(FIXTURE)
    assert "Transform" not in cfn
    types = {r["Type"] for r in cfn["Resources"].values()}
    assert "AWS::Serverless::Function" not in types and "AWS::Lambda::Function" in types
    for resource in cfn["Resources"].values():
        code = resource.get("Properties", {}).get("Code") or resource.get("Properties", {}).get("Content")
        if code:
            assert code["S3Bucket"] == "local-stub"
    out = tmp_path / "build" / "template.cfn.json"
    assert translate_main([str(FIXTURE), "-o", str(out)]) == 0
    assert json.loads(out.read_text())["Resources"]


def test_the_yaml_loader_is_samtranslators_and_reads_condition_as_cloudformation_does(tmp_path):
    """`!Condition X` is {"Condition": X} (not Fn::Condition), as in CloudFormation's JSON."""
    from samtranslator.yaml_helper import yaml_parse

    text = (
        "Conditions:\n"
        "  A: !Equals [!Ref P, x]\n"
        "  B: !And [!Condition A, !Not [!Condition A]]\n"
        "Resources:\n"
        "  R:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Condition: B\n"
        "    Properties:\n"
        "      QueueName: !If [B, !GetAtt T.Arn, !Ref 'AWS::NoValue']\n"
        "      Tags: [{Key: k, Value: !Sub '${P}'}]\n"
    )
    path = tmp_path / "t.yaml"
    path.write_text(text)
    loaded = load_template(path)
    assert loaded["Conditions"]["B"] == {"Fn::And": [{"Condition": "A"}, {"Fn::Not": [{"Condition": "A"}]}]}
    assert loaded["Resources"]["R"]["Properties"]["QueueName"] == {
        "Fn::If": ["B", {"Fn::GetAtt": ["T", "Arn"]}, {"Ref": "AWS::NoValue"}]
    }
    assert loaded == yaml_parse(text)  # the same reading as `sam`'s
    sam = load_template(REPO / "template.yaml")
    assert sam["Conditions"]["UserPoolDomainOn"]["Fn::And"][0] == {"Condition": "UserPoolOn"}
