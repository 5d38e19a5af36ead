"""Chat (microwish.chat): one-time binding codes, bindings of chat identities to people, guided
conversations, and the count of wrong codes a chat identity sent.

Items (keys.py spells them; none carries index attributes, so nothing here is on a wish list):
- code          CHATCODE#<code> / CODE: the person (a Caller snapshot) who asked for it, `valid_until`;
                `used_at` once consumed (kept until the TTL drops it, so a second use is told "used")
- binding       CHAT#<platform>#<user> / BINDING: the person a chat identity acts as
- bound         CHATBIND#<sub> / <platform>: the same binding seen from the person (GET, DELETE)
- conversation  CHAT#<platform>#<user> / CONVERSATION: a guided submission's answers, versioned
- tries         CHAT#<platform>#<user> / TRIES#<hour>: wrong codes sent in that UTC hour
- shown         CHAT#<platform>#<user> / SHOWN: the ids of the wishes the chat was last shown
Short-lived items carry `expires_at` (epoch seconds), the table's TTL attribute; readers still check
`valid_until` themselves, as the TTL deletes only within a day or two.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from botocore.exceptions import ClientError

from . import keys
from .codec import to_dynamo
from .table import TableStore
from .transaction import ConditionFailed, Guard, Transaction
from .wishes import ListQuery, WishStore


def end_conversation(transaction: Transaction, platform: str, user: str, version: int) -> Guard:
    """Delete a guided conversation in the transaction that makes its wish, if it is still at
    `version` (guard "conversation"): its private answers go with the same commit, and a second
    "提交" finds nothing to submit."""
    return transaction._add(  # noqa: SLF001 - a verb of this package's own transaction
        "conversation",
        "Delete",
        {"Key": to_dynamo(keys.chat_conversation_key(platform, user))},
        "#version = :version",
        {":version": version},
        {"#version": "version"},
    )


class ChatStore(TableStore):
    # ------------------------------------------------------------ codes
    def put_code(self, code: str, caller: dict[str, Any], valid_until: str, expires_at: int, now: str) -> bool:
        """A new code for `caller`, unless a code of that number is still valid (False: pick another)."""
        item = {
            **keys.chat_code_key(code),
            "type": "chat_code",
            "sub": caller["sub"],
            "caller": caller,
            "valid_until": valid_until,
            "expires_at": expires_at,
        }
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=to_dynamo(item),
                ConditionExpression="attribute_not_exists(PK) OR valid_until < :now",
                ExpressionAttributeValues=to_dynamo({":now": now}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get_code(self, code: str) -> dict[str, Any] | None:
        return self._get(keys.chat_code_key(code))

    # ------------------------------------------------------------ bindings
    def binding(self, platform: str, user: str) -> dict[str, Any] | None:
        return self._get(keys.chat_binding_key(platform, user))

    def bindings_of(self, sub: str) -> list[dict[str, Any]]:
        """A person's bound chat identities (one per platform at most)."""
        return list(self._partition(keys.chat_bound_partition(sub)))

    def bind(self, code: dict[str, Any], platform: str, user: str, now: str, expires_at: int, valid_until: str) -> None:
        """Consume `code` and bind the chat identity to its person, in one transaction.

        The code is used only if it still is unused and valid (guard "code"): of two chats sending it
        at once, one binds. A chat identity bound to someone else before moves to this person; a person
        bound on this platform from another identity before keeps only the new one.
        """
        sub = str(code["sub"])
        before_chat = self.binding(platform, user)
        before_person = self._get(keys.chat_bound_key(sub, platform))
        transaction = Transaction(self.table_name)
        transaction._add(  # noqa: SLF001 - this package's transaction
            "code",
            "Update",
            {
                "Key": to_dynamo(keys.chat_code_key(str(code["PK"]).removeprefix(keys.CHAT_CODE_PREFIX))),
                "UpdateExpression": "SET used_at = :now",
            },
            "attribute_exists(PK) AND attribute_not_exists(used_at) AND valid_until > :now AND #sub = :sub",
            {":now": now, ":sub": sub},
            {"#sub": "sub"},
        )
        binding = {
            **keys.chat_binding_key(platform, user),
            "type": "chat_binding",
            "platform": platform,
            "sub": sub,
            "caller": code["caller"],
            "bound_at": now,
            "valid_until": valid_until,
            "expires_at": expires_at,
        }
        transaction._add("binding", "Put", {"Item": to_dynamo(binding)})  # noqa: SLF001
        bound = {
            **keys.chat_bound_key(sub, platform),
            "type": "chat_bound",
            "platform": platform,
            "user": user,
            "bound_at": now,
            "valid_until": valid_until,
            "expires_at": expires_at,
        }
        transaction._add("bound", "Put", {"Item": to_dynamo(bound)})  # noqa: SLF001
        if before_chat and before_chat.get("sub") != sub:  # the identity leaves its former person
            transaction._add(  # noqa: SLF001
                "former person",
                "Delete",
                {"Key": to_dynamo(keys.chat_bound_key(str(before_chat["sub"]), platform))},
                "attribute_not_exists(PK) OR #user = :user",
                {":user": user},
                {"#user": "user"},
            )
        if before_person and before_person.get("user") != user:  # the person's former identity unbinds
            transaction._add(  # noqa: SLF001
                "former identity",
                "Delete",
                {"Key": to_dynamo(keys.chat_binding_key(platform, str(before_person["user"])))},
                "attribute_not_exists(PK) OR #sub = :sub",
                {":sub": sub},
                {"#sub": "sub"},
            )
        self.commit(transaction)

    def unbind_person(self, sub: str, platform: str) -> bool:
        """The person's binding on `platform` gone (both items); False when there was none."""
        bound = self._get(keys.chat_bound_key(sub, platform))
        if bound is None:
            return False
        self._unbind(sub, platform, str(bound["user"]))
        return True

    def unbind_chat(self, platform: str, user: str) -> bool:
        """The chat identity's binding gone (both items); False when it was not bound."""
        binding = self.binding(platform, user)
        if binding is None:
            return False
        self._unbind(str(binding["sub"]), platform, user)
        return True

    def _unbind(self, sub: str, platform: str, user: str) -> None:
        # Each side only if it still names the other: a rebinding meanwhile keeps its own items.
        transaction = Transaction(self.table_name)
        for key, name, value in (
            (keys.chat_bound_key(sub, platform), "user", user),
            (keys.chat_binding_key(platform, user), "sub", sub),
        ):
            transaction._add(  # noqa: SLF001
                name,
                "Delete",
                {"Key": to_dynamo(key)},
                "attribute_not_exists(PK) OR #name = :value",
                {":value": value},
                {"#name": name},
            )
        with suppress(ConditionFailed):  # rebound meanwhile: the newer binding stands
            self.commit(transaction)

    # ------------------------------------------------------------ wrong codes
    def count_wrong_code(self, platform: str, user: str, hour: str, cap: int, expires_at: int) -> bool:
        """Count one wrong code in this hour; False (nothing counted) once `cap` were sent."""
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key=to_dynamo(keys.chat_tries_key(platform, user, hour)),
                UpdateExpression="ADD tries :one SET expires_at = :expires, #type = :type",
                ConditionExpression="attribute_not_exists(tries) OR tries < :cap",
                ExpressionAttributeNames={"#type": "type"},
                ExpressionAttributeValues=to_dynamo({":one": 1, ":cap": cap, ":expires": expires_at, ":type": "chat"}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def wrong_codes(self, platform: str, user: str, hour: str) -> int:
        item = self._get(keys.chat_tries_key(platform, user, hour))
        return int(item.get("tries", 0)) if item else 0

    # ------------------------------------------------------------ conversations
    def conversation(self, platform: str, user: str) -> dict[str, Any] | None:
        return self._get(keys.chat_conversation_key(platform, user))

    def save_conversation(self, platform: str, user: str, state: dict[str, Any], expires_at: int) -> int:
        """Write the conversation's state over the version it was read at (0: none yet); the new version.

        Raises ConditionFailed when another message moved it first."""
        version = int(state.get("version", 0))
        item = {
            **state,
            **keys.chat_conversation_key(platform, user),
            "type": "chat_conversation",
            "version": version + 1,
            "expires_at": expires_at,
        }
        condition = "attribute_not_exists(PK)" if version == 0 else "#version = :version"
        params: dict[str, Any] = {
            "TableName": self.table_name,
            "Item": to_dynamo(item),
            "ConditionExpression": condition,
        }
        if version:
            params["ExpressionAttributeNames"] = {"#version": "version"}
            params["ExpressionAttributeValues"] = to_dynamo({":version": version})
        try:
            self.client.put_item(**params)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConditionFailed(None) from None
            raise
        return version + 1

    def drop_conversation(self, platform: str, user: str) -> None:
        self.client.delete_item(TableName=self.table_name, Key=to_dynamo(keys.chat_conversation_key(platform, user)))

    # ------------------------------------------------------------ what a chat was shown
    def put_shown(self, platform: str, user: str, wish_ids: list[str], expires_at: int) -> None:
        """The wishes a chat was last shown (ids only), so the short numbers it saw resolve."""
        item = {**keys.chat_shown_key(platform, user), "type": "chat_shown", "wish_ids": wish_ids}
        self.client.put_item(TableName=self.table_name, Item=to_dynamo({**item, "expires_at": expires_at}))

    def shown(self, platform: str, user: str) -> list[str]:
        item = self._get(keys.chat_shown_key(platform, user))
        return [str(wish_id) for wish_id in (item or {}).get("wish_ids", [])]

    # ------------------------------------------------------------ counts for officers
    def count_wishes(self, query: ListQuery, cap: int) -> int:
        """How many wishes a list query finds, counted by the index (Select COUNT), at most about `cap`."""
        params, _ = WishStore(self.table_name, self._client)._list_params(query)  # noqa: SLF001
        counted, start = 0, None
        while counted < cap:
            response = self._query(**params, Select="COUNT", ExclusiveStartKey=start)
            counted += int(response.get("Count", 0))
            start = response.get("LastEvaluatedKey")
            if not start:
                break
        return counted
