"""Foot Drop Assistant's Rasa-free core.

What the assistant knows and decides, with nothing from Rasa or rasa_sdk, so it can be read,
tested and reused on its own:

- the guide and the clinic's settings: ``guide``, ``clinic``, ``signs``, ``emergency``;
- the symptom check: ``check_questions`` (its questions), ``answers`` (reading a patient's
  words into answers), ``triage`` (the table that turns answers into advice), ``own_story``;
- language: ``language`` (the blank spaCy pipeline), ``encoder`` (the sentence encoder),
  ``red_flags`` and ``context`` (emergency signs), ``questions`` (is this a question?),
  ``clarify`` and ``nearest_example`` (what to ask when unsure);
- serving: ``limits`` (per-conversation pace), ``errors`` (what a failure is called).

The Rasa plug-ins (``footdrop_rasa/``) and the custom actions (``actions/``) call into it;
it never imports them (tests/unit/test_architecture.py).
"""
