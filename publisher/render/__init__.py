"""Rendering: one module per channel, plus the shared typesetting they all use."""
