"""The platforms' message crypto.

WeChat's "safe" mode and WeCom share one scheme (Tencent's WXBizMsgCrypt sample code, ported here on
`cryptography`'s AES): the AES key is the 43-character EncodingAESKey base64-decoded (32 bytes), the
IV its first 16 bytes; a message is encrypted as 16 random bytes + the message's length (4 bytes,
big-endian) + the message + the receive id (the official account's AppID, or the WeCom corp id),
padded PKCS#7-style to a multiple of 32 bytes, AES-256-CBC, base64. A message's signature is the SHA-1
of the sorted, concatenated token, timestamp, nonce and ciphertext (WeChat's plain-mode server check:
the same without the ciphertext). DingTalk's robots sign "timestamp\\nappSecret" with HMAC-SHA256.

Why a port and not a library: wechatpy (the maintained-looking one) has had no release since 1.8.18
(2021) and pins its own crypto backends; the scheme is 40 lines over `cryptography`, which the layer
already ships (PyJWT's RS256). The port is proven against the published samples in
tests/unit/test_chat_crypto.py.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WXBizMsgCrypt pads to 32 bytes (not AES's 16)


class CryptoError(Exception):
    """A message that cannot be what the platform sent: bad base64, padding, length or receive id."""


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def same(signature: str, expected: str) -> bool:
    return hmac.compare_digest(signature.encode("utf-8", "replace"), expected.encode("utf-8"))


def aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise CryptoError("an EncodingAESKey has 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error:
        raise CryptoError("the EncodingAESKey is not base64") from None
    if len(key) != 32:
        raise CryptoError("the EncodingAESKey does not decode to 32 bytes")
    return key


class MessageCrypt:
    """WXBizMsgCrypt: `receive_id` is the official account's AppID or the WeCom corp id."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        self.token = token
        self.key = aes_key(encoding_aes_key)
        self.receive_id = receive_id

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return sha1_signature(self.token, timestamp, nonce, encrypted)

    def verify(self, signature: str, timestamp: str, nonce: str, encrypted: str) -> bool:
        return same(signature, self.signature(timestamp, nonce, encrypted))

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, text: str, random16: bytes | None = None) -> str:
        body = text.encode("utf-8")
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.receive_id.encode("utf-8")
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("the ciphertext is not base64") from None
        if not data or len(data) % 16:
            raise CryptoError("the ciphertext is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad padding")
        content = plain[16:-pad]
        if len(content) < 4:
            raise CryptoError("too short")
        (length,) = struct.unpack(">I", content[:4])
        if 4 + length > len(content):
            raise CryptoError("the length does not fit")
        receive_id = content[4 + length :]
        if not hmac.compare_digest(receive_id, self.receive_id.encode("utf-8")):
            raise CryptoError("the message is for another receive id")
        try:
            return content[4 : 4 + length].decode("utf-8")
        except UnicodeDecodeError:
            raise CryptoError("the message is not UTF-8") from None


def dingtalk_signature(app_secret: str, timestamp_ms: str) -> str:
    """DingTalk's robot signature: base64(HMAC-SHA256(key=appSecret, "timestamp\\nappSecret"))."""
    digest = hmac.new(app_secret.encode(), f"{timestamp_ms}\n{app_secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
