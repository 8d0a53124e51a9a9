"""Shared fixtures: real script files in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = ROOT / "scripts" / "meditations"

VALID_SCRIPT = """\
---
title: Loving-Kindness
summary: Wishing yourself and others well.
aliases: [loving kindness, metta]
category: compassion-training
lengths: [3, 5, 10]
tags: [hypo-engaged, seated]
sources: ["Seppala et al. 2014, Emotion"]
---

## Settling
Find a position that lets you be both relaxed and awake. [pause 3s]
Let your eyes rest on one spot in front of you. [pause 5s]

[practice 60s]

## Widening the circle (10+ min)
Now let the wish reach a little further. [practice 1m30s]
[bell]
"""


@pytest.fixture
def write_script(tmp_path: Path):
    """Write a script file under tmp_path and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
