"""The guided submission ("许愿"): seven short questions, a summary to correct ("改 2"), then the wish.

Each answer is checked as the API checks it — the same `WishSubmission` model, and at the end the same
`services.wishes.submit_wish` as `POST /wishes`, as the bound person's Caller. An answer the model
refuses is asked again, saying why. The state (the answers so far) lives in the table under the chat
identity, versioned and with a TTL (`TTL_MINUTES`); the wish's transaction deletes it, so the private
answers (name, phone, address) are gone with the same commit that stores them in the wish's private part.
Only the summary echoes the private answers, to the person who just typed them.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .. import clock
from ..auth import Caller
from ..catalog import categories, groups
from ..errors import DomainError, Forbidden, InvalidInput
from ..models import WishSubmission
from ..personal_data import PersonalDataError
from ..registry import get_registry
from ..repository import ConditionFailed, Transaction, WishRepository
from ..repository.chat import end_conversation
from ..services import wishes
from ..settings import Settings
from . import places, replies
from .text import parse

TTL_MINUTES = 30
STEPS = ("title", "category", "groups", "name", "phone", "address", "village")
PRIVATE_NOTE = "（仅审核的妇联干部可见，不会公开）"
_SAMPLE: dict[str, Any] = {  # valid stand-ins for the answers not given yet, to check one answer alone
    "title": "心愿",
    "category": "goods",
    "groups": [],
    "region_code": "431222250201",
    "beneficiary": {"name": "某", "phone": "13800000000", "address": "某地"},
}
# Where each answer sits in the submission (pydantic's error locations), and back.
_FIELD = {
    "title": ("title",),
    "category": ("category",),
    "groups": ("groups",),
    "name": ("beneficiary", "name"),
    "phone": ("beneficiary", "phone"),
    "address": ("beneficiary", "address"),
    "village": ("region_code",),
}
_HINT = {
    "title": "一句话，1–50 个字；会公开，所以不能有电话、身份证号或受助人姓名。",
    "category": "请回复列表里的一个数字。",
    "groups": "请回复列表里的数字，最多 4 个，用空格隔开；都不是就回复 0。",
    "name": "姓名 1–30 个字。",
    "phone": "要手机号（11 位，如 13800000000）或带区号的座机（如 0745-2345678）。",
    "address": "住址 1–200 个字，如：王家村3组。",
    "village": "请回复村名，或列表里的数字。",
}


_PUBLIC_TEXT = "心愿会公开，不能写电话、身份证号或受助人姓名，请换个说法。"


class Conversation:
    """One chat identity's guided submission: read, answered, saved (or ended by the wish)."""

    def __init__(self, platform: str, user: str, caller: Caller, repo: WishRepository, settings: Settings) -> None:
        self.platform, self.user, self.caller = platform, user, caller
        self.repo, self.settings = repo, settings
        self.state: dict[str, Any] = {}

    # ------------------------------------------------------------ the state in the table
    @classmethod
    def load(
        cls, platform: str, user: str, caller: Caller, repo: WishRepository, settings: Settings
    ) -> Conversation | None:
        """The conversation going on, if any (and not past its time, nor started by another person)."""
        stored = repo.chat.conversation(platform, user)
        if not stored or str(stored.get("valid_until", "")) <= clock.now_iso() or stored.get("sub") != caller.sub:
            return None
        conversation = cls(platform, user, caller, repo, settings)
        conversation.state = {
            key: stored[key] for key in ("step", "answers", "choices", "editing", "version", "sub") if key in stored
        }
        return conversation

    def _save(self) -> None:
        valid_until = clock.iso(clock.now() + _minutes(TTL_MINUTES))
        self.state.update(sub=self.caller.sub, valid_until=valid_until)
        expires = int((clock.parse(valid_until) + _minutes(60)).timestamp())
        self.state["version"] = self.repo.chat.save_conversation(self.platform, self.user, self.state, expires)

    @property
    def step(self) -> str:
        return str(self.state.get("step", "title"))

    @property
    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = self.state.setdefault("answers", {})
        return answers

    # ------------------------------------------------------------ the conversation
    def start(self) -> str:
        self.state = {"step": "title", "answers": {}, "version": 0}
        self._save()
        return "好的，我们来许一个心愿（随时回复“取消”退出）。\n" + self.question()

    def cancel(self) -> str:
        self.repo.chat.drop_conversation(self.platform, self.user)
        return "已取消，刚才填写的内容已删除。"

    def question(self) -> str:
        step = self.step
        number = f"{STEPS.index(step) + 1}/{len(STEPS)} " if step in STEPS else ""
        if step == "title":
            return number + "想要什么？一句话说清，例如：一台电视机。"
        if step == "category":
            listed = "\n".join(
                f"{index} {entry['name']}（{entry['description']}）"
                for index, entry in enumerate(categories().values(), 1)
            )
            return number + "哪一类？回复数字：\n" + listed
        if step == "groups":
            listed = "\n".join(f"{index} {entry['name']}" for index, entry in enumerate(groups().values(), 1))
            return number + "为哪类人？回复数字，可多选（如：1 5），都不是回复 0：\n" + listed
        if step == "name":
            return number + "受助人的姓名？" + PRIVATE_NOTE
        if step == "phone":
            return number + "受助人的电话？" + PRIVATE_NOTE
        if step == "address":
            return number + "受助人的住址（如：王家村3组）？" + PRIVATE_NOTE
        if step == "village":
            return number + self._village_question()
        return self.summary()

    def answer(self, text: str) -> str:
        said = parse(text)
        if self.step == "confirm":
            return self._confirm(said.command, said.words)
        problem = self._take(self.step, said.text)
        if problem:
            self._save()  # a village list offered is kept
            return problem
        self.state["step"] = "confirm" if self.state.pop("editing", False) else _after(self.step)
        self._save()
        return self.question()

    # ------------------------------------------------------------ answers
    def _take(self, step: str, text: str) -> str | None:
        """Store the answer to `step`; the question again with why, when it does not do."""
        if step == "category":
            codes = list(categories())
            index = _number(text)
            if index is None or not 1 <= index <= len(codes):
                return "没看懂。" + _HINT[step] + "\n" + self.question()
            self.answers["category"] = codes[index - 1]
        elif step == "groups":
            codes = list(groups())
            picked = [_number(word) for word in text.replace(",", " ").replace("、", " ").split()]
            if picked == [0]:
                self.answers["groups"] = []
            elif not picked or any(index is None or not 1 <= index <= len(codes) for index in picked):
                return "没看懂。" + _HINT[step] + "\n" + self.question()
            else:
                self.answers["groups"] = [codes[index - 1] for index in picked if index is not None]
        elif step == "village":
            problem = self._take_village(text)
            if problem:
                return problem
        else:
            self.answers[step] = text
        return self._check(step)

    def _check(self, step: str) -> str | None:
        """The submission model's verdict on this one answer (the others stand in with valid samples)."""
        try:
            WishSubmission.model_validate(self._submission(sample=True))
        except ValidationError as error:
            location = _FIELD[step]
            if any(tuple(entry["loc"][: len(location)]) == location for entry in error.errors()):
                self.answers.pop(_answer_key(step), None)
                return "这一项不合要求：" + _HINT[step] + "\n" + self.question()
        return None

    def _submission(self, sample: bool = False) -> dict[str, Any]:
        base: dict[str, Any] = dict(_SAMPLE) if sample else {}
        answers = self.answers
        given: dict[str, Any] = {key: answers[key] for key in ("title", "category", "groups") if key in answers}
        body: dict[str, Any] = {**base, **given}
        if "region_code" in answers:
            body["region_code"] = answers["region_code"]
        beneficiary: dict[str, Any] = dict(_SAMPLE["beneficiary"]) if sample else {}
        beneficiary.update({key: answers[key] for key in ("name", "phone", "address") if key in answers})
        body["beneficiary"] = beneficiary
        return body

    # ------------------------------------------------------------ the village
    def _scope(self) -> str:
        """Where the village is looked for: the person's own region, else the deployment's home region."""
        region = self.caller.region
        return region if region and get_registry().get(region) else self.settings.home_region

    def _village_question(self) -> str:
        choices = self.state.get("choices") or []
        if choices:
            listed = "\n".join(f"{index} {places.full_name(code)}" for index, code in enumerate(choices, 1))
            return "是哪个村？回复数字：\n" + listed
        scope = self._scope()
        if get_registry().is_known_village(scope):
            return f"是 {places.full_name(scope)} 吗？回复“是”确认，或回复别的村名。"
        return f"哪个村？回复村名（{places.full_name(scope)}范围内）。"

    def _take_village(self, text: str) -> str | None:
        scope = self._scope()
        choices = self.state.pop("choices", None) or []
        index = _number(text)
        if choices and index is not None and 1 <= index <= len(choices):
            self.answers["region_code"] = choices[index - 1]
            return None
        if text in ("是", "对", "是的", "确认", "好") and get_registry().is_known_village(scope):
            self.answers["region_code"] = scope
            return None
        found = places.villages(text, scope)
        if len(found) == 1:
            self.answers["region_code"] = found[0].code
            return None
        if found:
            self.state["choices"] = [region.code for region in found[:9]]
            return self._village_question()
        return f"在{places.full_name(scope)}没有找到“{text}”。" + _HINT["village"] + "\n" + self._village_question()

    # ------------------------------------------------------------ summary and submission
    def summary(self) -> str:
        answers = self.answers
        category = categories().get(answers.get("category", ""), {}).get("name", "")
        chosen = "、".join(groups()[code]["name"] for code in answers.get("groups", []) if code in groups()) or "无"
        village = places.full_name(answers["region_code"]) if answers.get("region_code") else ""
        lines = [
            "请核对（姓名、电话、住址仅审核干部可见）：",
            f"1 心愿：{answers.get('title', '')}",
            f"2 类别：{category}",
            f"3 人群：{chosen}",
            f"4 姓名：{answers.get('name', '')}",
            f"5 电话：{answers.get('phone', '')}",
            f"6 住址：{answers.get('address', '')}",
            f"7 村：{village}",
            "无误请回复“提交”；要改哪项回复“改 序号”（如：改 5）；不提交了回复“取消”。",
        ]
        return "\n".join(lines)

    def _confirm(self, command: str | None, words: list[str]) -> str:
        if command == "改":
            index = _number(words[0]) if words else None
            if index is None or not 1 <= index <= len(STEPS):
                return "要改哪一项？回复“改”加序号 1–7，如：改 5"
            self.state.update(step=STEPS[index - 1], editing=True)
            self._save()
            return self.question()
        if command != "提交":
            return self.summary()
        return self._submit()

    def _submit(self) -> str:
        try:
            submission = WishSubmission.model_validate(self._submission())
        except ValidationError as error:
            return self._ask_again(_step_of(str(error.errors()[0]["loc"][0]), error.errors()[0]["loc"]))
        ending = _Ending(self.repo, self.platform, self.user, int(self.state.get("version", 0)))
        try:
            view = wishes.submit_wish(self.caller, submission, ending, self.settings)
        except (InvalidInput, PersonalDataError) as error:
            entries = error.extensions.get("errors") or [{}]
            step = _step_of(str(entries[0].get("field", "title")), ())
            return self._ask_again(step, _PUBLIC_TEXT if isinstance(error, PersonalDataError) else None)
        except Forbidden:
            return self._ask_again("village", "这个村不在您负责的范围内。")
        except ConditionFailed as failure:
            if failure.guard is not None and failure.guard.name == "conversation":
                return "这个心愿已经提交过了。"
            raise
        except DomainError as error:
            return replies.refusal(error)
        return (
            f"已提交，心愿编号 {replies.number(view.id)}，等待妇联审核；审核结果会通知您。\n"
            f"{replies.link(self.settings, view.id)}"
        )

    def _ask_again(self, step: str, why: str | None = None) -> str:
        self.answers.pop(_answer_key(step), None)
        self.state.update(step=step, editing=True)
        self._save()
        return (why or "这一项不合要求：" + _HINT[step]) + "\n" + self.question()


class _Ending(WishRepository):
    """The repository as `submit_wish` gets it: its one transaction also deletes the conversation, if the
    conversation is still at the version read (so a second "提交" makes no second wish)."""

    def __init__(self, repo: WishRepository, platform: str, user: str, version: int) -> None:
        super().__init__(repo.table_name, repo._client)  # noqa: SLF001 - the same client
        self._conversation = (platform, user, version)

    def commit(self, transaction: Transaction) -> None:
        transaction = transaction.extended()
        end_conversation(transaction, *self._conversation)
        super().commit(transaction)


def _after(step: str) -> str:
    index = STEPS.index(step) + 1
    return STEPS[index] if index < len(STEPS) else "confirm"


def _answer_key(step: str) -> str:
    return "region_code" if step == "village" else step


def _step_of(field: str, location: Any) -> str:
    if field == "beneficiary" and len(location) > 1:
        return str(location[1]) if str(location[1]) in STEPS else "name"
    if field == "region_code":
        return "village"
    return field if field in STEPS else "title"


def _number(text: str) -> int | None:
    word = text.strip()
    return int(word) if word.isascii() and word.isdigit() and len(word) <= 3 else None


def _minutes(count: float) -> Any:
    from datetime import timedelta

    return timedelta(minutes=count)
