"""The chat platforms' side of the chat front end (issue 11): callbacks from WeChat official accounts,
WeCom self-built apps and DingTalk outgoing robots, their handshakes, signatures and message crypto,
and the way back (passive replies, or the platforms' send APIs for a late reply).

- crypto     WXBizMsgCrypt (WeChat "safe" mode and WeCom): SHA-1 signatures, AES-256-CBC message crypto;
             DingTalk's HMAC-SHA256 robot signature
- xml        XML from outside, parsed with defusedxml; passive reply documents
- config     each platform's secrets, read from SSM once per process (cached), or "not configured"
- platforms  per platform: the handshake, what a callback says, the reply it wants
- callback   one flow for all: freshness, signature, nonce, once per message, respond, reply
- outbound   the send APIs (late replies), stubbed to the outbox file locally
- simulate   the platforms' side (signing, encrypting, decrypting replies): /dev/chat and tests

What people say is not decided here: `microwish.chat.conversation.respond` (CHAT-CONTRACT.md).
"""
