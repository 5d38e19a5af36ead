"""The chat conversation (issue 11 §2): every command through `respond`, for bound and unbound people,
the guided submission with wrong answers corrected, authorization as the HTTP API's, and no beneficiary's
personal data in any reply (but the submitter's own echo) or log line."""

from __future__ import annotations

import logging

import pytest

from microwish.chat.conversation import ChatMessage, respond
from microwish.repository import WishRepository, keys, to_dynamo
from microwish.settings import Settings
from tests.support.harness import person
from tests.support.people import (
    CITY_OFFICER,
    DONOR,
    DONOR_2,
    FOREIGN_OFFICER,
    OFFICER,
    PRIVATE,
    VILLAGE,
    submit,
)
from tests.support.people import open_wish as _open_wish


def open_wish(api, mode=None):
    if mode is None:
        return _open_wish(api)
    wish = submit(api)
    reply = api.post(f"/wishes/{wish['id']}/review", {"decision": "approve", "mode": mode}, as_=CITY_OFFICER)
    assert reply.status == 200, reply.text
    return reply.json


WORKER = person("resident", "worker-wangjia", name="王家村妇联主席")
VILLAGE_OFFICER = person("officer", "officer-wangjia", region=VILLAGE)


class Chat:
    """One chat identity talking to `respond`, as the platform callbacks call it."""

    def __init__(self, api, table, user, platform="wechat", **settings):
        self.api, self.table, self.user, self.platform = api, table, user, platform
        self.settings = Settings(wish_table_name=table, web_base_url="https://wish.example/app", **settings)
        self.replies: list[str] = []
        self.count = 0

    def say(self, text):
        self.count += 1
        message = ChatMessage(platform=self.platform, user=self.user, text=text, message_id=f"{self.user}-{self.count}")
        reply = respond(message, WishRepository(self.table), self.settings)
        assert isinstance(reply, str) and reply
        self.replies.append(reply)
        return reply

    def bind(self, who):
        code = self.api.post("/me/chat-bindings", as_=who).json["code"]
        assert "绑定成功" in self.say(f"绑定 {code}")
        return self


@pytest.fixture
def chat(api, table):
    def make(user, who=None, **settings):
        talk = Chat(api, table, user, **settings)
        return talk.bind(who) if who else talk

    return make


# ---------------------------------------------------------------- anyone
def test_help_depends_on_who_is_bound(chat):
    assert "绑定 123456" in chat("anyone").say("帮助")
    assert "认领 编号" in chat("d", DONOR).say("帮助")
    officer_help = chat("o", OFFICER).say("菜单")
    assert "待审核" in officer_help and "认领 编号" not in officer_help
    assert "许愿" in chat("w", WORKER).say("？")
    assert "没看懂" in chat("anyone").say("你好")


def test_the_wish_list_near_a_place_has_modes_and_links_and_nothing_private(api, chat):
    sole = open_wish(api)
    pooled = open_wish(api, mode="pooled")
    reply = chat("anyone").say("心愿清单 沅陵")
    assert reply.startswith("怀化市沅陵县最新的待认领心愿")
    assert f"https://wish.example/app/wishes/{sole['id']}" in reply
    assert f"[{pooled['id'][:6]}]" in reply and "N+1 众筹，还差¥1,500" in reply and "1+1 一对一" in reply
    assert "马底驿乡" in reply and "谢女士" in reply
    for secret in (*PRIVATE, VILLAGE, "王家村"):
        assert secret not in reply
    assert "绑定" in reply  # the unbound are told how to claim
    assert "怀化市最新" in chat("anyone").say("心愿清单")  # no place: the home region
    assert "马底驿乡最新" in chat("anyone").say("心愿清单：马底驿")  # a township, punctuation forgiven
    assert "没有找到" in chat("anyone").say("心愿清单 火星")
    assert "暂时没有" in chat("anyone").say("心愿清单 北京")


# ---------------------------------------------------------------- donors
def test_unbound_people_only_see_public_things(api, chat):
    wish = open_wish(api)
    stranger = chat("stranger")
    for text in (
        f"认领 {wish['id'][:6]}",
        f"捐 {wish['id'][:6]} 50",
        "我的认领",
        "待审核",
        f"通过 {wish['id'][:6]}",
        "许愿",
    ):
        assert "先绑定" in stranger.say(text)
    assert api.get(f"/wishes/{wish['id']}").json["status"] == "open"


def test_a_donor_claims_a_sole_wish_and_another_is_told_it_is_taken(api, chat):
    wish = open_wish(api)
    donor = chat("d1", DONOR)
    donor.say("心愿清单 沅陵")
    reply = donor.say(f"认领 {wish['id'][:6].upper()}")  # upper case, as people type it
    assert "认领成功" in reply and "前送达" in reply
    assert api.get(f"/wishes/{wish['id']}").json["status"] == "claimed"
    mine = api.get("/me/claims", as_=DONOR).json["items"]
    assert [claim["wish_id"] for claim in mine] == [wish["id"]]

    other = chat("d2", DONOR_2)
    assert "来晚了" in other.say(f"认领 {wish['id']}")  # the whole id works too
    listed = donor.say("我的认领")
    assert wish["id"][:6] in listed and "进行中" in listed and "前送达" in listed


def test_pledges_to_a_pooled_wish_and_the_refusals(api, chat):
    wish = open_wish(api, mode="pooled")  # ¥1,500
    number = wish["id"][:6]
    donor = chat("d1", DONOR)
    assert "捐" in donor.say(f"认领 {number}")  # a pooled wish is pledged, not claimed
    assert "已认捐 ¥50" in donor.say(f"捐 {number} ５０元")
    assert api.get(f"/wishes/{wish['id']}").json["pledged_fen"] == 5000
    assert "最多还能捐 ¥1,450" in donor.say(f"捐 {number} 2000")
    assert "请这样发" in donor.say(f"捐 {number}")
    assert "筹满" in chat("d2", DONOR_2).say(f"捐 {number} 1450")
    assert api.get(f"/wishes/{wish['id']}").json["status"] == "claimed"
    sole = open_wish(api)
    assert "1+1" in donor.say(f"捐 {sole['id'][:6]} 10")


def test_a_donor_over_the_limit_is_told(api, chat):
    first, second = open_wish(api), open_wish(api)
    donor = chat("d1", DONOR, max_active_claims=1)
    assert "认领成功" in donor.say(f"认领 {first['id'][:6]}")
    assert "上限" in donor.say(f"认领 {second['id'][:6]}")


def test_numbers_unknown_short_or_ambiguous(api, chat, table):
    donor = chat("d1", DONOR)
    assert "至少 4 位" in donor.say("认领 ab")
    assert "没有找到编号" in donor.say("认领 ffff0000")
    first, second = open_wish(api), open_wish(api)
    # this chat was shown both under one number: it asks for more digits
    WishRepository(table).chat.put_shown("wechat", "d1", [first["id"], second["id"]], 9999999999)
    common = ""
    for left, right in zip(first["id"], second["id"], strict=True):
        if left != right:
            break
        common += left
    if len(common) < 4:  # ids are random: make the shown list share a prefix by naming the first twice
        WishRepository(table).chat.put_shown("wechat", "d1", [first["id"], first["id"][:4] + "0" * 28], 9999999999)
        common = first["id"][:4]
    assert "请多打几位" in donor.say(f"认领 {common}")


# ---------------------------------------------------------------- officers
def test_an_officer_reviews_from_her_chat(api, chat):
    waiting = [submit(api) for _ in range(3)]
    officer = chat("o1", OFFICER)
    queue = officer.say("待审核")
    assert "待审核 3 个" in queue and "通过 编号" in queue and waiting[0]["id"][:6] in queue
    for secret in (*PRIVATE, VILLAGE):
        assert secret not in queue
    assert "已通过" in officer.say(f"通过 {waiting[0]['id'][:6]}")
    assert api.get(f"/wishes/{waiting[0]['id']}").json["status"] == "open"
    assert "需要写理由" in officer.say(f"退回 {waiting[1]['id'][:6]}")
    assert "已退回" in officer.say(f"退回 {waiting[1]['id'][:6]} 请补充说明")
    private = api.get(f"/wishes/{waiting[1]['id']}", as_=OFFICER).json
    assert private["status"] == "rejected" and private["review_reason"] == "请补充说明"
    events = api.get(f"/wishes/{waiting[0]['id']}/events", as_=OFFICER).json["items"]
    assert events[-1]["action"] == "approved" and events[-1]["actor"] == OFFICER["sub"]


def test_a_donor_cannot_approve_and_an_officer_cannot_act_outside_her_region(api, chat):
    wish = submit(api)
    number = wish["id"][:6]
    assert "不能做这件事" in chat("d1", DONOR).say(f"通过 {number}")
    foreign = chat("f1", FOREIGN_OFFICER)
    assert "没有" in foreign.say(f"通过 {number}")  # not in her region: as if it did not exist
    assert "没有" in foreign.say(f"通过 {wish['id']}")
    assert "没有待审核" in foreign.say("待审核")
    assert api.get(f"/wishes/{wish['id']}", as_=OFFICER).json["status"] == "submitted"


def test_wishes_at_her_level_at_risk_first_and_escalation(api, chat, shift):
    wish = open_wish(api)
    shift(8)
    assert api.post("/wishes/" + wish["id"] + "/escalation", {"reason": "村里无力解决"}, as_=OFFICER).status == 200
    township = chat("t1", person("officer", "officer-madiyi", region="431222250"))
    listed = township.say("本级心愿")
    assert wish["id"][:6] in listed and "上报 编号 理由" in listed
    assert "需要写理由" in township.say(f"上报 {wish['id'][:6]}")
    assert "已上报" in township.say(f"上报 {wish['id'][:6]} 乡里也无力解决")
    assert api.get(f"/wishes/{wish['id']}").json["level"] == "county"
    assert "没有升到本级" in chat("c1", CITY_OFFICER).say("急需")


# ---------------------------------------------------------------- the guided submission
def test_a_village_worker_submits_a_wish_correcting_wrong_answers(api, chat, table):
    worker = chat("w1", WORKER, platform="wecom")
    assert "1/7" in worker.say("许愿")
    assert "2/7" in worker.say("一台洗衣机")
    assert "没看懂" in worker.say("9")  # no such category: asked again
    assert "3/7" in worker.say("１")  # full-width digit
    assert "4/7" in worker.say("1 5")
    assert "5/7" in worker.say("谢桂兰")
    assert "这一项不合要求" in worker.say("12345")  # a phone of 5 digits: asked again, saying why
    assert "住址" in worker.say("13912345678")
    assert "哪个村" in worker.say("王家村4组")
    summary = worker.say("王家村")
    assert "谢桂兰" in summary and "13912345678" in summary and "王家村4组" in summary  # her own echo
    assert "留守儿童" in summary and "添一物" in summary
    assert "1/7" in worker.say("改 1")
    assert "请核对" in worker.say("一台新洗衣机")  # back to the summary after a correction
    done = worker.say("提交")
    assert "已提交" in done and "谢桂兰" not in done and "13912345678" not in done
    mine = api.get("/me/wishes", as_=WORKER).json["items"]
    assert [wish["title"] for wish in mine] == ["一台新洗衣机"]
    made = mine[0]
    assert made["beneficiary"] == {"name": "谢桂兰", "phone": "13912345678", "address": "王家村4组"}
    assert made["region_code"] == VILLAGE and made["groups"] == ["women_in_hardship", "left_behind_children"]
    assert made["status"] == "submitted"
    # the answers went with the wish's transaction
    stored = WishRepository(table).client.get_item(
        TableName=table, Key=to_dynamo(keys.chat_conversation_key("wecom", "w1"))
    )
    assert "Item" not in stored
    assert "没有进行中" in worker.say("提交")  # a second 提交 makes no second wish
    assert len(api.get("/me/wishes", as_=WORKER).json["items"]) == 1
    # and the officer of the region approves it from her chat
    assert "已通过" in chat("o1", OFFICER).say(f"通过 {made['id'][:6]}")


def test_the_title_is_checked_like_the_api_does(chat, api):
    worker = chat("w1", WORKER)
    worker.say("许愿")
    assert "不合要求" in worker.say("x" * 51)  # over 50 characters
    for answer in ("给谢桂兰买电视", "1", "0", "谢桂兰", "13912345678", "王家村4组", "王家村"):
        reply = worker.say(answer)
    assert "请核对" in reply
    asked = worker.say("提交")  # the beneficiary's name in the public title: refused at submission
    assert "1/7" in asked and "姓名" in asked
    worker.say("一台电视机")
    assert "已提交" in worker.say("提交")


def test_a_village_officer_confirms_her_own_village(chat, api):
    officer = chat("vo", VILLAGE_OFFICER)
    officer.say("许愿")
    for answer in ("一套课桌", "4", "0", "某某", "13900000001", "王家村1组"):
        reply = officer.say(answer)
    assert "是 怀化市沅陵县马底驿乡王家村 吗" in reply
    assert "请核对" in officer.say("是")
    assert "已提交" in officer.say("确认")


def test_cancel_leaves_and_deletes_the_answers(chat, table):
    worker = chat("w1", WORKER)
    worker.say("许愿")
    worker.say("一台电视机")
    assert "正在许愿" in worker.say("帮助")
    assert "已取消" in worker.say("取消")
    stored = WishRepository(table).client.get_item(
        TableName=table, Key=to_dynamo(keys.chat_conversation_key("wechat", "w1"))
    )
    assert "Item" not in stored
    assert "没有进行中" in worker.say("取消")


def test_a_donor_cannot_start_a_wish(chat):
    assert "不能做这件事" in chat("d1", DONOR).say("许愿")


def test_the_conversation_times_out(chat, shift):
    worker = chat("w1", WORKER)
    worker.say("许愿")
    shift(1 / 24)  # an hour later: the 30 minutes are over
    assert "没看懂" in worker.say("一台电视机")


# ---------------------------------------------------------------- personal data
def test_no_beneficiary_data_in_any_reply_but_the_echo_nor_in_logs(api, chat, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    secrets = ("甄秘密", "13711112222", "秘密村9组")
    submitted = [submit(api, beneficiary={"name": secrets[0], "phone": secrets[1], "address": secrets[2]})]
    worker = chat("w1", WORKER)
    echo = [worker.say(text) for text in ("许愿", "一台冰箱", "1", "0", *secrets)]
    echo.append(worker.say("王家村"))
    echo.append(worker.say("改 5"))
    echo.append(worker.say(secrets[1]))
    others = [worker.say("提交")]
    officer = chat("o1", OFFICER)
    others += [officer.say("待审核")]
    others += [officer.say(f"通过 {wish['id'][:6]}") for wish in submitted]
    donor = chat("d1", DONOR)
    others += [donor.say("心愿清单"), donor.say("心愿清单 马底驿乡"), donor.say(f"认领 {submitted[0]['id'][:6]}")]
    others += [donor.say("我的认领"), chat("anyone").say("心愿清单 沅陵"), officer.say("本级心愿")]
    assert any(secrets[0] in reply for reply in echo)  # the echo is there (so the search below can fail)
    for reply in others:
        for secret in (*secrets, VILLAGE, "王家村"):
            assert secret not in reply, (secret, reply)
    ours = [record for record in caplog.records if "microwish" in record.name or "service" in record.name]
    logged = "\n".join(record.getMessage() + str(record.__dict__) for record in ours)
    logged += capsys.readouterr().out
    assert "chat message" in logged
    for secret in secrets:
        assert secret not in logged


def test_respond_never_raises(chat, monkeypatch):
    from microwish.chat import conversation

    def broken(*args, **kwargs):
        raise RuntimeError("谢桂兰 13912345678")  # an error whose text holds personal data

    monkeypatch.setattr(conversation.wishes, "list_wishes", broken)
    assert "出了点问题" in chat("anyone").say("心愿清单")
    assert "心愿清单" in chat("anyone").say("\u202e\x00")  # nothing visible: the help
