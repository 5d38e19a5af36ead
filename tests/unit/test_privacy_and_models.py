"""The public alias, and validation of what clients send."""

import pytest
from pydantic import ValidationError

from microwish.models import Beneficiary, ReviewDecision, WishSubmission
from microwish.privacy import alias
from microwish.settings import Settings

VALID = {
    "title": "一台电视机",
    "category": "goods",
    "groups": ["women_in_hardship"],
    "region_code": "431222250201",
    "beneficiary": {"name": "谢桂云", "phone": "13800000000", "address": "沅陵县马底驿乡王家村3组"},
}


@pytest.mark.parametrize(
    ("name", "groups", "title", "expected"),
    [
        ("谢桂云", ["women_in_hardship"], None, "谢女士"),
        ("夏美琴", ["left_behind_children"], None, "夏同学"),
        ("欧阳娜", ["disabled_women"], None, "欧阳女士"),
        ("杨莲英", ["elderly_alone"], None, "杨老人"),
        ("张三", ["disabled"], "先生", "张先生"),
        ("李四", [], None, "李女士"),
    ],
)
def test_alias_is_family_name_and_title(name, groups, title, expected):
    assert alias(name, groups, title) == expected


def test_alias_never_contains_the_given_name():
    assert "桂云" not in alias("谢桂云", ["women_in_hardship"])


def test_a_valid_submission_passes():
    submission = WishSubmission.model_validate(VALID)
    assert submission.region_code == "431222250201"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 51}, "title"),
        ({"description": "长" * 1001}, "description"),
        ({"category": "money"}, "category"),
        ({"groups": ["aliens"]}, "groups"),
        ({"groups": ["disabled"] * 2}, "groups"),
        (
            {"groups": ["women_in_hardship", "disabled_women", "left_behind_women", "disabled", "elderly_alone"]},
            "groups",
        ),
        ({"region_code": "431222"}, "region_code"),
        ({"region_code": "431222250999"}, "region_code"),
        ({"target_fen": -1}, "target_fen"),
        ({"target_fen": 10_000_001}, "target_fen"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_fields_are_named(change, field):
    with pytest.raises(ValidationError) as raised:
        WishSubmission.model_validate({**VALID, **change})
    assert field in {str(error["loc"][0]) for error in raised.value.errors()}


@pytest.mark.parametrize("phone", ["13800000000", "0745-2345678", "07452345678", "010 12345678"])
def test_mainland_phone_numbers_pass(phone):
    assert Beneficiary(name="谢桂云", phone=phone, address="王家村").phone == phone


@pytest.mark.parametrize("phone", ["12345", "+8613800000000x", "23800000000", "abc"])
def test_other_phone_numbers_fail(phone):
    with pytest.raises(ValidationError):
        Beneficiary(name="谢桂云", phone=phone, address="王家村")


def test_personal_data_stays_out_of_reprs():
    beneficiary = Beneficiary(name="谢桂云", phone="13800000000", address="王家村3组")
    submission = WishSubmission.model_validate(VALID)
    for text in (repr(beneficiary), str(beneficiary), repr(submission)):
        assert "谢桂云" not in text and "13800000000" not in text and "王家村3组" not in text


def test_review_decision_limits():
    with pytest.raises(ValidationError):
        ReviewDecision.model_validate({"decision": "maybe"})
    with pytest.raises(ValidationError):
        ReviewDecision.model_validate({"decision": "reject", "reason": "x" * 501})


def test_settings_read_windows_from_one_parameter_string():
    settings = Settings.from_env({"ESCALATION_WINDOWS": "village=3,township=5", "MAX_ACTIVE_CLAIMS": "4"})
    assert settings.window_days("village") == 3 and settings.window_days("township") == 5
    assert settings.max_active_claims == 4
