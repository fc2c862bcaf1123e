"""Rasa's RulePolicy, with the rules that fit a conversation's latest state remembered.

To pick the next action, RulePolicy tests every rule it learned (about 240 here: a rule per
topic, the symptom check's, and Rasa's own) against the conversation's latest state, then the
few that fit against the states before it. The first pass is the costly one: it ran twice
for each action predicted and was about 12% of the server's time per message
(docs/PERFORMANCE.md). Its answer depends only on the rules and on that one state (intent,
entities, slots, previous action, active form), of which a conversation has few kinds, so
this policy keeps the answer per state and reuses it; the later passes run as in Rasa.
Predictions are exactly RulePolicy's (tests/system/test_policies.py compares the two on every state
of the training conversations).

Only a loaded model remembers: while training, RulePolicy changes its rules as it checks them
against the stories, so there the policy is plain RulePolicy.

It relies on Rasa 3.6.21's private ``_get_possible_keys`` and ``_is_rule_applicable``: on
another Rasa release the start stops with an error saying so (footdrop_rasa/rasa_version.py).
``remember_states: false`` makes it RulePolicy itself.

config.yml::

    policies:
      - name: footdrop_rasa.policies.rules.CachedRulePolicy
        remember_states: true   # false: RulePolicy as Rasa runs it
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, Hashable, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.generator import State

from footdrop_rasa.rasa_version import require_tested_rasa

MAX_REMEMBERED = 10_000  # latest states remembered; then forgotten all at once and relearned
#: the option that switches this policy back to RulePolicy's own search
REMEMBER_STATES = "remember_states"


def frozen(state: State) -> Hashable:
    """A state (sub-states of names to strings or tuples) as a dictionary key."""
    return tuple(sorted((name, tuple(sorted(sub.items()))) for name, sub in state.items()))


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class CachedRulePolicy(RulePolicy):
    """RulePolicy that remembers which rules fit each latest state it has seen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # None until loaded (see the module's docstring); then (lookup id, state) -> rule keys.
        self._fitting: Optional[Dict[Tuple[int, Hashable], FrozenSet[Text]]] = None

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**RulePolicy.get_default_config(), REMEMBER_STATES: True}

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "CachedRulePolicy":
        policy = super().load(config, model_storage, resource, execution_context, **kwargs)
        if config.get(REMEMBER_STATES, True):
            require_tested_rasa("CachedRulePolicy (footdrop_rasa/policies/rules.py)",
                                "RulePolicy._get_possible_keys, RulePolicy._is_rule_applicable",
                                "set `remember_states: false` under it in config.yml and train again")
            policy._fitting = {}
        return policy

    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
        if self._fitting is None or not states:
            return super()._get_possible_keys(lookup, states)
        latest = states[-1]
        key = (id(lookup), frozen(latest))
        try:
            fitting = self._fitting.get(key)
        except TypeError:  # a state value that is not hashable: never seen here, but be exact
            return super()._get_possible_keys(lookup, states)
        if fitting is None:
            fitting = frozenset(k for k in lookup if self._is_rule_applicable(k, 0, latest))
            if len(self._fitting) >= MAX_REMEMBERED:
                self._fitting.clear()
            self._fitting[key] = fitting
        # The rest as RulePolicy._get_possible_keys does it, from the second-latest state back.
        possible = set(fitting)
        for turn, state in enumerate(reversed(states[:-1]), start=1):
            possible = {k for k in possible if self._is_rule_applicable(k, turn, state)}
        return possible
