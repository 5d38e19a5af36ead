"""Translate a SAM template to plain CloudFormation offline (no AWS credentials, no network).

    python -m infra.local.translate template.yaml -o build/template.cfn.json [-p Name=Value ...]

samtranslator normally asks IAM for the managed-policy map; we hand it an empty one (SAM only
needs it for policy names given without an ARN, which the template does not use). The pseudo
parameters it needs (AWS::Region, AWS::Partition, AWS::AccountId) get local defaults.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from samtranslator.yaml_helper import intrinsics_multi_constructor

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref, !Sub, !GetAtt, !Condition...), expanded by
    samtranslator's own constructor (as `sam` reads templates). samtranslator's yaml_parse()
    registers it on yaml.SafeLoader itself, for every later safe_load of the process: not here."""


_CfnLoader.add_multi_constructor("!", intrinsics_multi_constructor)


def load_template(path: str | Path) -> dict[str, Any]:
    """Read a SAM/CloudFormation template (YAML or JSON) with the short-form tags expanded."""
    text = Path(path).read_text(encoding="utf-8")
    data = yaml.load(text, Loader=_CfnLoader)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a template (top level is not a mapping)")
    return data


STUB_BUCKET = "local-stub"

# Resource type -> the property that names its code on disk (before `sam build`).
_LOCAL_URI_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


def is_local_uri(uri: Any) -> bool:
    return isinstance(uri, str) and not uri.startswith("s3://")


def stub_key(logical_id: str) -> str:
    return f"{logical_id}.zip"


def stub_local_uris(template: dict[str, Any]) -> dict[str, str]:
    """Replace local CodeUri/ContentUri (a folder, relative to the template) by s3://local-stub/...

    Changes `template` in place and returns {logical id: local path as written in the template}.
    A function without CodeUri of its own takes Globals.Function.CodeUri (SAM's rule).
    """
    local: dict[str, str] = {}
    globals_function = (template.get("Globals") or {}).get("Function") or {}
    global_code = globals_function.get("CodeUri")
    if is_local_uri(global_code):
        # Each function gets its own stub below; the Globals value itself must not reach SAM.
        del globals_function["CodeUri"]
    for logical_id, resource in (template.get("Resources") or {}).items():
        if not isinstance(resource, dict):
            continue
        prop = _LOCAL_URI_PROPERTIES.get(resource.get("Type", ""))
        if prop is None:
            continue
        props = resource.setdefault("Properties", {})
        if prop == "CodeUri" and "InlineCode" in props:
            continue
        uri = props.get(prop, global_code if prop == "CodeUri" else None)
        if is_local_uri(uri):
            local[logical_id] = uri
            props[prop] = f"s3://{STUB_BUCKET}/{stub_key(logical_id)}"
    return local


class _EmptyPolicyLoader:
    """Stands in for samtranslator's ManagedPolicyLoader, which would call IAM."""

    def load(self) -> dict[str, str]:
        return {}


def parameter_values(
    template: dict[str, Any],
    overrides: dict[str, str] | None = None,
    *,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT,
) -> dict[str, Any]:
    """Template parameter defaults + overrides + the pseudo parameters samtranslator needs."""
    values: dict[str, Any] = {
        "AWS::Region": region,
        "AWS::Partition": "aws-cn" if region.startswith("cn-") else "aws",
        "AWS::AccountId": account_id,
        "AWS::StackName": "local",
        "AWS::URLSuffix": "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com",
    }
    for name, spec in (template.get("Parameters") or {}).items():
        if isinstance(spec, dict) and "Default" in spec:
            values[name] = spec["Default"]
    values.update(overrides or {})
    return values


def translate(
    template: dict[str, Any],
    parameter_overrides: dict[str, str] | None = None,
    *,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT,
) -> dict[str, Any]:
    """Translate an already loaded SAM template (a deep copy is taken; the input is not changed)."""
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import (
        to_py27_compatible_template,
        undo_mark_unicode_str_in_template,
    )

    if "Transform" not in template:
        return copy.deepcopy(template)  # already plain CloudFormation
    params = parameter_values(template, parameter_overrides, region=region, account_id=account_id)
    fragment = copy.deepcopy(template)
    stub_local_uris(fragment)
    # What samtranslator.translator.transform.transform() does, but with a boto session that
    # knows the region (a bare Session() would need AWS_DEFAULT_REGION in the environment).
    # Creating a Session reads no credentials and makes no call.
    to_py27_compatible_template(fragment, params)
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region))
    policies = _EmptyPolicyLoader()
    translated = translator.translate(fragment, parameter_values=params, get_managed_policy_map=policies.load)
    return undo_mark_unicode_str_in_template(translated)


def translate_template(
    path: str | Path,
    parameter_overrides: dict[str, str] | None = None,
    *,
    region: str = DEFAULT_REGION,
    account_id: str = DEFAULT_ACCOUNT,
) -> dict[str, Any]:
    """Load the SAM template at `path` and return its CloudFormation translation."""
    return translate(load_template(path), parameter_overrides, region=region, account_id=account_id)


def _parse_overrides(items: list[str]) -> dict[str, str]:
    result = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--parameter-overrides: expected Name=Value, got {item!r}")
        result[name] = value
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.translate", description=__doc__.split("\n")[0])
    parser.add_argument("template", help="SAM template (template.yaml)")
    parser.add_argument("-o", "--output", help="output file (default: stdout)")
    parser.add_argument("-p", "--parameter-overrides", nargs="*", default=[], metavar="Name=Value")
    parser.add_argument("--region", default=DEFAULT_REGION)
    args = parser.parse_args(argv)
    try:
        result = translate_template(args.template, _parse_overrides(args.parameter_overrides), region=args.region)
    except Exception as error:  # samtranslator's InvalidDocumentException carries the causes
        causes = getattr(error, "causes", None) or []
        print(f"translate: {error}", file=sys.stderr)
        for cause in causes:
            print(f"  - {getattr(cause, 'message', cause)}", file=sys.stderr)
        return 1
    text = json.dumps(result, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    if args.output:
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
