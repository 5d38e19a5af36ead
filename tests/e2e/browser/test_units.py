"""Organizations (issue 12) in a real browser, each on a phone and at 360 px in elder mode: the officer's
compliance view and unit registry, volunteer work on a yard wish, a unit's member accepting a dispatch,
and the recognition figures."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.browser.wishes import COUNTY, officer_token, open_wish, tag


def today() -> str:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else {}


def new_unit(runtime: Any, officer: str, name: str, **extra: Any) -> dict[str, Any]:
    body = {"name": name, "kind": "volunteer_association", "region_code": COUNTY, **extra}
    return ok(runtime.post("/units", token=officer, json=body), 201)


def fits(person: Any, name: str) -> None:
    """The shared check (screenshot, axe), and nothing sticks out on the right: the page's own check reads
    the document's scroll width, which a body with overflow-x hidden keeps at the viewport's."""
    person.check(name)
    wider = person.page.evaluate(
        """() => { const width = document.documentElement.clientWidth;
          return [...document.querySelectorAll('main *')].filter((el) => el.getBoundingClientRect().right > width + 0.5)
            .map((el) => `${el.tagName}.${el.className}`).slice(0, 5) }"""
    )
    assert not wider, f"{name}: wider than the screen: {wider}"


def test_officer_sees_compliance_and_registers_a_unit(people, runtime, variant):
    officer = people("officer", sub=f"officer-{tag()}", region=COUNTY, name="沅陵县妇联干部")
    page = officer.open("/console")
    page.locator('[data-test="console-units"]').click()
    expect(page.locator('[data-test="unit-registry"]')).to_be_visible()
    expect(page.locator('[data-test="unit-card"]').first).to_be_visible()  # the demo's units of the county

    name = f"测试村党支部{tag()}"
    page.locator('[data-test="unit-form-open"]').click()
    page.locator('[data-test="unit-create"]').click()  # no name yet: said beside the field, nothing sent
    expect(page.locator('[data-test="field-error"][data-field="name"]')).to_be_visible()
    page.locator('[data-test="unit-name"]').fill(name)
    page.locator('[data-test="unit-kind"]').select_option("party_branch")
    expect(page.locator('[data-test="unit-region"]')).to_have_text("沅陵县")
    page.locator("#unit-honours").fill("五星级党支部（2025）")
    fits(officer, "unit-registry-form")
    page.locator('[data-test="unit-create"]').click()
    created = page.locator('[data-test="unit-created"]')
    expect(created).to_contain_text(name)
    unit_id = created.locator("a").get_attribute("href").rsplit("/", 1)[-1]
    expect(page.locator(f'[data-test="unit-card"][data-unit-id="{unit_id}"]')).to_contain_text("党支部")
    fits(officer, "unit-registry")

    page.get_by_role("link", name="年度活动达标情况").click()
    expect(page).to_have_url(re.compile(r"/app/compliance"))
    row = page.locator(f'[data-test="compliance-row"][data-unit-id="{unit_id}"]')
    expect(row).to_have_attribute("data-status", "below")  # a party branch owes one activity a year
    expect(row).to_contain_text("0 / 1")
    expect(row.locator('[data-test="compliance-status"]')).to_have_text("未达标")
    below = int(page.locator('[data-test="compliance-below"]').get_attribute("data-count"))
    assert below >= 1
    page.locator('[data-test="compliance-below"]').click()
    expect(page.locator('[data-test="compliance-row"]')).to_have_count(below)
    expect(row).to_be_visible()
    fits(officer, "compliance")
    page.locator('[data-test="compliance-met"]').click()
    expect(row).to_have_count(0)
    expect(page.locator('[data-test="compliance-row"][data-status="below"]')).to_have_count(0)

    # The officer records the unit's activity on its page: the unit meets its quota.
    page.locator('[data-test="compliance-all"]').click()
    row.get_by_role("link", name=name).click()
    activities = page.locator('[data-test="unit-activities"]')
    activities.locator('[data-test="activity-form-open"]').click()
    activities.locator('[data-test="activity-save"]').click()  # nothing filled in: said beside the fields
    expect(activities.locator('[data-test="field-error"][data-field="title"]')).to_be_visible()
    activities.locator('[data-test="activity-title"]').fill("三八节走访慰问")
    activities.locator('[data-test="activity-day"]').fill(today())
    activities.locator("#activity-participants").fill("6")
    activities.locator('[data-test="activity-save"]').click()
    expect(activities.locator('[data-test="activity-saved"]')).to_contain_text("三八节走访慰问")
    expect(activities.locator('[data-test="unit-activity"]')).to_have_count(1)
    fits(officer, "unit-page-activity")
    page.go_back()
    expect(row).to_have_attribute("data-status", "met")
    expect(row).to_contain_text("1 / 1")


def test_volunteer_signs_up_for_a_yard_wish_and_the_organizer_checks_them_in(people, runtime, variant):
    officer_sub = f"officer-{tag()}"
    organizer_token = runtime.token("officer", officer_sub, region=COUNTY)
    wish_id = open_wish(runtime, f"帮忙打扫院子 {tag()}", officer=organizer_token, category="yard")
    # Before the needs are stated the wish is a plain one to the public; its officer states them on its page.
    onlooker = people("donor", sub=f"donor-{tag()}")
    expect(onlooker.open(f"/wishes/{wish_id}").locator('[data-test="wish-status"]')).to_be_visible()
    expect(onlooker.page.locator('[data-test="volunteering"]')).to_have_count(0)
    organizer = people("officer", sub=officer_sub, region=COUNTY, name="沅陵县妇联干部")
    desk = organizer.open(f"/wishes/{wish_id}")
    expect(desk.locator('[data-test="volunteer-none"]')).to_be_visible()
    desk.locator('[data-test="volunteer-needs-open"]').click()
    form = desk.locator('[data-test="volunteer-needs-form"]')
    form.locator('[data-test="needs-places"]').fill("2")
    form.locator('[data-test="needs-day"]').fill(today())
    form.locator('[data-test="needs-place"]').fill("王家村村委会")
    form.locator("#needs-skills").fill("修补屋顶")
    fits(organizer, "volunteer-needs-form")
    form.locator('[data-test="needs-save"]').click()
    expect(desk.locator('[data-test="volunteer-message"]')).to_contain_text("已保存")
    expect(desk.locator('[data-test="volunteer-remaining"]')).to_have_attribute("data-value", "2")

    volunteer_sub = f"volunteer-{tag()}"
    volunteer = people("donor", sub=volunteer_sub, name="志愿者小李")
    page = volunteer.open(f"/wishes/{wish_id}")
    panel = page.locator('[data-test="volunteering"]')
    expect(panel.locator('[data-test="volunteer-place"]')).to_have_text("王家村村委会")
    expect(panel.locator('[data-test="volunteer-day"]')).to_have_text(today())
    expect(panel).to_contain_text("修补屋顶")
    expect(panel.locator('[data-test="volunteer-remaining"]')).to_have_attribute("data-value", "2")
    expect(panel.locator('[data-test="volunteer-signups"]')).to_have_count(0)  # not the organizer
    fits(volunteer, "volunteer-needs")
    panel.locator('[data-test="volunteer-signup"]').click()
    expect(panel.locator('[data-test="volunteer-message"]')).to_contain_text("报名成功")
    expect(panel.locator('[data-test="my-signup"]')).to_have_attribute("data-status", "signed_up")
    expect(panel.locator('[data-test="volunteer-remaining"]')).to_have_attribute("data-value", "1")
    expect(panel.locator('[data-test="volunteer-signup"]')).to_have_count(0)
    expect(panel.locator('[data-test="volunteer-withdraw"]')).to_be_visible()
    fits(volunteer, "volunteer-signed-up")

    desk.reload()
    row = desk.locator(f'[data-test="volunteer-row"][data-volunteer-id="{volunteer_sub}"]')
    expect(row).to_have_attribute("data-status", "signed_up")
    expect(row).to_contain_text("志愿者小李")
    row.locator('[data-test="volunteer-hours-input"]').fill("3.5")
    fits(organizer, "volunteer-signups")
    row.locator('[data-test="volunteer-checkin"]').click()
    expect(row).to_have_attribute("data-status", "checked_in")
    expect(row.locator('[data-test="volunteer-hours"]')).to_have_text("3.5 小时")
    with desk.expect_download() as download:
        desk.locator('[data-test="volunteer-hours-csv"]').click()
    csv = download.value.path().read_text(encoding="utf-8-sig")
    assert "志愿者小李" in csv or volunteer_sub in csv, csv[:500]
    fits(organizer, "volunteer-checked-in")

    # The volunteer sees the hours; a checked-in place cannot be withdrawn any more.
    page.reload()
    expect(panel.locator('[data-test="my-signup"]')).to_have_attribute("data-status", "checked_in")
    expect(panel.locator('[data-test="my-signup"]')).to_contain_text("3.5 小时")
    expect(panel.locator('[data-test="volunteer-withdraw"]')).to_have_count(0)


def test_a_member_accepts_a_dispatched_offer_and_adds_a_member(people, runtime, variant):
    officer = officer_token(runtime)
    chair_sub = f"chair-{tag()}"
    unit = new_unit(runtime, officer, f"沅陵县义工队{tag()}", admins=[chair_sub], honours=["巾帼文明岗（2025）"])
    title = f"派单送轮椅 {tag()}"
    wish_id = open_wish(runtime, title, officer=officer)
    ok(runtime.post(f"/wishes/{wish_id}/assignment", token=officer, json={"unit_id": unit["id"], "note": "请尽快"}))

    chair = people("donor", sub=chair_sub, name="义工队队长")
    page = chair.open("/me")
    page.locator('[data-test="my-units-link"]').click()
    card = page.locator(f'[data-test="unit-card"][data-unit-id="{unit["id"]}"]')
    expect(card.locator('[data-test="unit-my-role"]')).to_have_text("我是管理员")
    fits(chair, "my-units")
    card.get_by_role("link", name=unit["name"]).click()
    expect(page.locator('[data-test="unit-page"]')).to_be_visible()
    expect(page.locator('[data-test="unit-honour"]')).to_contain_text("巾帼文明岗")
    offer = page.locator(f'[data-test="unit-offer"][data-wish-id="{wish_id}"]')
    expect(offer).to_contain_text(title)
    fits(chair, "unit-page-offer")
    offer.locator('[data-test="offer-accept"]').click()
    expect(page.locator('[data-test="unit-claim-result"]')).to_contain_text("已接单")
    held = page.locator(f'[data-test="unit-claim"][data-wish-id="{wish_id}"]')
    expect(held).to_have_attribute("data-status", "active")
    expect(offer).to_have_count(0)
    wish = ok(runtime.get(f"/wishes/{wish_id}", token=officer))
    assert wish["status"] == "claimed", wish["status"]

    # Any member reports the unit's work done.
    held.locator('[data-test="unit-delivery-start"]').click()
    held.locator('[data-test="unit-delivery-note"]').fill("轮椅已送到家中")
    held.locator('[data-test="unit-delivery-submit"]').click()
    expect(page.locator('[data-test="unit-claim-result"]')).to_contain_text("已报告送达")
    expect(held).to_have_attribute("data-status", "delivered")

    # The unit's admin adds a member, who then sees the unit among theirs.
    member_sub = f"member-{tag()}"
    members = page.locator('[data-test="unit-members"]')
    members.locator('[data-test="member-sub"]').fill(member_sub)
    members.locator('[data-test="member-add"]').click()
    expect(members.locator(f'[data-test="unit-member"][data-sub="{member_sub}"]')).to_contain_text("成员")
    fits(chair, "unit-page-members")
    member = people("donor", sub=member_sub, name="义工")
    mine = member.open("/me/units")
    expect(mine.locator(f'[data-test="unit-card"][data-unit-id="{unit["id"]}"]')).to_contain_text("我是成员")
    mine.locator(f'[data-test="unit-card"][data-unit-id="{unit["id"]}"] a').click()
    expect(mine.locator('[data-test="unit-claims"]')).to_be_visible()
    expect(mine.locator('[data-test="unit-members"]')).to_have_count(0)  # members are for its admins


def test_recognition_shows_the_years_leaders_and_outside_funds_apart(people, runtime, variant):
    officer = officer_token(runtime)
    chair_sub = f"chair-{tag()}"
    chair = runtime.token("donor", chair_sub, name="会长")
    unit = new_unit(runtime, officer, f"怀化爱心企业{tag()}", admins=[chair_sub], honours=["三八红旗集体（2024）"])
    wish_id = open_wish(runtime, f"圆梦 {tag()}", officer=officer)
    for path, token, body in (
        (f"/wishes/{wish_id}/assignment", officer, {"unit_id": unit["id"]}),
        (f"/wishes/{wish_id}/assignment/accept", chair, {}),
        (f"/wishes/{wish_id}/delivery", chair, {"note": "已送到"}),
        (f"/wishes/{wish_id}/confirmation", officer, {"accepted": True}),
    ):
        ok(runtime.post(path, token=token, json=body))
    ok(
        runtime.post(
            f"/units/{unit['id']}/activities",
            token=officer,
            json={
                "title": "六一爱心妈妈活动",
                "day": today(),
                "participants": 12,
                "summary": "",
                "wish_ids": [wish_id],
            },
        ),
        201,
    )
    source = f"99公益日 {tag()}"
    ok(
        runtime.post(
            "/external-funds",
            token=officer,
            json={
                "region_code": COUNTY,
                "source": source,
                "day": today(),
                "amount_fen": 123_400,
                "donors": 56,
                "note": "线上募集",
            },
        ),
        201,
    )
    for _ in range(60):  # the fulfilment is counted by the stream consumer, seconds behind
        units = ok(runtime.get("/recognition", token=officer))["units"]
        if any(u["unit_id"] == unit["id"] and u["wishes"] == 1 for u in units):
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"{unit['name']} never counted in GET /recognition")

    viewer = people("officer", sub=f"officer-{tag()}", region=COUNTY)
    page = viewer.open("/stats")
    page.locator('[data-test="stats-recognition"]').click()
    leader = page.locator(f'[data-test="recognition-unit"][data-unit-id="{unit["id"]}"]')
    expect(leader).to_contain_text(unit["name"])
    expect(leader).to_contain_text("圆梦 1 个")
    expect(leader).to_contain_text("活动 1 次")
    expect(leader).to_contain_text("三八红旗集体（2024）")
    funds = page.locator('[data-test="external-funds"]')
    expect(funds).to_contain_text(source)
    expect(funds).to_contain_text("¥1,234")
    fits(viewer, "recognition")
    with page.expect_download() as download:
        page.locator('[data-test="recognition-csv"]').click()
    assert unit["name"] in download.value.path().read_text(encoding="utf-8-sig")

    # Not for donors: the page says who may see it.
    donor = people("donor", sub=f"donor-{tag()}")
    expect(donor.open("/recognition").locator('[data-test="recognition"]')).to_have_count(0)
