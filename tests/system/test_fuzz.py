"""Property: whatever text a patient sends over REST, the assistant answers with a 200 and at
least one message with text. Hypothesis draws 300 strings: any Unicode (control characters,
emoji, other scripts, lone surrogates as JSON escapes) and long ones past the 2,000-character cap."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

# Hypothesis caches Unicode tables and constants in ./.hypothesis even with database=None:
# keep them out of the project.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "footdrop-hypothesis")

EXAMPLES = 300

# Mostly everyday lengths; some long enough to pass the cap (st.text's default stays short).
messages = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
    st.text(alphabet=st.characters(), min_size=1900, max_size=2600),
    st.text(alphabet=st.characters(categories=["Cc", "Cs", "Zs"]), max_size=20),  # control, surrogates, spaces
)


def test_any_text_gets_a_200_and_a_reply_with_text(assistant):
    session = requests.Session()
    posted = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(message=messages)
    def any_text_gets_a_reply(message: str) -> None:
        response = session.post(
            f"{assistant}/webhooks/rest/webhook", json={"sender": uuid.uuid4().hex, "message": message}, timeout=60
        )
        posted.append(message)
        assert response.status_code == 200, (message[:80], response.status_code)
        replies = response.json()
        assert replies and any(isinstance(r.get("text"), str) and r["text"].strip() for r in replies), (
            message[:80], replies,
        )

    try:
        any_text_gets_a_reply()
    finally:
        session.close()
    print(f"posted {len(posted)} random messages, every one answered with a 200 and text")
    assert len(posted) >= EXAMPLES
