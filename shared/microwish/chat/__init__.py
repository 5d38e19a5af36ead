"""PLACEHOLDER until the merge: chattalk's conversation package replaces this file (CHAT-CONTRACT.md)."""
