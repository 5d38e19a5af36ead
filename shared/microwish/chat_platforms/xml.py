"""XML from the platforms, parsed with defusedxml (no DTD, no entity expansion, no external entities),
and the passive reply documents we write back."""

from __future__ import annotations

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_FIELD_CHARS = 4096


class XmlError(Exception):
    """Not a platform's <xml> document."""


def fields(document: str) -> dict[str, str]:
    """The text of the <xml> root's children (the platforms' messages are one level deep)."""
    try:
        root = fromstring(document, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise XmlError("not a well-formed XML document without a DTD") from None
    if root.tag != "xml":
        raise XmlError("the root element is not <xml>")
    return {child.tag: (child.text or "")[:MAX_FIELD_CHARS] for child in root if isinstance(child.tag, str)}


def cdata(text: str) -> str:
    # "]]>" would end the section early: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, created: int, content: str) -> str:
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def encrypted_reply(encrypted: str, signature: str, timestamp: str, nonce: str) -> str:
    return (
        f"<xml><Encrypt>{cdata(encrypted)}</Encrypt><MsgSignature>{cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
