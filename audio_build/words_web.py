"""The `web:` section of each prompts file (scripts/prompts/<lang>.yaml): the web channel's own
sentences and word lists, checked at build time and carried in the catalog like the rest.

TEXTS names each sentence and the {values} it may hold; LISTS names each word list. Every
language's prompts file must give them all (a missing one is an error naming the file, the line
and the key); the service reads them as `language.words_of("web")` (`voice_app.library.Words`).

Every word the pages, the feed, the ZIP and the offline script show is here, in each language;
the page's markup (links, emphasis) is the template's, so a value such as {crisis_line} may
arrive as a link.
"""

from __future__ import annotations

_ = frozenset

TEXTS: dict[str, frozenset[str]] = {
    # every page
    "site_name": _(), "site_description": _(), "feed_link_title": _(), "skip_link": _(),
    "language_link": _(), "not_crisis": _(), "crisis_footer": _({"crisis_line"}),
    "footer_licence": _({"licence"}), "footer_privacy": _(), "privacy_link": _(),
    "terms_link": _(), "checkins_link": _(),
    # the catalog page
    "home_title": _(), "home_lede": _(), "crisis_short": _({"crisis_line"}),
    "filter_title": _(), "filter_any": _(), "storage_title": _(), "storage_none": _(),
    "storage_clear": _(), "empty": _(), "empty_filtered": _({"length"}), "show_all": _(),
    "more_link": _(), "more_link_of": _({"title"}), "more_practices": _(),
    "more_practices_hint": _(),
    "ways_title": _(), "way_alexa_label": _(), "way_alexa": _({"practice"}),
    "way_phone_label": _(), "way_phone": _({"hotline"}), "way_podcast_label": _(),
    "way_podcast": _({"feed", "address"}), "feed_link_text": _(), "way_offline_label": _(),
    "way_offline": _(), "way_all_label": _(), "way_all": _({"zip", "playlist"}),
    "zip_link_text": _({"size"}), "playlist_link_text": _(),
    # one recording
    "play_label": _({"title"}), "download": _(), "download_label": _({"title", "size"}),
    "save": _(), "save_label": _({"title"}), "saved_badge": _(),
    # the offline script (static/app.js), {values} filled there
    "js_remove": _(), "js_remove_label": _({"title"}), "js_saving": _(),
    "js_save_failed": _(), "js_saved_one": _({"size"}), "js_saved_many": _({"count", "size"}),
    "js_nothing_saved": _(), "js_usage": _({"size"}),
    # a practice's page
    "all_practices": _(), "length_one": _(), "length_many": _({"minutes"}),
    "steps_title": _(), "transcript_title": _(), "transcript_hint": _(),
    "step_note": _({"minutes"}), "sources_title": _(), "licence_title": _(),
    "licence_text": _({"licence"}), "voice_licence": _({"licence"}),
    # the privacy notice and the terms of use
    "days_one": _(), "days_many": _({"days"}),
    "privacy_lede": _(), "privacy_web_title": _(), "privacy_web": _(),
    "privacy_checkins_label": _(), "privacy_checkins": _({"page"}),
    "privacy_kept_title": _(), "privacy_who_label": _(), "privacy_who": _(),
    "privacy_place_label": _(), "privacy_place": _(), "privacy_finished_label": _(),
    "privacy_finished": _(), "privacy_call_label": _(), "privacy_call": _(),
    "privacy_withheld": _(), "privacy_not_recorded": _(), "privacy_long_title": _(),
    "privacy_long_place": _({"days"}), "privacy_long_finished": _({"days"}),
    "privacy_long_calls": _({"days"}), "privacy_long_checkins": _(),
    "privacy_forget_title": _(), "privacy_alexa_label": _(), "privacy_forget_alexa": _(),
    "privacy_phone_label": _(), "privacy_forget_phone": _(), "privacy_forget_phone_call": _(
        {"hotline"}), "privacy_web_label": _(), "privacy_forget_web": _({"page"}),
    "privacy_forget_note": _(), "privacy_sees_title": _(), "privacy_sees": _(),
    "crisis_title": _(), "crisis_text": _({"crisis_line"}), "checkins_page_link": _(),
    "terms_lede": _(), "terms_what_title": _(), "terms_what": _(), "terms_not_crisis": _(),
    "terms_safely_title": _(), "terms_safely": _(), "terms_use_title": _(),
    "terms_use": _({"licence"}), "terms_data_title": _(), "terms_data": _({"privacy"}),
    "terms_privacy_link": _(), "terms_warranty_title": _(), "terms_warranty": _(),
    # the feed, the playlist and the ZIP
    "feed_description": _(), "feed_copyright": _({"licence"}), "transcripts_folder": _(),
    "sources_line": _({"sources"}), "about_intro": _(), "about_more": _({"url"}),
    "about_crisis": _({"crisis_line"}), "about_practices": _({"licence"}),
    "about_voice": _({"licence"}), "manifest_description": _(),
    # check-ins on a practice's page (the question's labels are the checkin: section's)
    "checkin_legend": _(), "checkin_before_hint": _(), "checkin_shared": _(),
    "checkin_stop": _(), "checkin_after_legend": _(), "checkin_after_hint": _(),
    "checkin_skip": _(), "checkin_before_was": _({"label"}), "checkin_result": _(
        {"before", "after"}), "checkin_done": _(), "checkin_late": _(), "checkin_already": _(),
    "checkin_shared_note": _(), "checkin_practice_link": _({"title"}),
    # the listener's own view (/checkins)
    "checkins_title": _(), "checkins_intro": _(), "checkins_nothing": _(),
    "checkins_state_on": _(), "checkins_state_off": _(), "checkins_state_unset": _(),
    "checkins_turn_on": _(), "checkins_turn_off": _(), "checkins_turned_on": _(),
    "checkins_turned_off": _(), "checkins_chart_title": _({"count"}),
    "checkins_table_caption": _(), "checkins_col_number": _(), "checkins_col_date": _(),
    "checkins_col_practice": _(), "checkins_col_before": _(), "checkins_col_after": _(),
    "checkins_axis": _(), "checkins_before": _(), "checkins_after": _(),
    "checkins_forget_title": _(), "checkins_forget_text": _(), "checkins_forget_button": _(),
    "checkins_forgotten": _(), "checkins_shared_title": _(), "checkins_shared_text": _(),
    "checkins_cookie_title": _(), "checkins_cookie_text": _(), "checkins_off_here": _(),
}
LISTS: tuple[str, ...] = ()
