"""config.yml keeps Rasa's training cache working (docs/PERFORMANCE.md, "Retraining")."""

from __future__ import annotations

import pytest
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from support.project import ROOT

CONFIGS = [ROOT / "config.yml", *sorted((ROOT / "evaluation").glob("*.yml"))]


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_options_given_as_mappings_name_every_key(path):
    """Rasa 3.6 fingerprints a component's options as written, with the defaults filled in one
    level deep, when it looks in the cache, but with them filled in at every level when it
    stores the trained component. An option such as `hidden_layers_sizes: {text: [256]}`
    (without `label`) therefore never matches: the component retrains on every change, even of
    one response text. Naming every key makes both fingerprints the same."""
    config = yaml.safe_load(path.read_text())
    for item in config.get("pipeline", []) + config.get("policies", []):
        component = DefaultV1Recipe._from_registry(item["name"]).clazz
        defaults = component.get_default_config()
        for option, value in item.items():
            if isinstance(value, dict) and isinstance(defaults.get(option), dict):
                missing = sorted(set(defaults[option]) - set(value))
                assert not missing, (
                    f"{path.name}: {item['name']} option {option} leaves out {missing}: "
                    f"give every key (defaults: {defaults[option]})"
                )


def test_the_red_flag_component_falls_back_where_the_fallback_classifier_does():
    """RedFlagIntentOverride runs after FallbackClassifier; when it sets DIET's own emergency
    aside, it must send a low-confidence message to the menu at the same threshold."""
    pipeline = {item["name"]: item for item in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]}
    names = list(pipeline)
    override = "footdrop_rasa.nlu.red_flags.RedFlagIntentOverride"
    assert names.index(override) == len(names) - 1
    assert pipeline[override]["fallback_threshold"] == pipeline["FallbackClassifier"]["threshold"]
