"""CachedRulePolicy (footdrop_rasa/policies/rules.py) predicts exactly what Rasa's RulePolicy predicts, from
the same trained rules, on every state of every training conversation, while it answers the
costly first pass from what it remembers."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Tuple

import pytest
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrainingDataGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.importers.importer import TrainingDataImporter

from footdrop_rasa.policies.rules import REMEMBER_STATES, CachedRulePolicy
from footdrop_rasa.rasa_version import UntestedRasaError
from support.project import ROOT


@pytest.fixture(scope="module")
def policies(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Tuple[CachedRulePolicy, RulePolicy, Domain]:
    """The trained model's rule policy, loaded as ours and as Rasa's plain RulePolicy."""
    storage, metadata = LocalModelStorage.from_model_archive(tmp_path_factory.mktemp("model"), trained_model)
    node = next(n for n in metadata.predict_schema.nodes.values() if n.uses is CachedRulePolicy)
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)

    def load(cls: Any) -> Any:
        return cls.load({**cls.get_default_config(), **node.config}, storage, node.resource, context)

    return load(CachedRulePolicy), load(RulePolicy), metadata.domain


@pytest.fixture(scope="module")
def loader(trained_model: Path, tmp_path_factory: pytest.TempPathFactory):
    """Loads the trained model's rule policy as CachedRulePolicy with extra options."""
    storage, metadata = LocalModelStorage.from_model_archive(tmp_path_factory.mktemp("model"), trained_model)
    node = next(n for n in metadata.predict_schema.nodes.values() if n.uses is CachedRulePolicy)
    context = ExecutionContext(metadata.predict_schema, metadata.model_id)
    return lambda **options: CachedRulePolicy.load(
        {**CachedRulePolicy.get_default_config(), **node.config, **options}, storage, node.resource, context)


def conversations(domain: Domain) -> List[DialogueStateTracker]:
    """Every rule and story of data/, as trackers, at each action of theirs."""
    importer = TrainingDataImporter.load_from_config(str(ROOT / "config.yml"), str(ROOT / "domain.yml"),
                                                     [str(ROOT / "data")])
    trackers = TrainingDataGenerator(importer.get_stories(), domain, augmentation_factor=0).generate()
    # (The generator hands out one tracker it keeps updating: a copy of each step.)
    return [prior.copy() for tracker in trackers for prior, _hidden in tracker.generate_all_prior_trackers()]


def test_the_model_uses_the_cached_rule_policy(policies):
    ours, _plain, _domain = policies
    assert isinstance(ours, CachedRulePolicy) and ours.lookup[RULES]


def test_it_predicts_what_rulepolicy_predicts_on_every_turn_of_the_training_conversations(policies):
    ours, plain, domain = policies
    turns = conversations(domain)
    assert len(turns) > 500  # every rule's and story's turns, the symptom check's included
    for _ in range(2):  # the second time, the first pass comes from what ours remembers
        for tracker in turns:
            theirs = plain.predict_action_probabilities(tracker, domain)
            mine = ours.predict_action_probabilities(tracker, domain)
            assert mine.probabilities == theirs.probabilities, tracker.sender_id
            assert mine.events == theirs.events and mine.is_end_to_end_prediction == theirs.is_end_to_end_prediction
    # It did remember: far fewer latest states than turns asked about.
    assert 0 < len(ours._fitting) < len(turns)


def test_the_rules_that_fit_are_the_same_for_each_lookup_and_state(policies):
    ours, plain, domain = policies
    rule_only = plain._get_rule_only_data()
    for tracker in conversations(domain)[::7]:
        states = plain._prediction_states(tracker, domain, rule_only_data=rule_only)
        for lookup in (ours.lookup[RULES], ours.lookup[RULES_FOR_LOOP_UNHAPPY_PATH]):
            expected = RulePolicy._get_possible_keys(plain, lookup, states)
            assert ours._get_possible_keys(lookup, states) == expected
            assert ours._get_possible_keys(lookup, states) == expected  # remembered


def test_remember_states_false_is_rulepolicy_itself(loader, policies):
    _ours, plain, domain = policies
    stock = loader(**{REMEMBER_STATES: False})
    for tracker in conversations(domain)[::5]:
        assert stock.predict_action_probabilities(tracker, domain).probabilities == \
            plain.predict_action_probabilities(tracker, domain).probabilities
    assert stock._fitting is None  # nothing remembered: RulePolicy's own search each time


def test_on_another_rasa_release_it_stops_naming_the_switch(loader, monkeypatch):
    import rasa

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(UntestedRasaError, match="remember_states: false"):
        loader()
    assert loader(**{REMEMBER_STATES: False})._fitting is None  # the switch runs on it
