"""The skill: every handler in one explicit list, built once per app with ask-sdk-core.

Order does not decide dispatch (each handler owns distinct names; tests prove it), so this list
is simply the table of contents of what the skill understands.
"""

from __future__ import annotations

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder

from .handlers import (
    checkin,
    crisis,
    events,
    forget,
    guide,
    launch,
    playback,
    practice,
    progress,
)
from .handlers.base import Handler
from .handlers.errors import Apology
from .questions import TakeQuestion

HANDLERS: tuple[type[Handler], ...] = (
    crisis.Crisis,
    launch.Launch,
    practice.StartPractice,
    practice.Recommend,
    practice.ListPractices,
    progress.Progress,
    guide.Help,
    guide.Fallback,
    guide.NavigateHome,
    guide.Yes,
    guide.No,
    forget.ForgetMe,
    checkin.CheckinAnswer,
    checkin.CheckinHistory,
    checkin.CheckinChoice,
    checkin.Done,
    playback.Pause,
    playback.StopOrCancel,
    playback.Resume,
    playback.StartOver,
    playback.StepMove,
    playback.LoopAndShuffle,
    events.PlaybackStarted,
    events.PlaybackStopped,
    events.PlaybackFinished,
    events.PlaybackQuietEvents,
    events.PlaybackFailed,
    events.PlaybackButtons,
    events.SystemException,
    events.SessionEnded,
)


def build_skill() -> CustomSkill:
    """The skill object. The application id is checked by `verify`, before dispatch."""
    builder = SkillBuilder()
    for handler in HANDLERS:
        builder.add_request_handler(handler())
    builder.add_global_request_interceptor(TakeQuestion())
    builder.add_exception_handler(Apology())
    return builder.create()


def handled_intents() -> frozenset[str]:
    return frozenset(name for handler in HANDLERS for name in handler.intents)


def handled_request_types() -> frozenset[str]:
    return frozenset(name for handler in HANDLERS for name in handler.request_types)
