"""Chat front end (issue 11): what people say in WeChat, WeCom and DingTalk, and what they get back.

- conversation  `respond(message, repo, settings) -> str`: the one entry the platform callbacks call
- commands      parsing what people type (Chinese, short, forgiving) into commands
- bindings      one-time codes (POST /me/chat-bindings) and bindings of chat identities to people
- guided        the guided submission ("许愿"): questions, answers, the wish it makes
- replies       the text of replies: wish lines with links, claims, refusals in words
The platforms' callbacks, signatures and crypto are microwish.chat_platforms (not here).
"""
