"""The identity side and the IAM/edge limits in template.yaml (issue 14, leaks 14 and 15).

Leak 14: an optional Cognito user pool (groups; region and donor_type attributes users cannot write; a
web app client with authorization code + PKCE and no secret) that the authorizer and the in-function
check use when it is created; any other OIDC issuer otherwise (README says what it must guarantee).
Leak 15: no sns:Publish on topics, named indexes instead of index/*, LeadingKeys for the functions that
touch only their own items, a WAF rate rule per client IP (on CloudFront: WAF does not attach to an
HTTP API) behind a parameter, and the per-route throttling kept.
"""

from __future__ import annotations

import json
import re
from typing import Any

from infra.local.translate import load_template
from microwish import repository
from microwish.repository import inbox as inbox_store
from tests.support.harness import ROOT

TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
USER_POOL_ISSUER = {"Fn::Sub": "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${UserPool}"}


def statements(logical_id: str) -> list[dict[str, Any]]:
    found = []
    for policy in RESOURCES[logical_id]["Properties"].get("Policies") or []:
        if isinstance(policy, dict):
            found += policy.get("Statement") or []
    return found


def actions(statement: dict[str, Any]) -> list[str]:
    value = statement.get("Action") or []
    return [value] if isinstance(value, str) else list(value)


def functions() -> list[str]:
    return [name for name, resource in RESOURCES.items() if resource["Type"] == "AWS::Serverless::Function"]


# ---------------------------------------------------------------- leak 14: identity
def test_the_user_pool_is_optional_and_its_attributes_are_not_user_writable():
    assert TEMPLATE["Parameters"]["CreateUserPool"]["AllowedValues"] == ["true", "false"]
    assert TEMPLATE["Conditions"]["UserPoolOn"] == {"Fn::Equals": [{"Ref": "CreateUserPool"}, "true"]}
    pool = RESOURCES["UserPool"]
    assert pool["Condition"] == "UserPoolOn"
    assert {attribute["Name"] for attribute in pool["Properties"]["Schema"]} >= {"region", "donor_type"}
    client = RESOURCES["UserPoolWebClient"]["Properties"]
    assert RESOURCES["UserPoolWebClient"]["Condition"] == "UserPoolOn"
    assert client["GenerateSecret"] is False and client["AllowedOAuthFlows"] == ["code"]
    assert "implicit" not in client["AllowedOAuthFlows"] and client["AllowedOAuthFlowsUserPoolClient"] is True
    assert {"custom:region", "custom:donor_type"} <= set(client["ReadAttributes"])
    assert not {"custom:region", "custom:donor_type"} & set(client["WriteAttributes"])
    groups = {r["Properties"]["GroupName"] for r in RESOURCES.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert groups == {"resident", "officer", "donor", "admin"}


def test_the_authorizer_and_the_functions_use_the_pool_when_it_is_created():
    jwt = RESOURCES["Api"]["Properties"]["Auth"]["Authorizers"]["JwtAuthorizer"]["JwtConfiguration"]
    assert jwt["issuer"] == {"Fn::If": ["UserPoolOn", USER_POOL_ISSUER, {"Ref": "JwtIssuer"}]}
    assert jwt["audience"] == [{"Fn::If": ["UserPoolOn", {"Ref": "UserPoolWebClient"}, {"Ref": "JwtAudience"}]}]
    env = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert env["JWT_ISSUER"] == jwt["issuer"] and env["JWT_AUDIENCE"] == jwt["audience"][0]
    assert env["JWKS_URL"]["Fn::If"][0] == "UserPoolOn"
    assert env["JWT_TOKEN_USE"] == {"Ref": "JwtTokenUse"}


def test_the_readme_says_what_any_other_issuer_must_guarantee():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Deploying: identity", 1)[1].split("\n## ", 1)[0]
    for must in (
        "cognito:groups",
        "custom:region",
        "custom:donor_type",
        "exp",
        "iss",
        "aud",
        "token_use",
        "not writable",
        "lifetime",
        "CreateUserPool",
    ):
        assert must in section, must


# ---------------------------------------------------------------- leak 15: IAM and the edge
def test_no_function_may_publish_to_sns_topics():
    for name in functions():
        for statement in statements(name):
            if "sns:Publish" in actions(statement):
                assert "Resource" not in statement, name  # only NotResource: phone numbers, no ARN
                assert statement["NotResource"] == {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}


def test_indexes_are_named_and_the_list_function_has_those_it_queries():
    assert "index/*" not in json.dumps(RESOURCES)
    granted = set()
    for statement in statements("WishQueryFunction"):
        for resource in statement.get("Resource") if isinstance(statement.get("Resource"), list) else []:
            text = json.dumps(resource)
            granted |= set(re.findall(r"/index/(\w+)", text))
    used = {index for index, _ in repository._LIST_INDEX.values()} | {"ByCampaign", "ByArea"}
    assert used == granted


def test_inbox_and_notifier_touch_only_their_own_items():
    prefixes = {inbox_store.INBOX_PREFIX + "*", "PREFS#*", "SENDCAP#*"}
    for name in ("InboxFunction", "NotifierFunction"):
        table = [s for s in statements(name) if s.get("Resource") == {"Fn::GetAtt": ["WishTable", "Arn"]}]
        assert table, name
        for statement in table:
            leading = set(statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
            if name == "NotifierFunction" and statement["Action"] == ["dynamodb:Query"]:
                # a dispatched unit's members (issue 12): the subs of UNIT# partitions, never a unit's contact
                assert leading == {"UNIT#*"}
                assert statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"] == ["PK", "SK", "sub"]
                assert statement["Condition"]["StringEqualsIfExists"]["dynamodb:Select"] == "SPECIFIC_ATTRIBUTES"
                continue
            assert leading == prefixes


def test_a_waf_rate_rule_per_client_ip_sits_in_front_of_the_api_behind_a_parameter():
    assert TEMPLATE["Parameters"]["EdgeProtection"]["AllowedValues"] == ["none", "cloudfront-waf"]
    acl = RESOURCES["EdgeWebAcl"]
    assert acl["Condition"] == "EdgeAclHere" and acl["Properties"]["Scope"] == "CLOUDFRONT"
    [rule] = acl["Properties"]["Rules"]
    assert rule["Action"] == {"Block": {}}
    assert rule["Statement"]["RateBasedStatement"] == {"Limit": {"Ref": "EdgeRateLimitPerIp"}, "AggregateKeyType": "IP"}
    distribution = RESOURCES["EdgeDistribution"]
    assert distribution["Condition"] == "EdgeOn"
    config = distribution["Properties"]["DistributionConfig"]
    assert config["WebACLId"] == {
        "Fn::If": ["EdgeAclHere", {"Fn::GetAtt": ["EdgeWebAcl", "Arn"]}, {"Ref": "EdgeWebAclArn"}]
    }
    assert "${Api}.execute-api" in config["Origins"][0]["DomainName"]["Fn::Sub"]
    # and the per-route throttling stays
    routes = RESOURCES["Api"]["Properties"]["DefaultRouteSettings"]
    assert routes["ThrottlingRateLimit"] == {"Ref": "ApiThrottlingRateLimit"}
