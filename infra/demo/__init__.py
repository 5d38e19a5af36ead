"""Demo data for `make run`: wishes from Huaihua in every state, loaded through the domain's own use cases.

The places are real townships (the ones the article names); the villages under them are demo villages
(marked demo in the region registry). The people are the article's, but every phone number and address
here is invented. Loading goes through the services, so every demo wish has its audit trail, and the
stream delivers its events like any other.
"""

from __future__ import annotations

import os

from microwish.auth import Caller
from microwish.models import (
    AssignmentRequest,
    ConfirmationRequest,
    DeliveryReport,
    ReviewDecision,
    WishSubmission,
)
from microwish.repository import WishRepository
from microwish.services import claims, wishes
from microwish.settings import Settings

VILLAGE_WORKER = Caller(sub="demo-resident-wangjia", role="resident", name="王家村妇联主席")
CITY_OFFICER = Caller(sub="demo-officer-huaihua", role="officer", region="4312", name="怀化市妇联")
UNIT = Caller(sub="demo-unit-ggzy", role="donor", name="怀化市公共资源交易中心")
VOLUNTEERS = Caller(sub="demo-donor-volunteers", role="donor", name="怀化市志愿者协会")
DONOR = Caller(sub="demo-donor-1", role="donor", name="爱心人士")

# (title, description, category, groups, village, beneficiary, target_fen, what happens to it)
WISHES = [
    ("一台彩色电视机", "罹患癌症在家休养，想有一台电视机，看看外面的世界。", "goods", ["women_in_hardship"],
     "431222250201", ("谢桂云", "13800000001", "王家村三组"), 150_000, "fulfilled"),
    ("米和油", "家中一老一小，想添些米和油过冬。", "goods", ["elderly_alone"],
     "431281203201", ("杨莲英", "13800000002", "颜容村五组"), 30_000, "claimed"),
    ("孙女的学费", "孙女夏美琴读初中，学费有困难（拾穗行动）。", "study", ["left_behind_children"],
     "431281203201", ("夏美琴", "13800000003", "颜容村五组"), 120_000, "pooled"),
    ("一个新书包", "留守儿童，想要一个新书包和文具。", "study", ["left_behind_children"],
     "431221110201", ("石小雨", "13800000004", "石宝村二组"), 8_000, "open"),
    ("一副拐杖", "腿脚残疾，出门需要一副拐杖。", "goods", ["disabled"],
     "431221110202", ("岩大伯", "13800000005", "岩门村一组"), 20_000, "assigned"),
    ("帮忙收稻谷", "家里缺劳力，稻谷熟了需要人帮忙抢收。", "yard", ["left_behind_women"],
     "431224100201", ("向秋菊", "13800000006", "金竹村一组"), None, "open"),
    ("学一门手艺", "想学习电商直播，把自家腊肉卖出去。", "skill", ["women_in_hardship"],
     "431222250202", ("张春花", "13800000007", "杉木村四组"), None, "open"),
    ("有人来说说话", "独居老人，希望志愿者常来陪伴聊天、量血压。", "care", ["elderly_alone"],
     "431223100201", ("李奶奶", "13800000008", "柳树村二组"), None, "submitted"),
    ("一台轮椅", "下肢残疾，需要一台轮椅。", "goods", ["disabled_women"],
     "431228100201", ("吴秀英", "13800000009", "和平村三组"), 60_000, "submitted"),
]


def seed(outputs: dict[str, str]) -> str:
    """Load the demo wishes into the stack whose outputs are given; returns a one-line summary."""
    settings = Settings.from_env({**os.environ, "WISH_TABLE_NAME": outputs["WishTableName"]})
    repo = WishRepository(settings.wish_table_name)
    states: dict[str, int] = {}
    for title, description, category, groups, village, (name, phone, address), target, fate in WISHES:
        submission = WishSubmission.model_validate({
            "title": title, "description": description, "category": category, "groups": groups,
            "region_code": village, "target_fen": target,
            "beneficiary": {"name": name, "phone": phone, "address": address}})
        wish = wishes.submit_wish(VILLAGE_WORKER, submission, repo, settings)
        _live(fate, wish.id, repo, settings)
        states[fate] = states.get(fate, 0) + 1
    return f"{len(WISHES)} demo wishes in Huaihua: " + ", ".join(f"{n} {state}" for state, n in states.items())


def _live(fate: str, wish_id: str, repo: WishRepository, settings: Settings) -> None:
    """Take a freshly submitted wish as far along its life as its demo fate says."""
    if fate == "submitted":
        return
    mode = "pooled" if fate == "pooled" else "sole"
    wishes.review_wish(CITY_OFFICER, wish_id, ReviewDecision(decision="approve", mode=mode), repo, settings)
    if fate == "pooled":
        claims.claim_wish(VOLUNTEERS, wish_id, 50_000, repo, settings)
    elif fate == "assigned":
        claims.assign(CITY_OFFICER, wish_id, AssignmentRequest(donor_id=UNIT.sub or "", note="请认领"), repo, settings)
    elif fate in ("claimed", "fulfilled"):
        claims.claim_wish(UNIT if fate == "fulfilled" else DONOR, wish_id, None, repo, settings)
    if fate == "fulfilled":
        claims.deliver(UNIT, wish_id, DeliveryReport(note="党员干部和女职工代表送上电视机、慰问金和米油"), repo, settings)
        claims.confirm(CITY_OFFICER, wish_id, ConfirmationRequest(
            accepted=True, feedback="谢谢你们，圆了我看世界的心愿！"), repo, settings)
