"""Entities: mention detection, within-document linking and role framing."""
