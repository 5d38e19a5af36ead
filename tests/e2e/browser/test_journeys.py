"""The people's journeys of issue 9, in a real browser (each on a phone and at 360 px in elder mode)."""

from __future__ import annotations

import re
import struct
import uuid
import zlib
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.browser.wishes import approve, open_wish, tag

VILLAGE_PATH = ["湖南省", "怀化市", "沅陵县", "马底驿乡", "王家村"]


def pick_region(page: Any, names: list[str]) -> None:
    for name in names:
        page.locator(".van-cascader__option", has_text=re.compile(f"^{name}$")).click()


def test_village_worker_submits_officer_approves_donor_claims(people, runtime, variant):
    # A village worker signs in by picking a role, types a wish for an elderly resident with a mistake.
    worker = people()
    page = worker.open("/signin")
    worker.check("signin")
    page.fill('[data-test="signin-name"]', "李主任")
    page.click('[data-test="signin-role"][data-role="resident"]')
    expect(page).to_have_url(re.compile(r"/app/$"))
    worker.open("/submit")
    title = f"一台收音机 {tag()}"
    form = page.locator('[data-test="submit-form"]')
    expect(form.locator("text=只有审核的妇联干部和提交人能看到")).to_be_visible()
    page.fill("#w-title", title)
    page.fill("#w-description", "独居老人想听戏曲广播。")
    page.select_option("#w-category", "goods")
    page.check('input[value="elderly_alone"]')
    page.click('[data-test="region-button"]')
    pick_region(page, VILLAGE_PATH)
    expect(page.locator('[data-test="region-button"]')).to_contain_text("王家村")
    page.fill("#b-name", "王秀英")
    page.fill("#b-phone", "12345")  # the mistake
    page.fill("#b-address", "王家村 3 组")
    page.click('[data-test="submit-button"]')
    error = page.locator('[data-test="field-error"][data-field="beneficiary.phone"]')
    expect(error).to_be_visible()
    worker.check("submit-error")
    # What was typed survives a reload; then the fix, and the wish goes.
    page.reload()
    expect(page.locator("#w-title")).to_have_value(title)
    page.fill("#b-phone", "13800001111")
    # The connection drops after the server took the wish: the retry sends the same Idempotency-Key.
    dropped: list[str] = []

    def drop_the_first_answer(route: Any) -> None:
        if dropped:
            route.continue_()
            return
        dropped.append(route.request.headers.get("idempotency-key", ""))
        route.fetch()
        route.abort("internetdisconnected")

    page.route("**/wishes", drop_the_first_answer)
    page.click('[data-test="submit-button"]')
    expect(page.locator('[data-test="submit-message"]')).to_contain_text("网络")
    page.click('[data-test="submit-button"]')
    done = page.locator('[data-test="submit-done"]')
    expect(done).to_be_visible()
    page.unroute("**/wishes")
    assert dropped and dropped[0]
    worker_token = page.evaluate("sessionStorage.getItem('mw.token')")
    mine = runtime.get("/me/wishes?limit=100", token=worker_token).json()["items"]
    assert [w["title"] for w in mine].count(title) == 1, "the retry made a second wish"
    href = done.locator("a").first.get_attribute("href")
    wish_id = href.rstrip("/").rsplit("/", 1)[-1]
    assert page.evaluate("sessionStorage.getItem('mw.draft.submit.private')") is None
    assert page.evaluate("localStorage.getItem('mw.draft.submit')") is None

    # An officer approves it through the API.
    approve(runtime, wish_id)

    # A donor finds it on the wall by filter (region down to the township, category) and claims it.
    donor = people("donor", sub=f"donor-{tag()}")
    page = donor.open("/")
    page.click('[data-test="filter-region"]')
    pick_region(page, VILLAGE_PATH[:4])
    page.select_option('[data-test="filter-category"]', "goods")
    expect(page).to_have_url(re.compile(r"region=431222250.*category=goods|category=goods.*region=431222250"))
    card = page.locator(f'[data-test="wish-card"][data-wish-id="{wish_id}"]')
    expect(card).to_be_visible()
    expect(card).not_to_contain_text("王秀英")
    donor.check("wall-filtered")
    card.click()
    expect(page.locator('[data-test="wish-status"]')).to_have_text("待认领")
    expect(page.locator("body")).not_to_contain_text("13800001111")
    donor.check("wish")
    # Another donor has the same page open.
    other = people("donor", sub=f"donor-{tag()}")
    late = other.open(f"/wishes/{wish_id}")
    expect(late.locator('[data-test="claim-button"]')).to_be_visible()
    page.click('[data-test="claim-button"]')
    expect(page.locator('[data-test="wish-status"]')).to_have_text("已认领")

    # The other donor's claim is refused in words, and the page shows the truth.
    late.click('[data-test="claim-button"]')
    expect(late.locator('[data-test="action-message"]')).to_contain_text("已被他人认领")
    expect(late.locator('[data-test="wish-status"]')).to_have_text("已认领")
    expect(late.locator('[data-test="claim-button"]')).to_have_count(0)
    other.check("wish-taken")


def test_two_donors_pledge_a_pooled_wish_to_its_target(people, runtime, variant):
    wish_id = open_wish(runtime, f"轮椅一台 {tag()}", target_fen=30000)
    first = people("donor", sub=f"donor-{tag()}")
    second = people("donor", sub=f"donor-{tag()}")
    a = first.open(f"/wishes/{wish_id}")
    b = second.open(f"/wishes/{wish_id}")
    expect(a.locator('[data-test="pledge-remaining"]')).to_have_text("¥300")
    expect(b.locator('[data-test="pledge-remaining"]')).to_have_text("¥300")
    first.check("wish-pooled")
    a.fill('[data-test="pledge-amount"]', "200")
    a.click('[data-test="pledge-button"]')
    expect(a.locator('[data-test="pledge-remaining"]')).to_have_text("¥100")
    # The second donor's page still says ¥300: the API refuses ¥150, the page says why and refreshes.
    b.fill('[data-test="pledge-amount"]', "150")
    b.click('[data-test="pledge-button"]')
    expect(b.locator('[data-test="action-message"]')).to_contain_text("剩余")
    expect(b.locator('[data-test="pledge-remaining"]')).to_have_text("¥100")
    second.check("wish-pledge-refused")
    b.fill('[data-test="pledge-amount"]', "100")
    b.click('[data-test="pledge-button"]')
    expect(b.locator('[data-test="wish-status"]')).to_have_text("已认领")
    wish = runtime.get(f"/wishes/{wish_id}").json()
    assert (wish["pledged_fen"], wish["status"]) == (30000, "claimed")


def test_basket_where_one_wish_is_taken_meanwhile(people, runtime, variant):
    ids = [open_wish(runtime, f"心愿篮 {n} {tag()}") for n in range(3)]
    donor = people("donor", sub=f"donor-{tag()}")
    for wish_id in ids:
        page = donor.open(f"/wishes/{wish_id}")
        page.click('[data-test="basket-add"]')
        expect(page.locator('[data-test="basket-add"]')).to_be_disabled()
    # Meanwhile another donor takes the second one.
    rival = runtime.token("donor", f"rival-{tag()}")
    assert runtime.post(f"/wishes/{ids[1]}/claims", token=rival, json={}).status_code == 201
    page = donor.open("/basket")
    donor.check("basket")
    page.click('[data-test="basket-claim"]')
    expect(page.locator('[data-test="basket-taken"]')).to_contain_text("心愿篮 1")
    expect(page.locator('[data-test="basket-claim"]')).to_contain_text("其余 2")
    donor.check("basket-refused")
    page.click('[data-test="basket-claim"]')
    expect(page.locator('[data-test="basket-message"]')).to_contain_text("成功认领 2")
    for wish_id in (ids[0], ids[2]):
        assert runtime.get(f"/wishes/{wish_id}").json()["status"] == "claimed"


def png(width: int = 64, height: int = 48) -> bytes:
    raw = b"".join(b"\x00" + bytes((200, 16, 46)) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_donor_reports_delivery_with_a_photo_and_the_inbox_badge_counts(people, runtime, variant, tmp_path: Path):
    sub = f"donor-{tag()}"
    donor = people("donor", sub=sub)
    wish_id = open_wish(runtime, f"送米送油 {tag()}")
    assert runtime.post(f"/wishes/{wish_id}/claims", token=donor.token, json={}).status_code == 201
    page = donor.open("/me")
    claim = page.locator(f'[data-test="my-claim"][data-wish-id="{wish_id}"]')
    expect(claim).to_contain_text("前完成")
    donor.check("me")
    claim.locator('[data-test="delivery-start"]').click()
    photo = tmp_path / "delivery.png"
    photo.write_bytes(png())
    claim.locator('[data-test="delivery-note"]').fill("已送到老人家中")
    claim.locator('[data-test="delivery-photo"]').set_input_files(str(photo))
    claim.locator('[data-test="delivery-submit"]').click()
    expect(page.locator('[data-test="me-message"]')).to_contain_text("1 张照片")
    assert runtime.get(f"/wishes/{wish_id}").json()["status"] == "delivered"

    # The inbox badge shows the unread count the API has (notifications arrive through the stream).
    def unread() -> int:
        items = runtime.get("/me/notifications?limit=100", token=donor.token).json()["items"]
        return sum(not item["read"] for item in items)

    page.wait_for_function("true")
    deadline_ms = 30_000
    page.wait_for_timeout(500)
    waited = 0
    while unread() == 0 and waited < deadline_ms:
        page.wait_for_timeout(500)
        waited += 500
    count = unread()
    assert count > 0
    page = donor.open("/inbox")
    badge = page.locator('[data-test="inbox-badge"]')
    expect(badge).to_have_attribute("data-count", str(unread()))
    donor.check("inbox")
    before = int(badge.get_attribute("data-count"))
    page.locator('[data-test="notification-read"]').first.click()
    expect(badge).to_have_attribute("data-count", str(before - 1))
    page.click('[data-test="inbox-read-all"]')
    expect(badge).to_have_attribute("data-count", "0")
    # The badge is on every page.
    page = donor.open("/")
    expect(page.locator('[data-test="inbox-badge"]')).to_have_attribute("data-count", "0")


def test_wall_lost_connection_offers_retry_and_elder_mode_is_remembered(people, runtime, variant):
    visitor = people()
    page = visitor.context.new_page()
    visitor.page = page
    page.route(re.compile(r".*/wishes\?.*"), lambda route: route.abort("internetdisconnected"))
    visitor.open("/")
    retry = page.locator('[data-test="error-retry"]')
    expect(retry).to_contain_text("网络")
    page.unroute(re.compile(r".*/wishes\?.*"))
    retry.locator("button").click()
    expect(page.locator('[data-test="wish-card"]').first).to_be_visible()
    visitor.check("wall")
    if variant == "phone":  # and on a desktop screen
        page.set_viewport_size({"width": 1440, "height": 900})
        visitor.check("wall-1440")
        page.set_viewport_size({"width": 414, "height": 860})
    switch = page.locator('[data-test="elder-mode"]')
    was = switch.get_attribute("aria-checked")
    switch.click()
    expect(switch).not_to_have_attribute("aria-checked", was)
    page.reload()
    expect(page.locator('[data-test="elder-mode"]')).not_to_have_attribute("aria-checked", was)
    # A title holding markup shows as text.
    wish_id = open_wish(runtime, f"<b>粗体</b><img src=x> {tag()}")
    page = visitor.open(f"/wishes/{wish_id}")
    expect(page.locator("h1.wish-title")).to_contain_text("<b>粗体</b><img src=x>")
    assert page.locator("h1.wish-title b, h1.wish-title img").count() == 0


def test_donor_verifies_a_new_phone_with_the_code_sent_to_it(people, runtime, variant):
    # A donor turns on SMS with a new number: it is stored unverified and a 6-digit code goes to it.
    donor = people("donor", sub=f"donor-{tag()}")
    phone = f"139{uuid.uuid4().int % 10**8:08d}"
    page = donor.open("/me")
    expect(page.get_by_text("还没有认领心愿")).to_be_visible()  # loaded: the stored preferences no longer overwrite
    page.check('[data-test="pref-sms"]')
    page.fill("#pref-phone", phone)
    page.click('[data-test="prefs-save"]')
    form = page.locator('[data-test="verify-form"][data-channel="sms"]')
    expect(form).to_contain_text(f"验证码已发送至 {phone}，请输入")
    expect(page.locator('[data-test="verify-hint"]')).to_contain_text("验证之后才开始发送")
    code_input = form.locator('[data-test="verify-code"]')
    expect(code_input).to_have_attribute("inputmode", "numeric")
    expect(code_input).to_have_attribute("autocomplete", "one-time-code")

    # The code as the SMS would bring it (locally the outbox).
    texts = [
        item["text"]
        for item in runtime.get("/dev/outbox").json()["items"]
        if item["channel"] == "sms" and phone in str(item.get("to"))
    ]
    assert texts, f"no code went to {phone}"
    code = re.search(r"\b(\d{6})\b", texts[0]).group(1)

    # A wrong code: the error beside the field, nothing verified.
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    code_input.fill(wrong)
    form.locator('[data-test="verify-submit"]').click()
    error = form.locator('[data-test="field-error"][data-field="sms-code"]')
    expect(error).to_contain_text("验证码不正确")
    donor.check("me-verify-wrong")
    assert runtime.get("/me/preferences", token=donor.token).json()["phone_verified"] is False

    # The right one: the number is verified and marked so.
    code_input.fill(code)
    form.locator('[data-test="verify-submit"]').click()
    expect(page.locator('[data-test="verified"][data-channel="sms"]')).to_contain_text("已验证")
    expect(form).to_have_count(0)
    donor.check("me-verified")
    expect(page.locator('[data-test="pref-sms"]')).to_be_checked()
    stored = runtime.get("/me/preferences", token=donor.token).json()
    assert stored["phone_verified"] is True and stored["sms"] is True
