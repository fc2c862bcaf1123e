"""The Rasa plug-ins of the Foot Drop Assistant: NLU components (nlu/), the rule policy
(policies/), the tracker stores (stores/), the lock store (locks/) and the channels (channels/).

They import the Rasa-free core (footdrop/) and Rasa; never actions/, which is the action
server's own package (tests/unit/test_architecture.py checks the direction).
"""
