"""Demo data for `make run`: wishes from Huaihua in every state, loaded through the domain's own use cases.

The places are real townships (the ones the article names); the villages under them are demo villages
(marked demo in the region registry). The people are the article's, but every phone number and address
here is invented. Loading goes through the services, so every demo wish has its audit trail, and the
stream delivers its events like any other.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

from microwish.auth import Caller
from microwish.models import (
    AssignmentRequest,
    ConfirmationRequest,
    DeliveryReport,
    ReviewDecision,
    WishSubmission,
)
from microwish.repository import WishRepository
from microwish.services import claims, fulfilment, wishes
from microwish.settings import Settings

VILLAGE_WORKER = Caller(sub="demo-resident-wangjia", role="resident", name="王家村妇联主席")
CITY_OFFICER = Caller(sub="demo-officer-huaihua", role="officer", region="4312", name="怀化市妇联")
UNIT = Caller(sub="demo-unit-ggzy", role="donor", name="怀化市公共资源交易中心", donor_type="unit")
VOLUNTEERS = Caller(sub="demo-donor-volunteers", role="donor", name="怀化市志愿者协会", donor_type="unit")
DONOR = Caller(sub="demo-donor-1", role="donor", name="爱心人士")

# (title, description, category, groups, village, beneficiary, target_fen, what happens to it)
WISHES = [
    (
        "一台彩色电视机",
        "罹患癌症在家休养，想有一台电视机，看看外面的世界。",
        "goods",
        ["women_in_hardship"],
        "431222250201",
        ("谢桂云", "13800000001", "王家村三组"),
        150_000,
        "fulfilled",
    ),
    (
        "米和油",
        "家中一老一小，想添些米和油过冬。",
        "goods",
        ["elderly_alone"],
        "431281203201",
        ("杨莲英", "13800000002", "颜容村五组"),
        30_000,
        "claimed",
    ),
    (
        "孙女的学费",
        "孙女读初中，学费有困难（拾穗行动）。",
        "study",
        ["left_behind_children"],
        "431281203201",
        ("夏美琴", "13800000003", "颜容村五组"),
        120_000,
        "pooled",
    ),
    (
        "一个新书包",
        "留守儿童，想要一个新书包和文具。",
        "study",
        ["left_behind_children"],
        "431221110201",
        ("石小雨", "13800000004", "石宝村二组"),
        8_000,
        "open",
    ),
    (
        "一副拐杖",
        "腿脚残疾，出门需要一副拐杖。",
        "goods",
        ["disabled"],
        "431221110202",
        ("岩大伯", "13800000005", "岩门村一组"),
        20_000,
        "assigned",
    ),
    (
        "帮忙收稻谷",
        "家里缺劳力，稻谷熟了需要人帮忙抢收。",
        "yard",
        ["left_behind_women"],
        "431224100201",
        ("向秋菊", "13800000006", "金竹村一组"),
        None,
        "open",
    ),
    (
        "学一门手艺",
        "想学习电商直播，把自家腊肉卖出去。",
        "skill",
        ["women_in_hardship"],
        "431222250202",
        ("张春花", "13800000007", "杉木村四组"),
        None,
        "open",
    ),
    (
        "有人来说说话",
        "独居老人，希望志愿者常来陪伴聊天、量血压。",
        "care",
        ["elderly_alone"],
        "431223100201",
        ("李奶奶", "13800000008", "柳树村二组"),
        None,
        "submitted",
    ),
    (
        "一台轮椅",
        "下肢残疾，需要一台轮椅。",
        "goods",
        ["disabled_women"],
        "431228100201",
        ("吴秀英", "13800000009", "和平村三组"),
        60_000,
        "submitted",
    ),
]


# Demo units' contacts, so /dev/outbox shows what the chat groups and officers' phones would get.
DEMO_CONTACTS = {
    "regions": {
        "431222250201": {
            "sms": ["13900000001"],  # 王家村妇联主席, and the village's WeCom group
            "chat": {"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo-wangjia", "kind": "wecom"},
        },
        "431222250": {
            "chat": {
                "url": "https://oapi.dingtalk.com/robot/send?access_token=demo-madiyi",
                "secret": "SECdemo-madiyi",
                "kind": "dingtalk",
            }
        },
        "431222": {
            "chat": {"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo-yuanling", "kind": "wecom"},
            "email": ["yuanling-fulian@example.org"],
        },
        "4312": {
            "chat": {
                "url": "https://oapi.dingtalk.com/robot/send?access_token=demo-huaihua",
                "secret": "SECdemo-huaihua",
                "kind": "dingtalk",
            }
        },
    },
    "admins": {"sms": ["13900000009"], "email": ["huaihua-fulian@example.org"]},
}


def seed(outputs: dict[str, str]) -> str:
    """Load the demo contacts and wishes into the stack whose outputs are given; returns a summary."""
    parameter = outputs.get("NotificationContactsParameterName")
    if parameter:
        boto3.client("ssm").put_parameter(
            Name=parameter, Value=json.dumps(DEMO_CONTACTS), Type="SecureString", Overwrite=True
        )
    settings = Settings.from_env({**os.environ, "WISH_TABLE_NAME": outputs["WishTableName"]})
    repo = WishRepository(settings.wish_table_name)
    states: dict[str, int] = {}
    organizations = _units(repo, settings, states)  # issue 12: the registry, an activity, a yard wish
    campaign = _children_day(repo, settings, states)  # first: the article's wishes stay newest on the list
    for title, description, category, groups, village, (name, phone, address), target, fate in WISHES:
        submission = WishSubmission.model_validate(
            {
                "title": title,
                "description": description,
                "category": category,
                "groups": groups,
                "region_code": village,
                "target_fen": target,
                "beneficiary": {"name": name, "phone": phone, "address": address},
            }
        )
        wish = wishes.submit_wish(VILLAGE_WORKER, submission, repo, settings)
        _live(fate, wish.id, repo, settings)
        states[fate] = states.get(fate, 0) + 1
    total = len(WISHES) + len(CAMPAIGN_WISHES) + 1  # and the yard wish of the units' demo
    return (
        f"{total} demo wishes in Huaihua: "
        + ", ".join(f"{n} {state}" for state, n in states.items())
        + f"; campaign {campaign} (GET /stats?region=4312 for the city's report by county); {organizations}"
    )


def _live(fate: str, wish_id: str, repo: WishRepository, settings: Settings) -> None:
    """Take a freshly submitted wish as far along its life as its demo fate says."""
    if fate == "submitted":
        return
    decision = ReviewDecision(decision="approve", mode="pooled" if fate == "pooled" else "sole")
    wishes.review_wish(CITY_OFFICER, wish_id, decision, repo, settings)
    if fate == "pooled":
        claims.claim_wish(VOLUNTEERS, wish_id, 50_000, repo, settings)
    elif fate == "assigned":
        fulfilment.assign(
            CITY_OFFICER, wish_id, AssignmentRequest(donor_id=UNIT.sub or "", note="请认领"), repo, settings
        )
    elif fate in ("claimed", "fulfilled"):
        claims.claim_wish(UNIT if fate == "fulfilled" else DONOR, wish_id, None, repo, settings)
    if fate == "fulfilled":
        delivery = DeliveryReport(note="党员干部和女职工代表送上电视机、慰问金和米油")
        fulfilment.deliver(UNIT, wish_id, delivery, repo, settings)
        fulfilment.confirm(
            CITY_OFFICER,
            wish_id,
            ConfirmationRequest(accepted=True, feedback="谢谢你们，圆了我看世界的心愿！"),
            repo,
            settings,
        )


# ---------------------------------------------------------------- 六一 留守儿童专场 (issue 6)
ADMIN = Caller(sub="demo-admin-huaihua", role="admin", region="4312", name="怀化市妇联")
SPONSOR = Caller(sub="demo-sponsor-nqj", role="donor", name="怀化市女企业家协会", donor_type="unit")
PARTY_BRANCH = Caller(sub="demo-unit-tax", role="donor", name="县税务局第一税务所", donor_type="unit")
MOTHERS = [
    Caller(sub=f"demo-mother-{n}", role="donor", name=name)
    for n, name in enumerate(("爱心妈妈刘女士", "爱心妈妈陈女士"))
]
# Children's Day for left-behind children across the counties ("爱心妈妈圆梦留守儿童"), with a sponsor
# matching pledges 1:1 up to ¥1,000; each wish: (title, category, village, beneficiary, target, fate).
CAMPAIGN_WISHES = [
    ("一套课外书", "study", "431221110201", ("石小花", "13800000011", "石宝村一组"), 12_000, "fulfilled"),
    ("一双运动鞋", "goods", "431221110203", ("高小军", "13800000012", "高坪村二组"), 15_000, "fulfilled"),
    ("一个台灯", "goods", "431222250203", ("青小兰", "13800000013", "青山村一组"), 9_000, "fulfilled"),
    ("学习用品", "study", "431224100201", ("金小宝", "13800000014", "金竹村三组"), 6_000, "pooled_fulfilled"),
    ("一台学习机", "study", "431281203202", ("枫小雨", "13800000015", "枫树村二组"), 80_000, "pooled"),
    ("一件棉衣", "goods", "431228100201", ("和小梅", "13800000016", "和平村一组"), 20_000, "claimed"),
    ("一个书包", "goods", "431202101201", ("松小林", "13800000017", "松林村四组"), 8_000, "open"),
]


def _children_day(repo: WishRepository, settings: Settings, states: dict[str, int]) -> str:
    from datetime import timedelta

    from microwish import clock
    from microwish.models import CampaignRequest
    from microwish.services import campaigns

    now = clock.now()
    campaign = campaigns.create_campaign(
        ADMIN,
        CampaignRequest.model_validate(
            {
                "name": "六一 留守儿童专场",
                "description": "爱心妈妈圆梦留守儿童：书包、文具、衣物和课外书",
                "region_code": "4312",
                "starts_at": now - timedelta(days=1),
                "ends_at": now + timedelta(days=60),
                "groups": ["left_behind_children"],
                "categories": ["study", "goods"],
                "matching": {"sponsor_id": SPONSOR.sub, "sponsor_name": SPONSOR.name, "cap_fen": 100_000},
            }
        ),
        repo,
    )
    campaigns.accept_matching(SPONSOR, campaign.id, repo)  # the offer binds the sponsor once they accept it
    for title, category, village, (name, phone, address), target, fate in CAMPAIGN_WISHES:
        wish = wishes.submit_wish(
            VILLAGE_WORKER,
            WishSubmission.model_validate(
                {
                    "title": title,
                    "description": "六一儿童节的心愿",
                    "category": category,
                    "groups": ["left_behind_children"],
                    "region_code": village,
                    "target_fen": target,
                    "campaign_id": campaign.id,
                    "beneficiary": {"name": name, "phone": phone, "address": address},
                }
            ),
            repo,
            settings,
        )
        pooled = fate.startswith("pooled")
        if fate != "submitted":
            wishes.review_wish(
                CITY_OFFICER,
                wish.id,
                ReviewDecision(decision="approve", mode="pooled" if pooled else "sole"),
                repo,
                settings,
            )
        if pooled:
            claims.claim_wish(MOTHERS[0], wish.id, target // 4, repo, settings)  # matched 1:1 by the sponsor
            if fate == "pooled_fulfilled":
                claims.claim_wish(MOTHERS[1], wish.id, target // 2, repo, settings)
        elif fate in ("claimed", "fulfilled"):
            donor = PARTY_BRANCH if village.startswith("431221") else MOTHERS[len(village) % 2]
            claims.claim_wish(donor, wish.id, None, repo, settings)
        if fate.endswith("fulfilled"):
            if not pooled:
                fulfilment.deliver(CITY_OFFICER, wish.id, DeliveryReport(note="六一前送到孩子手中"), repo, settings)
            else:
                fulfilment.deliver(CITY_OFFICER, wish.id, DeliveryReport(note="爱心妈妈送到学校"), repo, settings)
            fulfilment.confirm(
                CITY_OFFICER, wish.id, ConfirmationRequest(accepted=True, feedback="谢谢爱心妈妈！"), repo, settings
            )
        state = {"pooled_fulfilled": "fulfilled"}.get(fate, fate)
        states[state] = states.get(state, 0) + 1
    return campaign.name


def dev_routes(outputs: dict[str, str], api_url: str, ssm: Any) -> dict[tuple[str, str], Any]:
    """The app's local-only routes for the runtime: (method, path) → play(body) → (status, JSON payload).

    POST /dev/chat (issue 11): when the template has chat platforms, their SSM parameters get the local
    development credentials, and a message is played through the signed callback (infra/demo/chat.py).
    """
    from .chat import DevChat

    chat = DevChat(outputs, api_url)
    if not chat.parameters:
        return {}
    chat.configure(ssm)
    return {("POST", "/dev/chat"): chat.play}


# ---------------------------------------------------------------- units, activities, volunteers (issue 12)
COUNTY_OFFICER = Caller(sub="demo-officer-yuanling", role="officer", region="431222", name="沅陵县妇联")
VOLUNTEER_CHAIR = Caller(sub="demo-volunteer-chair", role="donor", name="沅陵县志愿者协会会长")
YARD_VOLUNTEERS = [
    Caller(sub=f"demo-volunteer-{n}", role="donor", name=name)
    for n, name in enumerate(("志愿者向红梅", "志愿者张建国", "志愿者舒丽"))
]
# (name, kind, region, honours, admins) — the federation's city, county, township and village units, a village
# party branch, partners: a volunteer association, a 巾帼文明岗 post, the women entrepreneurs' association.
UNITS = [
    ("怀化市妇联", "federation", "4312", [], []),
    ("沅陵县妇联", "federation", "431222", [], []),
    ("马底驿乡妇联", "federation", "431222250", [], []),
    ("王家村妇联", "federation", "431222250201", [], []),
    ("王家村党支部", "party_branch", "431222250201", [], []),
    ("沅陵县志愿者协会", "volunteer_association", "431222", ["2025年度优秀志愿服务组织"], [VOLUNTEER_CHAIR.sub]),
    ("怀化市公共资源交易中心巾帼文明岗", "civilised_post", "4312", ["全国巾帼文明岗"], [UNIT.sub]),
    ("怀化市女企业家协会", "women_entrepreneurs", "4312", [], [SPONSOR.sub]),
]


def _units(repo: WishRepository, settings: Settings, states: dict[str, int]) -> str:
    """The registry, an activity of the county's federation, and a yard wish its volunteers took on."""
    from microwish import clock
    from microwish.models.activities import ActivityRequest
    from microwish.models.units import MemberRequest, UnitRequest
    from microwish.models.volunteers import CheckIn, VolunteerNeeds
    from microwish.services import activities, units, volunteers
    from microwish.services.activities import this_year
    from microwish.services.stats import CST

    made = {}
    for name, kind, region, honours, admins in UNITS:
        request = UnitRequest.model_validate(
            {"name": name, "kind": kind, "region_code": region, "honours": honours, "admins": admins}
        )
        made[name] = units.create_unit(ADMIN, request, repo)
    association = made["沅陵县志愿者协会"]
    for volunteer in YARD_VOLUNTEERS[:2]:
        units.add_member(VOLUNTEER_CHAIR, association.id, MemberRequest(sub=volunteer.sub or ""), repo)
    year = this_year()
    activities.create_activity(
        COUNTY_OFFICER,
        made["沅陵县妇联"].id,
        ActivityRequest.model_validate(
            {
                "title": "三八节走访慰问困难妇女",
                "day": f"{year}-03-08",
                "participants": 25,
                "summary": "为马底驿乡25户困难家庭送去米和油",
            }
        ),
        repo,
    )
    yard = wishes.submit_wish(
        VILLAGE_WORKER,
        WishSubmission.model_validate(
            {
                "title": "帮忙打扫院子、修补屋顶",
                "description": "独居老人，院子杂物多、屋顶漏雨，想请人帮忙打扫修补（扫一院）。",
                "category": "yard",
                "groups": ["elderly_alone"],
                "region_code": "431222250201",
                "target_fen": 0,
                "beneficiary": {"name": "向桂花", "phone": "13800000021", "address": "王家村四组"},
            }
        ),
        repo,
        settings,
    )
    wishes.review_wish(CITY_OFFICER, yard.id, ReviewDecision(decision="approve", mode="sole"), repo, settings)
    fulfilment.assign(
        COUNTY_OFFICER, yard.id, AssignmentRequest(unit_id=association.id, note="请协会组织志愿者"), repo, settings
    )
    fulfilment.accept(VOLUNTEER_CHAIR, yard.id, repo, settings)
    day = clock.now().astimezone(CST).date().isoformat()  # the work day in China, as the web shows it
    needs = VolunteerNeeds.model_validate(
        {"places": 4, "day": day, "place": "马底驿乡王家村村委会集合", "skills": ["打扫", "木工"], "hours": 3}
    )
    volunteers.set_needs(COUNTY_OFFICER, yard.id, needs, repo)
    for volunteer in YARD_VOLUNTEERS:
        volunteers.sign_up(volunteer, yard.id, repo)
    for volunteer in YARD_VOLUNTEERS[:2]:
        volunteers.check_in(VOLUNTEER_CHAIR, yard.id, volunteer.sub or "", CheckIn(), repo)
    states["claimed"] = states.get("claimed", 0) + 1
    return f"{len(UNITS)} units (GET /units, GET /compliance), a yard wish with volunteers ({yard.id})"
