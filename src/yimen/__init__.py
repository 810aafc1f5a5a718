"""Yimen (一门): one door, one network, one seal, one trip."""
