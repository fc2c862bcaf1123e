"""Rasa graph component: entities from the terminology EntityRuler, with canonical values."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=False,
    model_from="SpacyNLP",
)
class TerminologyEntityExtractor(SpacyEntityExtractor):
    """Like Rasa's ``SpacyEntityExtractor``, but the value is the canonical term.

    ``content/terminology.yml`` gives each phrase a canonical value, which the
    EntityRuler stores as the pattern id: "AFO" and "splint" both come out as
    ``device: brace``. The words the patient typed stay available via start/end.
    """

    @staticmethod
    def _extract_entities(doc: Any) -> List[Dict[Text, Any]]:
        return [
            {
                "entity": ent.label_,
                "value": ent.ent_id_ or ent.text,
                "start": ent.start_char,
                "end": ent.end_char,
                "confidence": None,
            }
            for ent in doc.ents
        ]
