"""The one Rasa release whose private code this project's speed-ups rely on, and the check.

Three parts of footdrop_rasa/ reach into Rasa 3.6.21 past its public API, each for a measured
gain (docs/PERFORMANCE.md), each in its own module and each with a switch back to what Rasa
does itself:

| part | Rasa's private code it uses | switch back |
| --- | --- | --- |
| ``policies/rules.py`` CachedRulePolicy | ``RulePolicy._get_possible_keys``, ``_is_rule_applicable`` | ``remember_states: false`` in config.yml |
| ``stores/sqlite.py`` SQLiteTrackerStore | ``SQLTrackerStore._retrieve`` and its session query, as SQL | ``plain_sql: false`` under tracker_store in endpoints.yml |
| ``rasa_patches.py`` | ``rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT``, a log message | ``FOOTDROP_RASA_PATCHES=off`` |

Each checks the installed Rasa when it starts (``require_tested_rasa``): on any other release it
stops with an error naming itself and its switch, instead of misbehaving quietly. With the
switch set, the part is Rasa's own and runs on any release Rasa's public API still fits.
"""

from __future__ import annotations

#: the release every private use was read from and tested on (requirements.lock pins it)
TESTED_RASA = "3.6.21"


class UntestedRasaError(RuntimeError):
    """The installed Rasa is not the release a part's private code was written for."""


def installed_rasa() -> str:
    import rasa

    return str(rasa.__version__)


def require_tested_rasa(part: str, uses: str, switch_back: str) -> None:
    """Stops the start when the installed Rasa is not TESTED_RASA, naming the part, the private
    code it relies on and how to run without it."""
    installed = installed_rasa()
    if installed != TESTED_RASA:
        raise UntestedRasaError(
            f"{part} relies on Rasa {TESTED_RASA}'s private code ({uses}), but Rasa {installed} is "
            f"installed. Either install rasa=={TESTED_RASA} (requirements.lock), or switch back to "
            f"Rasa's own behaviour: {switch_back}."
        )
