"""Spanish on the phone (issue 15), walked as Twilio would: signed webhooks, TwiML parsed and
followed. A caller picks Spanish by key (or says "español") after the first menu, or calls the
deployment's Spanish number (`?lang=es` on the incoming webhook); from then on the call speaks
and listens in Spanish: the Spanish catalog's recordings, `<Gather language="es-US">`, a Spanish
`<Say>` voice for sentences not recorded, Spanish hints, and the call-back resumes in Spanish."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from test_phone_calls import BASE, CALLER, TOKEN, Caller, key, rows
from twilio.request_validator import RequestValidator

from voice_app import create_app
from voice_app.store import calls, preferences, progress


@pytest.fixture
def app_config(app_config):
    """The Spanish flow without the check-in (tests/test_phone_checkins.py has it in Spanish)."""
    return {**app_config, "CHECKIN": "off"}


def languages_heard(app, caller: Caller) -> list[str]:
    """The language of each recording in the current response ('en', 'es'; 'say' for <Say>)."""
    catalog = app.extensions["catalog"].get()
    files = {f"{BASE}/audio/{p.file}": code for code in ("en", "es")
             for p in catalog.in_language(code).prompts.values()}
    files |= {f"{BASE}/audio/{s.file}": code for code in ("en", "es")
              for practice in catalog.in_language(code).practices
              for v in practice.variants for s in v.phone}
    return [files.get(verb.text, "?") if verb.tag == "Play" else "say"
            for verb in caller.twiml.iter() if verb.tag in ("Play", "Say")]


def gather(caller: Caller):
    return caller.twiml.find("Gather")


def query(caller: Caller) -> dict[str, str]:
    return caller.where[1]


def spanish_by_key(client) -> Caller:
    caller = Caller(client).dial()
    assert caller.heard == ["greeting", "menu_main_1", "language_offer"]
    caller.answer("8")
    return caller


def test_the_english_greeting_offers_spanish_in_spanish_after_the_first_menu(app, client):
    caller = Caller(client).dial()
    # After the first menu, so an English caller's first practice is not delayed
    # (tests/test_phone_timing.py); a key pressed during the greeting already counts.
    assert caller.heard == ["greeting", "menu_main_1", "language_offer"]
    assert languages_heard(app, caller) == ["en", "en", "es"]
    catalog = app.extensions["catalog"].get()
    offer = catalog.in_language("es").prompts["language_offer"].text
    digit = catalog.library.keys["language"]
    assert digit == "8" and catalog.library.language("es").number(int(digit)) in offer
    assert "español" in offer
    back = catalog.prompts["language_offer"].text  # said to Spanish callers, in English
    assert catalog.library.language("en").number(int(digit)) in back and "English" in back
    assert gather(caller).get("language") == "en-US"
    assert "español" in gather(caller).get("hints")


def test_a_caller_who_presses_eight_hears_everything_in_spanish(app, client):
    caller = spanish_by_key(client)
    assert caller.heard == ["greeting", "menu_main_1", "language_offer"]
    assert languages_heard(app, caller) == ["es", "es", "en"]  # and "For English, press eight"
    g = gather(caller)
    assert g.get("language") == "es-US"
    assert "bondad amorosa" in g.get("hints") and "abrumada" in g.get("hints")
    assert query(caller) == {"menu": "main", "page": "1", "lang": "es"}
    assert app.extensions["store"].get_preferences(key()).language == "es"

    caller.answer("4")
    assert caller.where == ("length", {"p": "loving-kindness", "lang": "es"})
    assert caller.heard == ["lengths_loving"] and languages_heard(app, caller) == ["es"]
    assert gather(caller).get("hints") == "1 minuto, 5 minutos"
    caller.answer(said="cinco")
    assert caller.where == ("play", {"p": "loving-kindness", "m": "5", "s": "0", "lang": "es"})
    assert languages_heard(app, caller) == ["es", "es"]  # "Aquí va", the Spanish first segment
    caller.answer(said="pausa")
    assert caller.where[0] == "paused" and languages_heard(app, caller) == ["es"]
    caller.answer(said="continuar")
    assert caller.where[0] == "play" and caller.segment == 0


def test_a_spanish_number_answers_in_spanish_from_the_first_word(app, client):
    caller = Caller(client)
    caller.twiml = caller.post(f"{BASE}/phone/incoming?lang=es", CallStatus="ringing")
    assert caller.heard == ["greeting", "menu_main_1", "language_offer"]
    assert languages_heard(app, caller) == ["es", "es", "en"]
    text = app.extensions["catalog"].get().in_language("es").prompts["greeting"].text
    assert "no es una línea de crisis" in text.lower() and "oprime el 2 para español" in text
    caller.answer(said="bondad amorosa cinco minutos")
    assert caller.where == ("play", {"p": "loving-kindness", "m": "5", "s": "0", "lang": "es"})
    # A number's language is not the caller's choice: nothing is kept as a preference.
    assert rows(app, preferences) == []


def test_the_signature_covers_the_query_of_the_spanish_number(app, client):
    form = {"CallSid": "CA" + "d" * 32, "From": CALLER}
    signed_without = RequestValidator(TOKEN).compute_signature(f"{BASE}/phone/incoming", form)
    response = client.post("/phone/incoming?lang=es", data=form,
                           headers={"X-Twilio-Signature": signed_without})
    assert response.status_code == 403
    assert rows(app, calls) == [] and rows(app, preferences) == []


@pytest.mark.parametrize("lang", ["ES", "e", "espa%C3%B1ol", "..%2Fes", "es-US", ""])
def test_a_malformed_language_is_400_and_nothing_is_stored(app, client, lang):
    form = {"CallSid": "CA" + "e" * 32, "From": CALLER}
    url = f"{BASE}/phone/incoming?lang={lang}"
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    response = client.post(f"/phone/incoming?lang={lang}", data=form,
                           headers={"X-Twilio-Signature": signature})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)
    assert rows(app, calls) == [] and rows(app, preferences) == []


def test_a_language_without_practices_built_is_english(app, client):
    caller = Caller(client)
    caller.twiml = caller.post(f"{BASE}/phone/incoming?lang=fr", CallStatus="ringing")
    assert languages_heard(app, caller) == ["en", "en", "es"]
    assert gather(caller).get("language") == "en-US"


def test_eight_again_goes_back_to_english_and_the_next_call_remembers(app, client):
    caller = spanish_by_key(client)
    Caller(client).dial()  # the next call begins in Spanish
    again = Caller(client).dial()
    assert languages_heard(app, again) == ["es", "es", "en"]
    again.answer("8")
    assert languages_heard(app, again) == ["en", "en", "es"]
    assert "lang" not in query(again) and gather(again).get("language") == "en-US"
    assert app.extensions["store"].get_preferences(key()).language == "en"
    assert languages_heard(app, Caller(client).dial()) == ["en", "en", "es"]
    caller.answer(said="inglés")  # words work too
    assert languages_heard(app, caller)[:2] == ["en", "en"]


def test_saying_espanol_at_the_english_menu_switches(app, client):
    caller = Caller(client).dial().answer(said="Español")
    assert languages_heard(app, caller) == ["es", "es", "en"]


def test_a_spanish_callers_call_back_resumes_in_spanish(app, client):
    caller = spanish_by_key(client).answer("4").answer("5").answer().answer()
    assert caller.segment == 2
    caller.hang_up()
    saved = app.extensions["store"].get_position(key())
    spanish = app.extensions["catalog"].get().in_language("es").get("loving-kindness")
    assert saved.language == "es" and saved.audio_sha == spanish.variant(5).sha256
    assert saved.offset_ms == spanish.variant(5).phone[2].start_ms

    # The offer is Spanish even when the caller would now hear English first (preference reset).
    app.extensions["store"].set_preferences(key(), language="en")
    again = Caller(client).dial()
    assert again.heard == ["greeting", "resume_loving"]
    assert languages_heard(app, again) == ["es", "es"]
    assert gather(again).get("language") == "es-US" and "seguir" in gather(again).get("hints")
    again.answer(said="sí")
    assert again.where == ("play", {"p": "loving-kindness", "m": "5", "s": "2", "lang": "es"})
    assert languages_heard(app, again) == ["es"]


def test_an_english_place_is_offered_in_english_to_a_spanish_caller(app, client):
    Caller(client).dial().answer("4").answer("5").answer().hang_up()
    app.extensions["store"].set_preferences(key(), language="es")
    again = Caller(client).dial()
    assert again.heard == ["greeting", "resume_loving"] and languages_heard(app, again) == [
        "en", "en"]
    again.answer("2")
    assert languages_heard(app, again) == ["en"] and gather(again).get("language") == "en-US"


def test_sentences_not_recorded_are_said_in_spanish_with_a_spanish_voice(app_config):
    app = create_app({**app_config, "CRISIS_LINE": "116 123"})
    client = app.test_client()
    caller = Caller(client)
    caller.twiml = caller.post(f"{BASE}/phone/incoming?lang=es", CallStatus="ringing")
    say = caller.twiml.find("Gather").find("Say")
    assert say.get("language") == "es-US" and say.get("voice") == "Polly.Lupe-Neural"
    assert "llama al 1 1 6 1 2 3, y oprime el 2 para español." in say.text
    english = Caller(client).dial().twiml.find("Gather").find("Say")
    assert english.get("language") == "en-US" and english.get("voice") == "Polly.Matthew-Neural"


def test_a_spanish_line_of_its_own_is_said_and_dialled(app_config):
    app = create_app({**app_config, "CRISIS_LINE_ES": "+1 888 628 9454"})
    caller = Caller(app.test_client())
    caller.twiml = caller.post(f"{BASE}/phone/incoming?lang=es", CallStatus="ringing")
    assert "llama al 1 8 8 8 6 2 8 9 4 5 4." in caller.twiml.find("Gather").find("Say").text
    caller.answer(said="quiero morirme")
    caller.answer("1")
    assert caller.twiml.find("Dial").text == "+1 888 628 9454"
    assert caller.heard[0] == "crisis_connecting"


@pytest.mark.parametrize("said", ["quiero morirme", "ya no quiero vivir", "I want to die"])
def test_crisis_words_in_a_spanish_call_get_the_crisis_line_in_spanish(app, client, said):
    caller = spanish_by_key(client).answer("4").answer("5").answer()
    assert caller.segment == 1
    caller.answer(said=said)
    assert caller.heard == ["crisis", "crisis_connect"]
    assert languages_heard(app, caller) == ["es", "es"]
    crisis = app.extensions["catalog"].get().in_language("es").prompts["crisis"].text
    assert "9 8 8, y oprime el 2 para español" in crisis and "AYUDA al 9 8 8" in crisis
    assert app.extensions["store"].get_position(key()).status == "paused"  # the place is kept
    caller.answer("1")
    dial = caller.twiml.find("Dial")
    assert dial.text == "988" and caller.heard == ["crisis_connecting_via"]
    text = app.extensions["catalog"].get().in_language("es").prompts[
        "crisis_connecting_via"].text
    assert "oprime el 2 para español" in text
    assert "lang=es" in dial.get("action")


@pytest.mark.parametrize("said, practice", [
    ("se me murió un paciente", "the-pause"),
    ("estoy muerta de cansancio, me siento agotada", "reconnecting-when-numb"),
    ("estoy muerta de cansancio", "reconnecting-when-numb"),
])
def test_words_of_death_that_are_no_crisis_get_a_practice_in_spanish(app, client, said,
                                                                     practice):
    caller = spanish_by_key(client).answer(said=said)
    stage, where = caller.where
    assert stage in ("length", "play") and where["p"] == practice and where["lang"] == "es"
    assert "crisis" not in caller.heard


def test_the_crisis_goodbye_and_failed_dial_mention_texting_ayuda(app, client):
    caller = spanish_by_key(client).answer(said="quiero morirme").answer("1")
    caller.twiml = caller.post(gather_action := caller.twiml.find("Dial").get("action"),
                               DialCallStatus="failed")
    assert "lang=es" in gather_action
    assert caller.heard == ["crisis_dial_failed"] and languages_heard(app, caller) == ["es"]
    assert gather(caller).get("hints") == "sí"
    spanish = app.extensions["catalog"].get().in_language("es").prompts
    assert "AYUDA" in spanish["crisis_dial_failed"].text
    assert "AYUDA" in spanish["crisis_goodbye"].text


def test_the_spanish_help_forgets_in_spanish(app, client):
    caller = spanish_by_key(client).answer("0")
    assert caller.heard == ["menu_help"] and languages_heard(app, caller) == ["es"]
    assert gather(caller).get("hints") == "borrar, menú, ayuda"
    caller.answer("7")
    assert caller.heard == ["forget_confirm"] and gather(caller).get("language") == "es-US"
    caller.answer(said="sí, borrar")
    assert caller.heard[0] in ("forgotten", "forget_nothing_saved")
    assert languages_heard(app, caller) == ["es", "es"]


def test_bad_signature_in_a_spanish_call_changes_nothing(app, client):
    caller = spanish_by_key(client).answer("4").answer("5")
    before = rows(app, progress), rows(app, calls)
    url = gather(caller).get("action")
    parts = urlsplit(url)
    form = {"CallSid": caller.sid, "From": CALLER, "Digits": "6"}
    response = client.post(f"{parts.path}?{parts.query}", data=form,
                           headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    assert response.status_code == 403
    assert (rows(app, progress), rows(app, calls)) == before
    assert parse_qs(parts.query)["lang"] == ["es"]


def test_spanish_crisis_words_in_an_english_call_are_answered_in_spanish(app, client):
    caller = Caller(client).dial().answer("4").answer("5").answer()
    assert caller.segment == 1
    caller.answer(said="ya no quiero vivir")
    assert caller.heard == ["crisis", "crisis_connect"]
    assert languages_heard(app, caller) == ["es", "es"]
    saved = app.extensions["store"].get_position(key())
    assert (saved.language, saved.status) == ("en", "paused")  # the English place is kept
    caller.answer("1")
    assert caller.heard == ["crisis_connecting_via"] and caller.twiml.find("Dial").text == "988"
    # English words of crisis in an English call: English, as before
    other = Caller(client, "+15551230009").dial().answer(said="I want to die")
    assert languages_heard(app, other) == ["en", "en"]


def test_the_database_down_is_an_apology_in_spanish(app, client, monkeypatch):
    from voice_app.store import StoreUnavailable

    caller = spanish_by_key(client)

    def down(*args, **kwargs):
        raise StoreUnavailable("connection refused")

    monkeypatch.setattr(app.extensions["store"], "get_call", down)
    caller.answer("4")
    assert caller.ended and caller.heard == ["trouble"] and languages_heard(app, caller) == ["es"]


def test_the_language_key_is_only_the_first_menus_on_later_pages_it_is_a_practice_key(
        app, client):
    caller = Caller(client).dial().answer("9")
    assert caller.heard[-1] == "menu_more_1" and caller.where[1].get("lang") is None
    caller.answer("8")
    assert gather(caller).get("language") == "en-US"
    assert "es" not in languages_heard(app, caller)
    assert caller.where[1].get("lang") is None
