"""Foot Drop Assistant's Rasa-free core: the sentence encoder and the emergency-sign detector.

Nothing in this package imports Rasa or rasa_sdk, so it can be read, tested and reused on its
own; the Rasa plug-ins in ``nlu_components/`` and the actions in ``actions/`` call into it.
"""
