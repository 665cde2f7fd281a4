"""Translation helpers the kernel can use without Django's settings (its tests and tools run without them)."""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """Marks `message` for translation and returns it unchanged: makemessages knows the name, and the component
    that shows the message translates it then (`gettext(message)`) from its own locale catalogue."""
    return message
