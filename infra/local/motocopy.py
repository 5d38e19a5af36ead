"""The translated template as moto's CloudFormation gets it, and creating it there.

- every AWS::Lambda::EventSourceMapping is removed: moto's mappings try to invoke the function in
  Docker, fail, and still delete the SQS messages / stream records. The runtime polls the queues
  and streams itself (pollers.py).
- AWS::ApiGatewayV2::* and AWS::Scheduler::* stay (moto skips them with a warning, silenced); the
  runtime serves the routes and fires the schedules itself, read from the template.
- the values the runtime needs resolved (an event source's queue/stream ARN, a destination, a
  schedule's target and input, an authorizer's issuer...) are added as hidden stack Outputs, so
  moto's own intrinsic resolver evaluates them (Ref, GetAtt, Sub, Join, If...).
- Lambda and LayerVersion creation read the code from S3: tiny stub zips in a stub bucket.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import warnings
import zipfile
from typing import Any

from infra.local.translate import STUB_BUCKET, stub_key

HIDDEN_OUTPUT_PREFIX = "LocalRuntimeValue"

# moto's event source mappings must not exist (see the module docstring): removed.
_REMOVED_TYPES = {"AWS::Lambda::EventSourceMapping"}
# Kept in moto's copy (moto skips the first two with a warning, and never fires the rules), but
# their properties are resolved through hidden outputs for the runtime's scheduler.
_SCHEDULE_TYPES = {"AWS::Scheduler::Schedule", "AWS::Events::Rule", "AWS::Lambda::EventInvokeConfig"}


def _is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Ref" or key.startswith("Fn::")


class HiddenOutputs:
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


class Unresolved(Exception):
    pass


def fill_resolved(value: Any, resolved: dict[str, str]) -> Any:
    """Put the resolved hidden outputs back; raises Unresolved if one is missing (a Condition)."""
    if isinstance(value, dict):
        if set(value) == {"__local_output__"}:
            key = value["__local_output__"]
            if key not in resolved:
                raise Unresolved(key)
            return resolved[key]
        return {k: fill_resolved(v, resolved) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_resolved(v, resolved) for v in value]
    return value


# --- the local copy for moto ------------------------------------------------------------------


def build_moto_template(cfn: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], HiddenOutputs]:
    """The translated template as moto gets it, and the resources the runtime runs itself
    (event source mappings, schedules) with their properties marked for resolving."""
    local = copy.deepcopy(cfn)
    resources: dict[str, Any] = local.get("Resources") or {}
    hidden = HiddenOutputs()
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


def upload_stubs(s3: Any, logical_ids: list[str], region: str) -> None:
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


def create_stack(cfn_client: Any, stack_name: str, template: dict[str, Any], parameters: dict[str, str]) -> None:
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


def list_resources(cfn_client: Any, stack_name: str) -> dict[str, str]:
    resources: dict[str, str] = {}
    kwargs: dict[str, Any] = {"StackName": stack_name}
    while True:
        page = cfn_client.list_stack_resources(**kwargs)
        for summary in page["StackResourceSummaries"]:
            resources[summary["LogicalResourceId"]] = summary.get("PhysicalResourceId", "")
        if not page.get("NextToken"):
            return resources
        kwargs["NextToken"] = page["NextToken"]


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
            "NoncurrentDays": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
        }
    if "AbortIncompleteMultipartUpload" in rule:
        api["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    return api


def apply_bucket_lifecycles(s3: Any, cfn: dict[str, Any], created: dict[str, str], parameters: dict[str, str]) -> None:
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
                LifecycleConfiguration={"Rules": [_lifecycle_rule(resolve(rule)) for rule in rules]},
            )
