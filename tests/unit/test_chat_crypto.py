"""The chat platforms' crypto against the values the platforms publish with their sample code.

- WeCom's WXBizMsgCrypt sample (Tencent's Sample.cpp; a copy: github.com/LeoEatle/WXBizMsgCryptNode,
  Sample.cpp @ 982fb47aa6cc194162b16799d52cbc6f5634525a; the same values are in the C# Sample.cs, e.g.
  github.com/2830499544/VipCard Chain.Wechat/Tencent/Sample.cs @ d13e3692a756037891883cec01f9aad7cd764ef9):
  token "QDG6eK", corp id "wx5823bf96d3bd56c7", EncodingAESKey "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
  its URL check and its encrypted message.
- The WeChat official-account sample (公众平台 WXBizMsgCrypt; quoted in github.com/fotock/WXbizMsgCrypt-Node,
  README.md @ 29c32a818c74c74a8d3ba70dcc712694dba5d8aa): token "spamtest", AppID "wx2c2769f8efd9abc2".
- The Java sample's encryption vector with a fixed random prefix (Tencent's WXBizMsgCryptTest.java; a copy:
  github.com/Wyl015/wuyiling work-test/src/main/resources/Utils/aes/WXBizMsgCryptTest.java).
"""

from __future__ import annotations

import pytest

from microwish.chat_platforms.crypto import CryptoError, MessageCrypt, aes_key, dingtalk_signature, sha1_signature
from microwish.chat_platforms.xml import XmlError, cdata, fields

SAMPLE = MessageCrypt("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
SAMPLE_ECHO = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
SAMPLE_MESSAGE = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs"
    "3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5"
    "gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQ"
    "Uax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyP"
    "IGHBZZIs2pDBS8R07+qN+E7Q=="
)
MP = MessageCrypt("spamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx2c2769f8efd9abc2")
MP_MESSAGE = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9Fr"
    "XpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzj"
    "lpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1"
    "BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


def test_wecom_sample_url_check():
    assert SAMPLE.verify("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", SAMPLE_ECHO)
    assert SAMPLE.decrypt(SAMPLE_ECHO) == "1616140317555161061"
    assert not SAMPLE.verify("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd4", "1409659589", "263014780", SAMPLE_ECHO)


def test_wecom_sample_message():
    assert SAMPLE.verify("477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", SAMPLE_MESSAGE)
    message = fields(SAMPLE.decrypt(SAMPLE_MESSAGE))
    assert message["FromUserName"] == "mycreate" and message["Content"] == "hello"
    assert message["MsgId"] == "4561255354251345929" and message["AgentID"] == "218"


def test_wechat_official_account_sample_message():
    assert MP.verify("5d197aaffba7e9b25a30732f161a50dee96bd5fa", "1409735669", "1320562132", MP_MESSAGE)
    message = fields(MP.decrypt(MP_MESSAGE))
    assert message["FromUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs" and message["Content"] == "abcdteT"


def test_java_sample_encryption_vector():
    crypt = MessageCrypt("pamtest", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxb11529c136998cb6")
    encrypted = crypt.encrypt("我是中文abcd123", random16=b"aaaabbbbccccdddd")
    assert encrypted == "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="


def test_round_trip_and_refusals():
    encrypted = SAMPLE.encrypt("<xml><Content><![CDATA[心愿清单]]></Content></xml>")
    assert SAMPLE.decrypt(encrypted).endswith("心愿清单]]></Content></xml>")
    other = MessageCrypt("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "ww-another-corp")
    with pytest.raises(CryptoError, match="receive id"):
        other.decrypt(encrypted)
    for bad in ("not base64!", "", "AAAA", encrypted[:-8] + "AAAAAAA="):
        with pytest.raises(CryptoError):
            SAMPLE.decrypt(bad)
    with pytest.raises(CryptoError):
        aes_key("short")
    with pytest.raises(CryptoError):
        aes_key("!" * 43)


def test_signatures():
    assert sha1_signature("b", "a", "c") == sha1_signature("c", "b", "a")
    # DingTalk's documented scheme: base64(HMAC-SHA256(secret, "timestamp\nsecret")), 44 characters.
    assert len(dingtalk_signature("secret", "1700000000000")) == 44
    assert dingtalk_signature("secret", "1") != dingtalk_signature("secret", "2")


def test_xml_is_parsed_without_entities_or_dtds():
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><xml><C>&b;</C></xml>'
    with pytest.raises(XmlError):
        fields(bomb)
    external = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><C>&e;</C></xml>'
    with pytest.raises(XmlError):
        fields(external)
    with pytest.raises(XmlError):
        fields("<notxml/>")
    with pytest.raises(XmlError):
        fields("<xml>")
    assert fields(f"<xml><C>{cdata('a]]>b')}</C></xml>") == {"C": "a]]>b"}
